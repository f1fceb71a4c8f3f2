"""Notifications: the one call other modules make.

``notify(event, title=…, body=…, link=…, users=…, units=…, roles=…)`` writes one inbox message
per recipient in the caller's transaction (rolled back with it), and for every enabled external
channel the office subscribed to the event a ``Delivery`` row; after the caller commits, one
queue job per delivery sends it (``kaimen.notifications.delivery``). ``event`` is the code of an
event type some app registered in ``kaimen.lib.contracts.events``; the wording is the caller's.
Nothing here raises into the caller once the input is valid: the briefing, the figure or the
ranking that caused the message is saved whatever the receiver does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q

from kaimen.lib import clock
from kaimen.lib.contracts import events
from kaimen.lib.errors import ValidationError
from kaimen.notifications import tasks
from kaimen.notifications.delivery import RETRY, masked_target
from kaimen.notifications.models import ChannelConfig, Delivery, Notification
from kaimen.org.models import ADMIN_ROLES, Membership, Role, User

MAX_TITLE = 200
MAX_BODY = 4000
MAX_RECIPIENTS = 5000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Notified:
    """What one ``notify`` call wrote: inbox messages and external deliveries (ids)."""

    notifications: int
    deliveries: tuple[int, ...]


# ---------------------------------------------------------------------------------------------
# Input


def clean_text(value: str, *, field: str, max_len: int, required: bool = True) -> str:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", str(value or ""))).strip()
    if required and not text:
        raise ValidationError("通知标题不能为空。", field=field)
    return text[:max_len]


def clean_link(link: str) -> str:
    """A path inside Kaimen ("/briefings/"), never an address elsewhere: a message must not
    carry a link that leads users off the platform."""
    link = (link or "").strip()
    if not link:
        return ""
    if not link.startswith("/") or link.startswith("//") or "\\" in link or len(link) > 500:
        raise ValidationError(
            f"通知链接“{link[:80]}”无效：应为平台内的路径（以 / 开头），不能指向其他网站。",
            field="link",
        )
    return link


def check_event(event: str) -> str:
    if not events.is_registered(event):
        raise ValidationError(f"未知的通知事件“{event}”。", field="event")
    return event


# ---------------------------------------------------------------------------------------------
# Recipients


def _ids(items: Iterable) -> set[int]:
    return {int(getattr(item, "pk", item)) for item in items if getattr(item, "pk", item)}


def resolve_recipients(*, users: Iterable = (), units: Iterable = (), roles: Iterable = ()):
    """The active people a message goes to: the users named, the active liaisons (联络员) of
    the units named, and everyone holding one of the roles named (e.g. leaders, the office).
    三员 (system, security and audit administrators) read no business data, so no role of
    theirs can be addressed. One query."""
    roles = [str(r) for r in roles]
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationError(f"未知的角色：{'、'.join(unknown)}。", field="roles")
    if set(roles) & ADMIN_ROLES:
        raise ValidationError(
            "系统、安全和审计管理员不接收业务通知（三员分立），请改为指定业务角色。",
            field="roles",
        )
    user_ids, unit_ids = _ids(users), _ids(units)
    condition = Q()
    if user_ids:
        condition |= Q(pk__in=user_ids)
    if unit_ids or roles:
        memberships = Membership.objects.filter(is_active=True, unit__is_active=True).filter(
            Q(role=Role.LIAISON, unit_id__in=unit_ids) | Q(role__in=roles)
        )
        condition |= Q(pk__in=memberships.values("user_id"))
    if not condition:
        return User.objects.none()
    return User.objects.filter(condition, is_active=True).order_by("pk")


# ---------------------------------------------------------------------------------------------
# The call other modules make


def notify(
    event: str,
    *,
    title: str,
    body: str = "",
    link: str = "",
    users: Iterable = (),
    units: Iterable = (),
    roles: Iterable = (),
    dedupe_key: str = "",
    external: bool = True,
) -> Notified:
    """Tell people about an event, in the caller's transaction.

    ``dedupe_key`` makes the call idempotent: a person who already has a message with that key
    gets no second one, and a channel that already carried it is not sent it again (a red light
    is announced once per indicator, unit and period however often the check runs).
    ``external=False`` keeps the message in the inbox only.
    """
    check_event(event)
    title = clean_text(title, field="title", max_len=MAX_TITLE)
    body = clean_text(body, field="body", max_len=MAX_BODY, required=False)
    link = clean_link(link)
    dedupe_key = (dedupe_key or "").strip()[:120]
    now = clock.now()
    recipient_ids = list(
        resolve_recipients(users=users, units=units, roles=roles).values_list("pk", flat=True)
    )[:MAX_RECIPIENTS]
    with transaction.atomic():
        if dedupe_key and recipient_ids:
            told = set(
                Notification.objects.filter(
                    dedupe_key=dedupe_key, recipient_id__in=recipient_ids
                ).values_list("recipient_id", flat=True)
            )
            recipient_ids = [pk for pk in recipient_ids if pk not in told]
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=pk,
                    event=event,
                    title=title,
                    body=body,
                    link=link,
                    dedupe_key=dedupe_key,
                    created_at=now,
                )
                for pk in recipient_ids
            ],
            ignore_conflicts=bool(dedupe_key),
        )
        deliveries: list[int] = []
        if external:
            for channel in subscribed_channels(event):
                delivery = _queue(
                    channel, event=event, title=title, body=body, link=link, key=dedupe_key
                )
                if delivery is not None:
                    deliveries.append(delivery.pk)
        enqueue_on_commit(deliveries)
    return Notified(len(recipient_ids), tuple(deliveries))


def subscribed_channels(event: str) -> list[ChannelConfig]:
    # Few rows; the event list is filtered here because SQLite has no JSON "contains".
    return [c for c in ChannelConfig.objects.filter(enabled=True) if event in (c.events or [])]


def _queue(
    channel: ChannelConfig,
    *,
    event: str,
    title: str,
    body: str,
    link: str,
    key: str,
    requested_by=None,
) -> Delivery | None:
    if key and Delivery.objects.filter(channel=channel, dedupe_key=key).exists():
        return None
    now = clock.now()
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                channel=channel,
                event=event,
                title=title,
                body=body,
                link=link,
                target_masked=masked_target(channel),
                dedupe_key=key,
                max_attempts=RETRY.attempts,
                next_attempt_at=now,
                requested_by=requested_by,
                created_at=now,
            )
    except IntegrityError:  # the same key queued by a concurrent check a moment ago
        return None


def queue_delivery(
    channel: ChannelConfig, *, event: str, title: str, body: str, link: str, requested_by
) -> Delivery:
    """One delivery to one channel (the office's test message); the caller commits it."""
    delivery = _queue(
        channel,
        event=event,
        title=title,
        body=body,
        link=link,
        key="",
        requested_by=requested_by,
    )
    assert delivery is not None  # no key, so never a duplicate
    enqueue_on_commit([delivery.pk])
    return delivery


def enqueue_on_commit(delivery_ids: Iterable[int]) -> None:
    ids = list(delivery_ids)
    if ids:
        # robust: a queue that is down must not fail the caller's request after its commit;
        # the minute sweep sends whatever the queue never got.
        transaction.on_commit(partial(_enqueue, ids), robust=True)


def _enqueue(delivery_ids: list[int]) -> None:
    for pk in delivery_ids:
        tasks.delivery_send_task(pk)
