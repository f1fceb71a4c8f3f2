"""Home-page panels for the administrators' own work (real counts, nothing invented)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.lib import clock
from kaimen.lib.contracts.home import Panel
from kaimen.org import scope
from kaimen.org.models import Unit, User
from kaimen.org.scope import Perm


def directory_panel(request: HttpRequest) -> Panel | None:
    if not scope.can(request.user, Perm.MANAGE_PEOPLE):
        return None
    stats = [
        (_("Active units"), Unit.objects.filter(is_active=True).count(), "org:unit_list"),
        (_("Active accounts"), User.objects.filter(is_active=True).count(), "org:people_list"),
        (
            _("Accounts that must change their password"),
            User.objects.filter(is_active=True, must_change_password=True).count(),
            "org:people_list",
        ),
    ]
    return Panel(_("Units and accounts"), "org/_panel_stats.html", {"stats": stats}, order=50)


def security_panel(request: HttpRequest) -> Panel | None:
    if not scope.can(request.user, Perm.MANAGE_SECURITY):
        return None
    from axes.models import AccessAttempt

    since = clock.now() - settings.AXES_COOLOFF_TIME
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).count()
    stats = [(_("Accounts locked now"), locked, "org:security")]
    return Panel(_("Security"), "org/_panel_stats.html", {"stats": stats}, order=50)
