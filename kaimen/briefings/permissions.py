"""The weekly dispatch briefing (调度通报): the office builds it, leaders and the office read.
The notifications' and the leader dashboard's permissions are registered here too until those
parts become apps of their own. ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles

RULES = (
    ("briefings.view", roles(Role.LEADER, Role.OFFICE), _("Read briefings")),
    ("briefings.build", roles(Role.OFFICE), _("Build briefings")),
    # everyone reads his own inbox; the office configures the channels (SMTP, DingTalk and
    # WeCom group robots) and reads the delivery log
    ("notifications.manage", roles(Role.OFFICE), _("Manage notification channels")),
    # the leader dashboard (驾驶舱)
    ("dashboard.view", roles(Role.LEADER, Role.OFFICE), _("Open the dashboard")),
)


def register() -> None:
    register_rules(RULES, app="briefings")
