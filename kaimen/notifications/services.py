"""Writes of the notification pages: the office's channels, retries and test messages, and
everyone's inbox. Each: permission through ``org.scope``, validation, one transaction, one audit
event. A channel's webhook token and signing secret never reach the audit trail: the audited
picture of a channel carries the masked URL and only whether a secret is set.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaimen.audit.services import record
from kaimen.lib import clock
from kaimen.lib.contracts import events as event_types
from kaimen.lib.errors import NotFound, PermissionDenied, StaleVersion, ValidationError
from kaimen.lib.versioning import save_versioned
from kaimen.notifications import delivery as sending
from kaimen.notifications import notify
from kaimen.notifications.models import (
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryState,
    Notification,
)
from kaimen.notifications.validation import check_target
from kaimen.org import scope
from kaimen.org.scope import Perm

CHANNEL_TEST = "channel_test"  # registered by this app's AppConfig


def subscribable() -> list[str]:
    """The event codes a channel may carry, in the form's order."""
    return [e.code for e in event_types.subscribable()]


def channel_picture(channel: ChannelConfig) -> dict:
    """The audited picture of a channel: no token, no secret."""
    return {
        "kind": channel.kind,
        "name": channel.name,
        "target": sending.masked_target(channel),
        "secret": "已设置" if channel.secret else "",
        "events": list(channel.events or []),
        "enabled": channel.enabled,
    }


def _clean_name(name: str) -> str:
    name = notify.clean_text(name, field="name", max_len=61, required=False)
    if not name:
        raise ValidationError("请为通道起一个名称，例如“调度办工作群”。", field="name")
    if len(name) > 60:
        raise ValidationError("通道名称最多60个字。", field="name")
    return name


def _clean_events(events) -> list[str]:
    allowed = subscribable()
    chosen = [e for e in allowed if e in set(events or [])]
    unknown = set(events or []) - set(allowed)
    if unknown:
        raise ValidationError(f"未知的通知事件：{'、'.join(sorted(unknown))}。", field="events")
    if not chosen:
        raise ValidationError(
            "请至少选择一类要推送的事件（如调度通报生成、红灯待说明）。", field="events"
        )
    return chosen


def _check_enabled(kind: str, enabled: bool) -> None:
    if enabled and kind == ChannelKind.EMAIL:
        sending.smtp_config()  # refuses with the variables to set when SMTP is not configured


def _unique_name(name: str, *, exclude_pk: int | None = None) -> None:
    if ChannelConfig.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ValidationError(f"已有名为“{name}”的通道，请换一个名称。", field="name")


def channel_create(
    *,
    actor,
    kind: str,
    name: str,
    target: str,
    secret: str = "",
    events,
    enabled: bool = True,
) -> ChannelConfig:
    scope.require(actor, Perm.NOTIFICATIONS_MANAGE)
    name = _clean_name(name)
    target, secret = check_target(kind, target, secret)
    events = _clean_events(events)
    _check_enabled(kind, enabled)
    _unique_name(name)
    now = clock.now()
    try:
        with transaction.atomic():
            channel = ChannelConfig.objects.create(
                kind=kind,
                name=name,
                target=target,
                secret=secret,
                events=events,
                enabled=enabled,
                created_at=now,
                updated_at=now,
            )
            record(
                actor=actor,
                action="notifications.channel.create",
                obj=channel,
                after=channel_picture(channel),
            )
    except IntegrityError as exc:  # the same name saved by someone else a moment ago
        raise ValidationError(f"已有名为“{name}”的通道，请换一个名称。", field="name") from exc
    return channel


