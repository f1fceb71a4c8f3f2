"""Notifications: the one call other modules make, and the delivery engine behind it.

``notify(event, title=…, body=…, link=…, users=…, units=…, roles=…)`` writes one inbox message
per recipient in the caller's transaction (rolled back with it), and for every enabled external
channel the office subscribed to the event a ``Delivery`` row; after the caller commits, one
queue job per delivery sends it through the pure channels of ``kaimen.briefings.channels``.

A delivery is one attempt per job. A failed attempt is logged with its answer (HTTP status or
SMTP reply, an excerpt, the error) and the delivery waits for its next try on the back-off of
``RETRY``; the minute sweep (``deliveries_send_due``) sends whatever is due, including a
delivery whose queue message was lost. After ``max_attempts`` failures it has "given up", with
the reason in the log, and the office can retry it by hand. Nothing here raises into the caller:
the briefing, the figure or the ranking that caused the message is saved whatever the receiver
does. Network I/O never runs inside a database transaction, and a claim with a lease keeps two
workers from sending one message twice.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from kaimen.briefings import channels
from kaimen.briefings.models import (
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Notification,
    NotificationEvent,
)
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.org.models import ADMIN_ROLES, Membership, Role, User

log = logging.getLogger(__name__)

# One try a job; the waits between tries grow from a minute to an hour (1, 3, 9, 27 minutes):
# a robot that is down for a maintenance window still gets the Monday briefing that morning.
RETRY = channels.RetryPolicy(attempts=5, backoff_seconds=60, factor=3, max_backoff_seconds=3600)
CLAIM_LEASE = timedelta(minutes=5)
SWEEP_LIMIT = 50
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
    if event not in NotificationEvent.values:
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


def masked_target(channel: ChannelConfig) -> str:
    """What a page, a log line or an audit event may show of a channel's target."""
    return channel.masked_target


def addresses_of(target: str) -> list[str]:
    return list(dict.fromkeys(ChannelConfig(target=target).addresses))


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
    from kaimen.briefings.notify_tasks import delivery_send_task

    for pk in delivery_ids:
        delivery_send_task(pk)


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


# ---------------------------------------------------------------------------------------------
# Validation of a channel's target (used by the office's services)

_MAX_ADDRESSES = 50


def check_target(kind: str, target: str, secret: str) -> tuple[str, str]:
    """The cleaned target and secret of a channel, or a clear refusal. Robots: one http(s) URL
    with a host, no user name or password in it, with the robot's token parameter. E-mail: up
    to 50 addresses."""
    if kind not in ChannelKind.values:
        raise ValidationError(
            "请选择通道类型：邮件、钉钉群机器人或企业微信群机器人。", field="kind"
        )
    target = (target or "").strip()
    secret = (secret or "").strip()
    if kind == ChannelKind.EMAIL:
        if secret:
            raise ValidationError("邮件通道不使用加签密钥，请清空该项。", field="secret")
        return "\n".join(_check_addresses(target)), ""
    return _check_webhook(kind, target), _check_secret(kind, secret)


def _check_addresses(target: str) -> list[str]:
    addresses = addresses_of(target)
    if not addresses:
        raise ValidationError("请填写至少一个收件邮箱，每行一个。", field="target")
    if len(addresses) > _MAX_ADDRESSES:
        raise ValidationError(
            f"收件邮箱最多{_MAX_ADDRESSES}个，现有{len(addresses)}个：请改用单位的群组邮箱。",
            field="target",
        )
    for address in addresses:
        try:
            validate_email(address)
        except DjangoValidationError as exc:
            raise ValidationError(
                f"邮箱地址“{address[:80]}”格式不正确，请检查后重新填写（每行一个）。",
                field="target",
            ) from exc
    return addresses


_TOKEN_PARAM = {ChannelKind.DINGTALK: "access_token", ChannelKind.WECOM: "key"}


def _check_webhook(kind: str, url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    name = ChannelKind(kind).label
    how = "请在群设置的“机器人”管理中复制完整的Webhook地址。"
    if not url:
        raise ValidationError(f"请填写{name}的Webhook地址。{how}", field="target")
    if len(url) > 1000 or any(ch.isspace() for ch in url):
        raise ValidationError(f"Webhook地址中不能有空格或换行。{how}", field="target")
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise ValidationError(
            f"Webhook地址“{channels.mask_url(url)[:120]}”无法解析。{how}", field="target"
        ) from exc
    del port
    if parts.scheme not in ("https", "http"):
        raise ValidationError(
            f"Webhook地址应以 https:// 开头（内网代理可用 http://）。{how}", field="target"
        )
    if not hostname:
        raise ValidationError(f"Webhook地址缺少服务器地址。{how}", field="target")
    if parts.username or parts.password:
        raise ValidationError(
            "Webhook地址中不能包含用户名或密码（“用户名:密码@”部分）：请删除后再保存。",
            field="target",
        )
    if parts.fragment:
        raise ValidationError(f"Webhook地址不能带“#”片段。{how}", field="target")
    param = _TOKEN_PARAM[ChannelKind(kind)]
    if not parse_qs(parts.query).get(param):
        raise ValidationError(
            f"{name}的Webhook地址应带有 {param}= 参数（机器人令牌）。{how}", field="target"
        )
    return url


def _check_secret(kind: str, secret: str) -> str:
    if not secret:
        return ""
    if kind != ChannelKind.DINGTALK:
        raise ValidationError(
            "只有钉钉机器人使用加签密钥；企业微信机器人的令牌已包含在Webhook地址中。",
            field="secret",
        )
    if (
        len(secret) > 200
        or not secret.isascii()
        or any(not ch.isprintable() or ch.isspace() for ch in secret)
    ):
        raise ValidationError(
            "加签密钥格式不正确：应为钉钉机器人“安全设置—加签”中显示的一串字母数字（通常以SEC开头）。",
            field="secret",
        )
    return secret
