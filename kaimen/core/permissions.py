"""The shell's permissions: the working-day calendar (调休). ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles

RULES = (("calendar.manage", roles(Role.OFFICE), _("Manage the working-day calendar")),)


def register() -> None:
    register_rules(RULES, app="core")
