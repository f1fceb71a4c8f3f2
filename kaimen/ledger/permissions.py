"""The task ledger's permissions (任务分解台账). obj: a ledger Task where the rule depends on its
units. Registered from ``LedgerConfig.ready()``; ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles


def _task_unit_ids(task) -> tuple[int | None, frozenset[int]]:
    """A task's lead unit and co-units, read through the task's own helper."""
    return task.lead_unit_id, frozenset(task.co_unit_ids())


def ledger_view(s, obj) -> bool:
    # obj None: whether the ledger pages are open at all (their rows are scoped)
    if s.sees_all_business:
        return True
    if obj is None:
        return bool(s.own_unit_ids)
    lead, co = _task_unit_ids(obj)
    return lead in s.own_unit_ids or bool(co & s.own_unit_ids)


def task_report(s, obj) -> bool:
    # progress, closure requests and answers to instructions: the lead unit's liaison
    if obj is None:
        return bool(s.units_with(Role.LIAISON))
    return _task_unit_ids(obj)[0] in s.units_with(Role.LIAISON)


def task_contribute(s, obj) -> bool:
    if obj is None:
        return bool(s.units_with(Role.LIAISON))
    return bool(_task_unit_ids(obj)[1] & s.units_with(Role.LIAISON))


RULES = (
    ("ledger.view", ledger_view, _("Read the task ledger")),
    # drafts, publishing, task edits, closure acceptance, supervision decisions
    ("ledger.manage", roles(Role.OFFICE), _("Manage the task ledger")),
    ("ledger.export", roles(Role.OFFICE, Role.LEADER), _("Export the task ledger")),
    ("ledger.task.report", task_report, _("Report on a task")),
    ("ledger.task.contribute", task_contribute, _("Contribute to a task")),
    # 批示: leaders instruct; they never change a task's status or figures
    ("ledger.task.instruct", roles(Role.LEADER), _("Instruct on a task")),
)


def register() -> None:
    register_rules(RULES, app="ledger")
