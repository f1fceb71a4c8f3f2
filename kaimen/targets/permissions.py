"""Targets and statistics (指标、目标、实绩). 统计法: leaders read figures and never change them,
so no target permission below names the leader role except reading. Registered from
``TargetsConfig.ready()``; ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles


def targets_view(s, obj) -> bool:
    # obj None: whether the pages open at all; obj: the unit ids a row concerns (its unit and
    # the indicator's owner department), which own units must intersect
    if not s.has(Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER):
        return False
    if obj is None or s.sees_all_business:
        return True
    return bool(frozenset(obj) & s.own_unit_ids)


def actual_enter(s, obj) -> bool:
    # obj: the unit (or its id) whose figure is entered or corrected
    if s.has(Role.OFFICE):
        return True
    liaison_units = s.units_with(Role.LIAISON)
    if obj is None:
        return bool(liaison_units)
    return getattr(obj, "pk", obj) in liaison_units


def actual_approve(s, obj) -> bool:
    # obj: a correction request; nobody approves his own (four eyes on every change)
    if not s.has(Role.OFFICE):
        return False
    return obj is None or obj.requested_by_id != s.user_id


def light_explain(s, obj) -> bool:
    # obj: the id of the unit answerable for the row (说明 is the owner unit's duty)
    if s.has(Role.OFFICE):
        return True
    liaison_units = s.units_with(Role.LIAISON)
    return bool(liaison_units) if obj is None else obj in liaison_units


RULES = (
    ("targets.view", targets_view, _("Read targets and figures")),
    # the catalogue, targets, decomposition, projects and workbook layouts
    ("targets.manage", roles(Role.OFFICE), _("Manage targets")),
    ("targets.actual.enter", actual_enter, _("Enter figures")),
    ("targets.actual.approve", actual_approve, _("Approve corrections of figures")),
    ("targets.import", roles(Role.OFFICE), _("Import figures")),
    ("targets.explain", light_explain, _("Explain a red light")),
)


def register() -> None:
    register_rules(RULES, app="targets")
