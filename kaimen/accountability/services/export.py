"""The accountability record as an Excel workbook for the office (every export is audited).

Written with ``kaimen.lib.xlsx``: a text cell that starts like a formula (= + - @ …) is stored
as text, dates stay dates.
"""

from __future__ import annotations

import tempfile
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook

from kaimen.accountability import selectors
from kaimen.accountability.models import MatterKind, Status
from kaimen.accountability.rules import Rule, Step
from kaimen.audit.services import record
from kaimen.lib.xlsx import row
from kaimen.org import scope
from kaimen.org.scope import Perm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 50_000
COLUMNS = [
    "序号",
    "战役",
    "单位",
    "事项类型",
    "事项",
    "规则",
    "建议步骤",
    "此前已确认的最高一步",
    "触发事实",
    "提出日期",
    "状态",
    "决定人",
    "决定日期",
    "决定理由",
    "单位说明",
]
WIDTHS = [6, 18, 16, 10, 30, 18, 10, 12, 60, 12, 10, 10, 12, 30, 50]
MATTER_KINDS = {
    MatterKind.INDICATOR: "指标",
    MatterKind.TASK: "任务",
    MatterKind.REPORTS: "进展报送",
}
STATUSES = {
    Status.PROPOSED: "待确认",
    Status.CONFIRMED: "已确认",
    Status.DISMISSED: "不采纳",
    Status.WITHDRAWN: "已撤回（原因消除）",
}


@dataclass(frozen=True)
class ExportFile:
    content: Any  # an open temporary file, removed once closed
    filename: str
    content_type: str


def record_export(*, actor, filters: selectors.RecordFilters | None = None) -> ExportFile:
    """The record (as filtered on the page) as xlsx, one row per proposal."""
    scope.require(actor, Perm.ACCOUNTABILITY_DECIDE)
    proposals = selectors.proposal_list_for_user(user=actor, filters=filters)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("问责记录")
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.append(row(sheet, COLUMNS, bold=True))
    count = 0
    for number, p in enumerate(proposals[:EXPORT_LIMIT], start=1):
        explained = "\n".join(
            f"{timezone.localtime(e.created_at):%Y-%m-%d} {e.author}：{e.text}"
            for e in p.explanations.all()
        )
        sheet.append(
            row(
                sheet,
                [
                    number,
                    p.campaign.name,
                    p.unit.name,
                    MATTER_KINDS.get(p.matter_kind, p.matter_kind),
                    p.matter,
                    Rule(p.rule).label,
                    Step(p.step).label,
                    Step(p.after_step).label if p.after_step else "无",
                    "\n".join(p.facts),
                    timezone.localdate(p.proposed_at),
                    STATUSES.get(p.status, p.status),
                    str(p.decided_by) if p.decided_by else "",
                    timezone.localdate(p.decided_at) if p.decided_at else None,
                    p.decision_reason,
                    explained,
                ],
            )
        )
        count += 1
    # A temporary file that disappears once the response has sent it (剩余信息保护).
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(out)
    out.seek(0)
    with transaction.atomic():
        record(
            actor=actor,
            action="accountability.export",
            after={
                "rows": count,
                "filters": {k: v for k, v in asdict(filters).items() if v} if filters else {},
            },
        )
    stamp = timezone.localdate().strftime("%Y%m%d")
    return ExportFile(out, f"问责记录{stamp}.xlsx", XLSX)
