from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from kaimen.audit.models import AuditEvent
from kaimen.lib.contracts import access


def audit_events_for_user(
    *,
    user,
    actor: str = "",
    action: str = "",
    outcome: str = "",
    unit_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit log, for the audit administrator only (三员分立)."""
    access.require(user, access.VIEW_AUDIT)
    qs = AuditEvent.objects.all()
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if action:
        # a code from the filter's list is matched exactly; a bare domain ("ledger" or
        # "ledger.draft", e.g. from a bookmarked address) matches every action under it
        qs = qs.filter(Q(action=action) | Q(action__startswith=action.rstrip(".") + "."))
    if outcome:
        qs = qs.filter(outcome=outcome)
    if unit_id:
        qs = qs.filter(unit_id_ref=unit_id)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lte=datetime.combine(date_to, time.max, tzinfo=tz))
    return qs.order_by("-id")


def audit_action_names() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())
