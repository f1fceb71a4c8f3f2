"""The campaign's 任务分解表 as a download (every export is audited)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign
from kaimen.ledger import exports
from kaimen.ledger.models import ProgressReport, TaskStatus
from kaimen.lib.errors import ValidationError
from kaimen.org import scope
from kaimen.org.scope import Perm

# ---------------------------------------------------------------------------------------------
# Export


@dataclass(frozen=True)
class ExportFile:
    content: Any  # an open temporary file, removed once closed
    filename: str
    content_type: str


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _export_rows(campaign: Campaign) -> list[exports.Row | exports.Section]:
    from django.utils import translation

    tasks = list(
        campaign.tasks.select_related("lead_unit").prefetch_related("co_units").order_by("order")
    )
    latest: dict[int, ProgressReport] = {}
    for report in ProgressReport.objects.filter(task__campaign=campaign).order_by("reported_at"):
        latest[report.task_id] = report
    rows: list[exports.Row | exports.Section] = []
    section = None
    with translation.override("zh-hans"):
        for number, task in enumerate(tasks, start=1):
            if task.section and task.section != section:
                section = task.section
                rows.append(exports.Section(section))
            report = latest.get(task.pk)
            progress = (
                f"{timezone.localdate(report.reported_at):%Y-%m-%d}:{report.text}(完成{report.percent}%)"
                if report
                else "尚未报送"
            )
            rows.append(
                exports.Row(
                    number=number,
                    content=task.original_text,
                    lead=task.lead_unit.name,
                    co="、".join(u.name for u in task.co_units.all()),
                    deadline=task.deadline,
                    progress=progress,
                    status=str(TaskStatus(task.status).label),
                )
            )
    return rows


def ledger_export(*, actor, campaign: Campaign, fmt: str) -> ExportFile:
    """The campaign's 任务分解表 as xlsx or docx; every export is audited."""
    scope.require(actor, Perm.LEDGER_EXPORT)
    if fmt not in EXPORT_TYPES:
        raise ValidationError("只能导出 xlsx 或 docx。", field="format")
    rows = _export_rows(campaign)
    title = f"{campaign.name}任务分解表"
    # A temporary file that disappears once the response has sent it (剩余信息保护).
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    (exports.write_xlsx if fmt == "xlsx" else exports.write_docx)(title, rows, out)
    out.seek(0)
    with transaction.atomic():
        record(
            actor=actor,
            action="ledger.export",
            obj=campaign,
            after={"format": fmt, "rows": sum(isinstance(r, exports.Row) for r in rows)},
        )
    return ExportFile(out, f"{title}.{fmt}", EXPORT_TYPES[fmt])
