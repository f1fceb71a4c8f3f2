"""Accountability (提醒 → 督办 → 约谈 → 通报 → 问责建议). obj: the id of the unit concerned.
Registered from ``AccountabilityConfig.ready()``; ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import own_unit_reader, roles, unit_liaison
from kaimen.org.permissions import register as register_rules

RULES = (
    # a unit sees its own record; leaders and the office every unit's
    ("accountability.view", own_unit_reader, _("Read the accountability record")),
    # a person confirms or dismisses each proposal: the office, or a leader
    ("accountability.decide", roles(Role.OFFICE, Role.LEADER), _("Decide on proposals")),
    # the unit's liaison attaches the explanation (说明)
    ("accountability.explain", unit_liaison, _("Explain a lapse")),
    # the campaign's thresholds of the accountability rules
    ("accountability.rules", roles(Role.OFFICE), _("Set the accountability rules")),
)


def register() -> None:
    register_rules(RULES, app="accountability")
