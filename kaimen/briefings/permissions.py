"""The weekly dispatch briefing (调度通报): the office builds it, leaders and the office read.
``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles

RULES = (
    ("briefings.view", roles(Role.LEADER, Role.OFFICE), _("Read briefings")),
    ("briefings.build", roles(Role.OFFICE), _("Build briefings")),
)


def register() -> None:
    register_rules(RULES, app="briefings")
