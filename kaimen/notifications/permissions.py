"""Who may configure notifications. Everyone reads his own inbox; the office configures the
channels (SMTP, DingTalk and WeCom group robots) and reads the delivery log.
``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles

RULES = (("notifications.manage", roles(Role.OFFICE), _("Manage notification channels")),)


def register() -> None:
    register_rules(RULES, app="notifications")
