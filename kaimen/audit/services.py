"""Writing and checking the audit trail.

Services call :func:`record` inside their own ``transaction.atomic`` block, after the change:
if the audit write fails, the change rolls back with it (SECURITY.md, 安全审计).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from kaimen.audit import chain
from kaimen.audit.models import AuditEvent, Outcome
from kaimen.lib import clock, request_context

# Any 64-bit number will do; it names the one advisory lock that serialises appends on PostgreSQL
# (on SQLite the IMMEDIATE write transaction already does).
_CHAIN_LOCK_KEY = 0x4B61696D656E  # "Kaimen"


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _at_text(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def payload_of(event: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers, in a form that survives a round trip through the database."""
    return {
        "at": _at_text(event.at),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_unit": event.actor_unit,
        "action": event.action,
        "outcome": event.outcome,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "unit_id_ref": event.unit_id_ref,
        "before": event.before,
        "after": event.after,
        "message": event.message,
        "ip": event.ip,
    }


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


def _actor_unit_name(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return ""
    membership = (
        actor.memberships.filter(is_active=True).select_related("unit").order_by("id").first()
    )
    return membership.unit.name if membership else ""


def record(
    *,
    actor,
    action: str,
    obj: Any = None,
    before: Any = None,
    after: Any = None,
    outcome: str = Outcome.SUCCESS,
    message: str = "",
    unit: Any = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    info = request_context.current()
    real_actor = actor if getattr(actor, "pk", None) else None
    if unit is None and obj is not None:
        unit_id = getattr(obj, "unit_id", None)
        if (
            unit_id is None
            and getattr(getattr(obj, "_meta", None), "label_lower", "") == "org.unit"
        ):
            unit_id = obj.pk  # a change to a unit concerns that unit (the auditor's unit filter)
    else:
        unit_id = getattr(unit, "pk", unit)
    with transaction.atomic():
        _lock_chain()
        previous = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=clock.now(),
            actor=real_actor,
            actor_name=(actor_name or (real_actor.get_username() if real_actor else ""))[:150],
            actor_unit=_actor_unit_name(real_actor)[:60],
            action=action[:60],
            outcome=str(outcome),
            object_type=obj._meta.label_lower if hasattr(obj, "_meta") else "",
            object_id=str(obj.pk) if getattr(obj, "pk", None) is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            unit_id_ref=unit_id,
            before=_jsonable(before),
            after=_jsonable(after),
            message=str(message)[:300],
            ip=info.ip or "",
            prev_hash=previous or chain.GENESIS,
            hash_alg=chain.available_algorithm(),
        )
        event.hash = chain.link_hash(event.hash_alg, event.prev_hash, payload_of(event))
        event.save()
        return event


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken: chain.Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify() -> VerifyResult:
    """Recompute the whole chain; name the first event that does not hold."""
    count = 0

    def rows():
        nonlocal count
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            count += 1
            yield chain.ChainRow(
                id=event.pk,
                payload=payload_of(event),
                prev_hash=event.prev_hash,
                hash=event.hash,
                algorithm=event.hash_alg,
            )

    broken = chain.first_break(rows())
    return VerifyResult(checked=count, broken=broken)


def retention_cutoff(today: date, months: int | None = None) -> date:
    """The oldest day that must still be kept: ``months`` calendar months back (≥ 6).

    Six months is 181–184 days depending on which months they are, so it is computed on the
    calendar and never approximated as 180 days (网络安全法 第二十一条).
    """
    months = max(6, months if months is not None else settings.AUDIT_RETENTION_MONTHS)
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)
