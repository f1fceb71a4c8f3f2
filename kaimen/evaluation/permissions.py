"""Scorecards, rankings, 红黑榜 and commendations. obj: the id of the unit concerned.
Registered from ``EvaluationConfig.ready()``; ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import own_unit_reader, roles, unit_liaison
from kaimen.org.permissions import register as register_rules

RULES = (
    # a unit sees its own standing; leaders and the office every unit's
    ("evaluation.view", own_unit_reader, _("Read scores and rankings")),
    # schemes, score runs, answers to objections, publication, commendations
    ("evaluation.manage", roles(Role.OFFICE), _("Manage scoring")),
    # the unit's liaison lodges the objection (申诉) or submits its innovation practice (创新举措)
    ("evaluation.object", unit_liaison, _("Object to a score")),
    ("evaluation.practice.submit", unit_liaison, _("Submit an innovation practice")),
)


def register() -> None:
    register_rules(RULES, app="evaluation")
