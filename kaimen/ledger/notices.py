"""The notifications the ledger sends, and their wording: a supervision step (提醒, 督办单, 通报)
the office confirmed on a task, and a leader's 批示, both to the lead unit's liaisons."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.notify import Notified, notify

SUPERVISION_ISSUED = events.EventType(
    "supervision_issued", _("Supervision step issued on a task"), app="ledger", order=50
)
INSTRUCTION_GIVEN = events.EventType(
    "instruction_given", _("Leader's instruction on a task"), app="ledger", order=60
)


def register_events() -> None:
    events.register(SUPERVISION_ISSUED)
    events.register(INSTRUCTION_GIVEN)


# Ledger levels as the office and the units say them; the ledger's own labels are translated UI.
_SUPERVISION_LABELS = {"reminder": "提醒", "order": "督办单", "notice": "通报"}


def supervision_issued(*, step) -> Notified:
    """The office confirmed a supervision step on a task: its lead unit's liaisons are told
    what, why and where to answer. Call it inside the deciding service's transaction."""
    task = step.task
    label = _SUPERVISION_LABELS.get(step.level, step.level)
    return notify(
        SUPERVISION_ISSUED.code,
        title=f"{label}：任务{task.path}“{task.title[:30]}”",
        body=f"{step.reason}{'（' + step.decision_note + '）' if step.decision_note else ''}"
        "请在任务页报送进展或说明情况。",
        link=reverse("ledger:task_detail", args=[task.pk]),
        units=[task.lead_unit_id],
        dedupe_key=f"supervision:{step.pk}",
    )


def instruction_given(*, instruction) -> Notified:
    """A leader's 批示 on a task: the lead unit's liaisons, who answer it, are told."""
    task = instruction.task
    leader = str(instruction.given_by)
    return notify(
        INSTRUCTION_GIVEN.code,
        title=f"{leader}批示：任务{task.path}“{task.title[:30]}”",
        body=f"{instruction.text}\n请在任务页答复批示。",
        link=reverse("ledger:task_detail", args=[task.pk]),
        units=[task.lead_unit_id],
        dedupe_key=f"instruction:{instruction.pk}",
    )