def channel_update(
    *,
    actor,
    channel: ChannelConfig,
    expected_version: int,
    name: str,
    target: str = "",
    secret: str = "",
    clear_secret: bool = False,
    events,
    enabled: bool,
) -> ChannelConfig:
    """Change a channel. An empty ``target`` or ``secret`` keeps the stored one (the page never
    shows them back, so it cannot send them back either)."""
    scope.require(actor, Perm.NOTIFICATIONS_MANAGE)
    before = channel_picture(channel)
    name = _clean_name(name)
    new_target = target.strip() or channel.target
    new_secret = "" if clear_secret else (secret.strip() or channel.secret)
    new_target, new_secret = check_target(channel.kind, new_target, new_secret)
    events = _clean_events(events)
    _check_enabled(channel.kind, enabled)
    _unique_name(name, exclude_pk=channel.pk)
    channel.name, channel.target, channel.secret = name, new_target, new_secret
    channel.events, channel.enabled, channel.updated_at = events, enabled, clock.now()
    fields = ["name", "target", "secret", "events", "enabled", "updated_at"]
    with transaction.atomic():
        save_versioned(channel, expected_version=expected_version, fields=fields)
        record(
            actor=actor,
            action="notifications.channel.update",
            obj=channel,
            before=before,
            after=channel_picture(channel),
        )
    return channel


def channel_set_enabled(*, actor, channel: ChannelConfig, enabled: bool) -> ChannelConfig:
    scope.require(actor, Perm.NOTIFICATIONS_MANAGE)
    _check_enabled(channel.kind, enabled)
    with transaction.atomic():
        updated = ChannelConfig.objects.filter(pk=channel.pk, enabled=not enabled).update(
            enabled=enabled, updated_at=clock.now()
        )
        if updated != 1:
            raise StaleVersion(_("The channel is already in that state."))
        channel.refresh_from_db()
        record(
            actor=actor,
            action="notifications.channel.enable" if enabled else "notifications.channel.disable",
            obj=channel,
            after=channel_picture(channel),
        )
    return channel


def channel_test(*, actor, channel: ChannelConfig) -> Delivery:
    """A test message through the same queue as real ones; its delivery shows the result. A
    disabled channel can be tested too, before it is switched on."""
    scope.require(actor, Perm.NOTIFICATIONS_MANAGE)
    now = timezone.localtime(clock.now())
    who = getattr(actor, "display_name", "") or actor.get_username()
    with transaction.atomic():
        delivery = notify.queue_delivery(
            channel,
            event=CHANNEL_TEST,
            title="开门红平台测试消息",
            body=(
                f"这是一条测试消息，由{who}于{now:%Y-%m-%d %H:%M}从开门红平台发出，"
                f"用于确认通道“{channel.name}”可以收到通知。收到即表示配置正确，无需回复。"
            ),
            link="",
            requested_by=actor,
        )
        record(
            actor=actor,
            action="notifications.channel.test",
            obj=channel,
            after={"delivery": delivery.pk, "target": delivery.target_masked},
        )
    return delivery


def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """Retry a failed or given-up delivery now. A given-up one gets a fresh round of tries; all
    earlier attempts stay in the log."""
    scope.require(actor, Perm.NOTIFICATIONS_MANAGE)
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status not in (DeliveryState.FAILED, DeliveryState.GAVE_UP):
            raise ValidationError(
                _("Only a failed delivery can be retried; this one is %(status)s.")
                % {"status": locked.get_status_display()},
                field="status",
            )
        before = {"status": locked.status, "attempts": locked.attempt_count}
        max_attempts = locked.max_attempts
        if locked.status == DeliveryState.GAVE_UP:
            max_attempts = locked.attempt_count + sending.RETRY.attempts
        Delivery.objects.filter(pk=locked.pk).update(
            status=DeliveryState.PENDING,
            next_attempt_at=clock.now(),
            max_attempts=max_attempts,
            finished_at=None,
            claimed_until=None,
        )
        record(
            actor=actor,
            action="notifications.delivery.retry",
            obj=locked,
            before=before,
            after={"status": DeliveryState.PENDING, "max_attempts": max_attempts},
        )
        notify.enqueue_on_commit([locked.pk])
    delivery.refresh_from_db()
    return delivery


# ---------------------------------------------------------------------------------------------
# The inbox: everyone marks his own messages read


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise NotFound()  # nobody reads, or marks, another person's inbox
    if notification.read_at is not None:
        return notification
    now = clock.now()
    with transaction.atomic():
        updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if updated:
            record(
                actor=actor,
                action="notifications.notification.read",
                obj=notification,
                after={"event": notification.event},
            )
    notification.read_at = now
    return notification


def notifications_mark_all_read(*, actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=clock.now()
        )
        if count:
            record(
                actor=actor,
                action="notifications.notification.read_all",
                after={"count": count},
            )
    return count
