"""Reads of the notifications. Everyone reads his own inbox and nobody else's; the office (the
holder of ``Perm.NOTIFICATIONS_MANAGE``) reads the channels and the delivery log."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from kaimen.lib.errors import NotFound
from kaimen.notifications.models import (
    ChannelConfig,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Notification,
)
from kaimen.org import scope
from kaimen.org.scope import Perm


def inbox_for_user(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient_id=user.pk)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(*, user) -> int:
    """The header's badge: one COUNT on the (recipient, read_at) index."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notification_get_for_user(*, user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient_id=user.pk).first()
    if notification is None:
        raise NotFound()
    return notification


def channel_list_for_user(*, user) -> QuerySet[ChannelConfig]:
    scope.require(user, Perm.NOTIFICATIONS_MANAGE)
    return ChannelConfig.objects.annotate(
        delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryState.DELIVERED)),
        failing=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[DeliveryState.FAILED, DeliveryState.GAVE_UP]),
        ),
    ).order_by("name")


def channel_get_for_user(*, user, channel_id: int) -> ChannelConfig:
    scope.require(user, Perm.NOTIFICATIONS_MANAGE)
    channel = ChannelConfig.objects.filter(pk=channel_id).first()
    if channel is None:
        raise NotFound()
    return channel


@dataclass(frozen=True)
class DeliveryFilters:
    status: str = ""
    channel_id: int | None = None
    event: str = ""


def delivery_list_for_user(*, user, filters: DeliveryFilters) -> QuerySet[Delivery]:
    scope.require(user, Perm.NOTIFICATIONS_MANAGE)
    qs = Delivery.objects.select_related("channel", "requested_by").defer("body")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel_id:
        qs = qs.filter(channel_id=filters.channel_id)
    if filters.event:
        qs = qs.filter(event=filters.event)
    return qs


def delivery_get_for_user(*, user, delivery_id: int) -> Delivery:
    scope.require(user, Perm.NOTIFICATIONS_MANAGE)
    delivery = (
        Delivery.objects.select_related("channel", "requested_by")
        .prefetch_related(Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number")))
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None:
        raise NotFound()
    return delivery


def delivery_counts(*, user) -> dict[str, int]:
    scope.require(user, Perm.NOTIFICATIONS_MANAGE)
    rows = Delivery.objects.values_list("status").annotate(n=Count("pk")).order_by()
    return {status: n for status, n in rows}
