from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.lib import clock
from kaimen.lib.contracts import access
from kaimen.lib.contracts.home import Panel


def audit_panel(request: HttpRequest) -> Panel | None:
    if not access.can(request.user, access.VIEW_AUDIT):
        return None
    from datetime import timedelta

    since = clock.now() - timedelta(days=1)
    recent = AuditEvent.objects.filter(at__gte=since)
    stats = [
        (_("Events in the last 24 hours"), recent.count(), "audit:event_list"),
        (
            _("Refused or failed in the last 24 hours"),
            recent.exclude(outcome=Outcome.SUCCESS).count(),
            "audit:event_list",
        ),
    ]
    return Panel(_("Audit"), "org/_panel_stats.html", {"stats": stats}, order=50)
