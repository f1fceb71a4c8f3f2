"""The notifications the ledger sends, and their wording: a supervision step (提醒, 督办单, 通报)
the office confirmed on a task, and a leader's 批示, both to the lead unit's liaisons."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.notify import Notified, notify
from kaimen.org.models import Role

SUPERVISION_ISSUED = events.EventType(
    "supervision_issued", _("Supervision step issued on a task"), app="ledger", order=50
)
INSTRUCTION_GIVEN = events.EventType(
    "instruction_given", _("Leader's instruction on a task"), app="ledger", order=60
)

UNIT_MISSING = events.EventType(
    "unit_missing", _("A document names a unit the district lacks"), app="ledger", order=70
)


def register_events() -> None:
    events.register(SUPERVISION_ISSUED)
    events.register(INSTRUCTION_GIVEN)
    events.register(UNIT_MISSING)


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


def unit_missing(*, item, name: str, actor) -> Notified:
    """A document names a unit the unit tree lacks: the system administrators are asked to add
    it (inbox only). Call it inside the referring service's transaction."""
    return notify(
        UNIT_MISSING.code,
        title=f"请增设单位“{name[:30]}”",
        body=(
            f"{actor}审核台账草稿时发现,原文第{item.path}条点名的“{name}”在单位名录中找不到。"
            "如该单位确实存在,请在单位管理中增设;如只是已有单位的别称,请告知调度办在审核页对应。"
        ),
        link=reverse("ledger:draft_review", args=[item.draft_id]),
        roles=[Role.SYSADMIN],
        dedupe_key=f"unit_missing:{item.draft_id}:{name[:60]}",
        external=False,
    )
