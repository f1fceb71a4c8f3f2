"""Who opens the leader dashboard (驾驶舱): the leaders and the office.
``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles

RULES = (("dashboard.view", roles(Role.LEADER, Role.OFFICE), _("Open the dashboard")),)


def register() -> None:
    register_rules(RULES, app="dashboard")
