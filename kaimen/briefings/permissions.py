"""The weekly dispatch briefing (调度通报): the office builds it, leaders and the office read.
The leader dashboard's permission is registered here too until the dashboard becomes an app
of its own. ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles

RULES = (
    ("briefings.view", roles(Role.LEADER, Role.OFFICE), _("Read briefings")),
    ("briefings.build", roles(Role.OFFICE), _("Build briefings")),
    # the leader dashboard (驾驶舱)
    ("dashboard.view", roles(Role.LEADER, Role.OFFICE), _("Open the dashboard")),
)


def register() -> None:
    register_rules(RULES, app="briefings")
