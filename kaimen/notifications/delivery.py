"""The delivery engine: one try of one delivery through the pure channels of
``kaimen.notifications.channels``, and the sweep of the deliveries that are due.

A delivery is one attempt per job. A failed attempt is logged with its answer (HTTP status or
SMTP reply, an excerpt, the error) and the delivery waits for its next try on the back-off of
``RETRY``; the minute sweep (``deliveries_send_due``) sends whatever is due, including a
delivery whose queue message was lost. After ``max_attempts`` failures it has "given up", with
the reason in the log, and the office can retry it by hand. Network I/O never runs inside a
database transaction, and a claim with a lease keeps two workers from sending one message twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.notifications import channels
from kaimen.notifications.models import (
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
)

log = logging.getLogger(__name__)

# One try a job; the waits between tries grow from a minute to an hour (1, 3, 9, 27 minutes):
# a robot that is down for a maintenance window still gets the Monday briefing that morning.
RETRY = channels.RetryPolicy(attempts=5, backoff_seconds=60, factor=3, max_backoff_seconds=3600)
CLAIM_LEASE = timedelta(minutes=5)
SWEEP_LIMIT = 50


def masked_target(channel: ChannelConfig) -> str:
    """What a page, a log line or an audit event may show of a channel's target."""
    return channel.masked_target


def addresses_of(target: str) -> list[str]:
    return list(dict.fromkeys(ChannelConfig(target=target).addresses))


# ---------------------------------------------------------------------------------------------
# Sending


def smtp_config() -> channels.SmtpConfig:
    """The SMTP server of the deployment (settings, from the KAIMEN_EMAIL_* variables)."""
    host = getattr(settings, "EMAIL_HOST", "") or ""
    sender = getattr(settings, "DEFAULT_FROM_EMAIL", "") or ""
    if not host or not sender or sender == "webmaster@localhost":
        raise ValidationError(
            "服务器尚未配置邮件发送（SMTP）：请系统管理员设置环境变量 KAIMEN_EMAIL_HOST 和 "
            "KAIMEN_EMAIL_FROM 后重启服务。",
            field="kind",
        )
    return channels.SmtpConfig(
        host=host,
        sender=sender,
        port=int(getattr(settings, "EMAIL_PORT", 25)),
        username=getattr(settings, "EMAIL_HOST_USER", "") or "",
        password=getattr(settings, "EMAIL_HOST_PASSWORD", "") or "",
        starttls=bool(getattr(settings, "EMAIL_USE_TLS", False)),
        ssl=bool(getattr(settings, "EMAIL_USE_SSL", False)),
        timeout=float(getattr(settings, "EMAIL_TIMEOUT", None) or 10),
    )


def absolute_link(link: str) -> str:
    base = (getattr(settings, "KAIMEN_BASE_URL", "") or "").rstrip("/")
    return f"{base}{link}" if base and link else ""


def message_of(delivery: Delivery) -> channels.Message:
    text = delivery.body or delivery.title
    url = absolute_link(delivery.link)
    if delivery.link and not url:
        # No public address of the platform is configured: say where to look instead of
        # sending a link that cannot open outside the browser.
        text += f"\n\n请登录开门红平台查看（{delivery.link}）。"
    return channels.Message(title=delivery.title, text=text, link=url)


def _no_sleep(_seconds: float) -> None:
    """One try per job: the waits between tries are the queue's, not a sleeping worker's."""


def channel_for(config: ChannelConfig) -> channels.Channel:
    once = channels.RetryPolicy(attempts=1)
    timeout = float(getattr(settings, "NOTIFY_WEBHOOK_TIMEOUT", 10))
    now = clock.now
    if config.kind == ChannelKind.EMAIL:
        return channels.EmailChannel(
            smtp_config(), addresses_of(config.target), retry=once, sleep=_no_sleep, clock=now
        )
    if config.kind == ChannelKind.DINGTALK:
        return channels.DingTalkChannel(
            config.target,
            secret=config.secret,
            timeout=timeout,
            retry=once,
            sleep=_no_sleep,
            clock=now,
        )
    if config.kind == ChannelKind.WECOM:
        return channels.WeComChannel(
            config.target, timeout=timeout, retry=once, sleep=_no_sleep, clock=now
        )
    raise ValidationError(f"未知的通道类型“{config.kind}”。", field="kind")


def _attempt(delivery: Delivery) -> channels.DeliveryAttempt:
    try:
        result = channel_for(delivery.channel).send(message_of(delivery))
        return result.attempts[-1]
    except Exception as exc:
        # A channel that cannot even be built (SMTP not configured, a URL edited in the
        # database) is a failed attempt with its reason, never an exception in the worker.
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
        return channels.DeliveryAttempt(
            channel=delivery.channel.get_kind_display(),
            target=delivery.target_masked,
            attempt=1,
            at=clock.now(),
            status=channels.DeliveryStatus.FAILED,
            error=str(message),
        )


def _claim(delivery_id: int) -> bool:
    now = clock.now()
    return (
        Delivery.objects.filter(
            pk=delivery_id, status__in=[DeliveryState.PENDING, DeliveryState.FAILED]
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM_LEASE)
        == 1
    )


def delivery_send(*, delivery_id: int) -> str:
    """One try of one delivery (the queue job). Returns the delivery's status afterwards; a
    delivery already delivered, given up, or being sent by another worker is left alone."""
    if not _claim(delivery_id):
        return (
            Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first() or ""
        )
    delivery = Delivery.objects.select_related("channel").get(pk=delivery_id)
    outcome = _attempt(delivery)  # outside any transaction: a slow receiver holds no lock
    ok = outcome.status == channels.DeliveryStatus.SENT
    number = delivery.attempt_count + 1
    now = clock.now()
    error = _shorten(outcome.error, 400)
    changes: dict = {"attempt_count": number, "claimed_until": None}
    if ok:
        changes |= {
            "status": DeliveryState.DELIVERED,
            "next_attempt_at": None,
            "finished_at": now,
            "last_error": "",
        }
    elif number >= delivery.max_attempts:
        changes |= {
            "status": DeliveryState.GAVE_UP,
            "next_attempt_at": None,
            "finished_at": now,
            "last_error": _shorten(
                f"{number}次尝试均失败，已停止自动重试。最后一次：{error or '未知错误'}。"
                "消息已保留，可在投递记录中“立即重试”。",
                500,
            ),
        }
    else:
        wait = timedelta(seconds=RETRY.delay(number))
        changes |= {
            "status": DeliveryState.FAILED,
            "next_attempt_at": now + wait,
            "last_error": error or "未知错误",
        }
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            at=outcome.at,
            ok=ok,
            response_code=outcome.response_code,
            response_excerpt=_shorten(outcome.response_excerpt, 300),
            error=error,
        )
        Delivery.objects.filter(pk=delivery.pk).update(**changes)
    if not ok:
        log.warning(
            "notification delivery %s to %s failed (try %s/%s): %s",
            delivery.pk,
            delivery.target_masked,
            number,
            delivery.max_attempts,
            error,
        )
    return changes.get("status", delivery.status)


def _shorten(text: str, limit: int) -> str:
    return (text or "")[:limit]


def deliveries_send_due(*, limit: int = SWEEP_LIMIT) -> int:
    """Send every delivery whose time has come (the minute job): retries after their back-off,
    and first tries the queue never ran. Returns how many were tried."""
    now = clock.now()
    due = list(
        Delivery.objects.filter(
            status__in=[DeliveryState.PENDING, DeliveryState.FAILED], next_attempt_at__lte=now
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        delivery_send(delivery_id=pk)
    return len(due)
