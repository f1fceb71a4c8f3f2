"""What the ledger's services share: input cleaning, and the lights they all keep current."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from kaimen.ledger import lights
from kaimen.ledger.models import (
    Light,
    Task,
    TaskStatus,
)
from kaimen.lib.errors import ValidationError
from kaimen.lib.official_calendar import OfficialCalendar
from kaimen.org.models import Unit

MAX_PASTE_CHARS = 200_000
MAX_TEXT = 2000
MAX_FILES = 10
TASK_FIELDS = ["title", "lead_unit", "deadline", "cadence", "status", "light", "percent"]
ITEM_FIELDS = ["heading", "text", "kind", "lead_unit", "deadline", "cadence", "decision"]
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(value: str, *, field: str, max_len: int = MAX_TEXT, required: bool = True) -> str:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value or "")).strip()
    if required and not text:
        raise ValidationError("请填写内容。", field=field)
    if len(text) > max_len:
        raise ValidationError(f"最多{max_len}个字,现有{len(text)}个字,请精简。", field=field)
    return text


def units_by_name() -> dict[str, int]:
    names: dict[str, int] = {}
    for pk, name, short in Unit.objects.filter(is_active=True).values_list(
        "pk", "name", "short_name"
    ):
        names[name] = pk
        if short:
            names.setdefault(short, pk)
    return names


def _checkpoints(task: Task) -> list[lights.Checkpoint]:
    points = [lights.Checkpoint("完成时限", task.deadline)]
    points += [
        lights.Checkpoint(m.label, m.due, reached=m.reached_at is not None)
        for m in task.milestones.all()
    ]
    return points


def apply_light(task: Task, *, cal: OfficialCalendar, today: date) -> bool:
    """Recompute one task's light (and 滞后 status, which follows a red light); True if changed."""
    finished = task.status in (TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.CLOSED)
    verdict = lights.task_light(
        today=today, checkpoints=_checkpoints(task), finished=finished, cal=cal
    )
    status = task.status
    if verdict.light == Light.RED and status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS):
        status = TaskStatus.LAGGING
    elif verdict.light != Light.RED and status == TaskStatus.LAGGING:
        status = TaskStatus.IN_PROGRESS if task.last_report_at else TaskStatus.NOT_STARTED
    reason = verdict.reason[:300]
    if (verdict.light, reason, status) == (task.light, task.light_reason, task.status):
        return False
    Task.objects.filter(pk=task.pk).update(light=verdict.light, light_reason=reason, status=status)
    task.light, task.light_reason, task.status = verdict.light, reason, status
    return True


def refresh_lights(tasks: Iterable[Task], *, cal: OfficialCalendar, today: date) -> int:
    ids = [t.pk for t in tasks]
    fresh = Task.objects.filter(pk__in=ids).prefetch_related("milestones")
    return sum(apply_light(task, cal=cal, today=today) for task in fresh)
