"""Notification channels: in-app, e-mail (SMTP), DingTalk and WeCom group robots.

Government offices run on DingTalk (政务钉钉) and WeCom group chats, so the briefing and the
alerts go there as well as into the platform. A receiver that is down, slow, or answers
nonsense must never lose a briefing: every attempt is a ``DeliveryAttempt`` in the delivery log
(status, response code, an excerpt of the body, the error), failures are retried a bounded
number of times with exponential backoff, and ``send`` never raises — the caller stores the
``Delivery`` and can retry later from it.

Standard library only (urllib, smtplib). The sleep between retries and the clock are injected,
so tests run without sleeping. Proxies are explicit (``proxy=``), never taken from the
environment: an intranet server's ``http_proxy`` may not be the way to the robots.

Formats, as the vendors document them:

- DingTalk custom robot: POST JSON ``{"msgtype": "markdown", "markdown": {"title", "text"}}``
  to ``https://oapi.dingtalk.com/robot/send?access_token=…``; with 加签 security, add
  ``timestamp`` (ms) and ``sign`` = urlencode(base64(HMAC-SHA256(key=secret,
  msg=f"{timestamp}\\n{secret}"))). The answer is ``{"errcode": 0, "errmsg": "ok"}``; any other
  errcode is a failure even with HTTP 200.
- WeCom group robot: POST JSON ``{"msgtype": "markdown", "markdown": {"content"}}`` to
  ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``; markdown content at most 4096
  bytes of UTF-8; the same errcode convention.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time as time_module
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from typing import Any, Protocol

from kaimen.lib.errors import ValidationError

Sleep = Callable[[float], None]
Clock = Callable[[], datetime]

EXCERPT_CHARS = 300
MAX_RESPONSE_BYTES = 64 * 1024
DINGTALK_MAX_BYTES = 18000  # DingTalk's limit is about 20,000 bytes; keep a margin
WECOM_MAX_BYTES = 4096
_TRUNCATED = "\n\n……（内容过长已截断，完整内容请登录平台查看）"
_SECRET_PARAMS = {"access_token", "key", "sign", "secret", "token"}


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


class DeliveryStatus(StrEnum):
    SENT = "sent"  # the receiver accepted it
    STORED = "stored"  # in-app: a record for the caller to store
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            DeliveryStatus.SENT: "已送达",
            DeliveryStatus.STORED: "已存入站内消息",
            DeliveryStatus.FAILED: "失败",
        }[self]


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime: str = "application/octet-stream"


@dataclass(frozen=True)
class Message:
    title: str
    text: str  # plain text; robots get it as markdown paragraphs
    link: str = ""
    attachments: tuple[Attachment, ...] = ()  # e-mail only; robots get the link


@dataclass(frozen=True)
class DeliveryAttempt:
    channel: str
    target: str  # secrets masked
    attempt: int
    at: datetime
    status: DeliveryStatus
    response_code: int | None = None
    response_excerpt: str = ""
    error: str = ""


@dataclass(frozen=True)
class InAppRecord:
    recipient: str
    title: str
    text: str
    link: str
    created_at: datetime


@dataclass(frozen=True)
class Delivery:
    channel: str
    target: str
    delivered: bool
    attempts: tuple[DeliveryAttempt, ...]
    records: tuple[InAppRecord, ...] = ()

    @property
    def summary(self) -> str:
        n = len(self.attempts)
        if self.delivered:
            return f"{self.channel}：第{n}次尝试送达（{self.target}）。"
        last = self.attempts[-1].error if self.attempts else "未尝试"
        return f"{self.channel}：{n}次尝试均失败（{self.target}），最后一次：{last}。消息已保留，可稍后重发。"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    backoff_seconds: float = 2.0
    factor: float = 2.0
    max_backoff_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValidationError("重试次数至少为1。", field="attempts")
        if self.backoff_seconds < 0 or self.factor < 1:
            raise ValidationError("重试间隔不能为负，增长倍数不能小于1。", field="backoff")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.max_backoff_seconds, self.backoff_seconds * self.factor ** (attempt - 1))


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> Delivery: ...


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    code: int | None = None
    excerpt: str = ""
    error: str = ""


def _excerpt(body: bytes) -> str:
    return body[: EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def mask_url(url: str) -> str:
    """The URL with token-like query values masked, for logs: robots' tokens are credentials."""
    parts = urllib.parse.urlsplit(url)
    query = []
    for name, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in _SECRET_PARAMS and value:
            value = value[:4] + "****"
        query.append((name, value))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query, safe="*")))


def _deliver(
    *,
    channel: str,
    target: str,
    attempt: Callable[[], _Outcome],
    retry: RetryPolicy,
    sleep: Sleep,
    clock: Clock,
) -> Delivery:
    attempts: list[DeliveryAttempt] = []
    for n in range(1, retry.attempts + 1):
        at = clock()
        try:
            outcome = attempt()
        except Exception as exc:
            # Whatever goes wrong on the wire is a failed attempt in the log, never an
            # exception that loses the message.
            outcome = _Outcome(False, error=f"{type(exc).__name__}: {exc}")
        attempts.append(
            DeliveryAttempt(
                channel=channel,
                target=target,
                attempt=n,
                at=at,
                status=DeliveryStatus.SENT if outcome.ok else DeliveryStatus.FAILED,
                response_code=outcome.code,
                response_excerpt=outcome.excerpt,
                error=outcome.error,
            )
        )
        if outcome.ok:
            return Delivery(channel, target, True, tuple(attempts))
        if n < retry.attempts:
            sleep(retry.delay(n))
    return Delivery(channel, target, False, tuple(attempts))


# ---------------------------------------------------------------------------------------------
# In-app


class InAppChannel:
    """Returns one record per recipient for the caller to store; nothing can fail on the wire."""

    name = "站内消息"

    def __init__(self, recipients: Sequence[str], *, clock: Clock = _utc_now) -> None:
        self.recipients = tuple(recipients)
        self.clock = clock

    def send(self, message: Message) -> Delivery:
        now = self.clock()
        records = tuple(
            InAppRecord(r, message.title, message.text, message.link, now) for r in self.recipients
        )
        attempt = DeliveryAttempt(
            channel=self.name,
            target=f"{len(records)}位用户",
            attempt=1,
            at=now,
            status=DeliveryStatus.STORED,
        )
        return Delivery(self.name, attempt.target, True, (attempt,), records)


# ---------------------------------------------------------------------------------------------
# E-mail


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    sender: str
    port: int = 25
    username: str = ""
    password: str = field(default="", repr=False)
    starttls: bool = False
    ssl: bool = False  # implicit TLS (port 465)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        if not self.host or "@" not in self.sender:
            raise ValidationError(
                "邮件通道需要SMTP服务器地址和有效的发件人地址。", field="smtp_host"
            )
        if self.starttls and self.ssl:
            raise ValidationError("STARTTLS 和 SSL 只能选一种。", field="smtp_ssl")


class EmailChannel:
    name = "邮件"

    def __init__(
        self,
        config: SmtpConfig,
        recipients: Sequence[str],
        *,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time_module.sleep,
        clock: Clock = _utc_now,
    ) -> None:
        if not recipients:
            raise ValidationError("邮件通道至少需要一个收件人。", field="recipients")
        self.config = config
        self.recipients = tuple(recipients)
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock

    def build(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.title
        mail["From"] = self.config.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Date"] = format_datetime(self.clock())
        # Give make_msgid the domain: without it, it asks DNS for this host's FQDN.
        mail["Message-ID"] = make_msgid(domain=self.config.sender.rsplit("@", 1)[1])
        body = message.text + (f"\n\n详情：{message.link}" if message.link else "")
        mail.set_content(body, charset="utf-8")
        for a in message.attachments:
            maintype, _, subtype = a.mime.partition("/")
            mail.add_attachment(
                a.content,
                maintype=maintype or "application",
                subtype=subtype or "octet-stream",
                filename=a.filename,
            )
        return mail

    def _attempt(self, mail: EmailMessage) -> _Outcome:
        c = self.config
        try:
            smtp: smtplib.SMTP
            if c.ssl:
                smtp = smtplib.SMTP_SSL(
                    c.host, c.port, timeout=c.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            with smtp:
                if c.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if c.username:
                    smtp.login(c.username, c.password)
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            listed = "；".join(
                f"{addr}：{code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()
            )
            return _Outcome(False, error=f"所有收件人均被拒收：{listed}")
        except smtplib.SMTPResponseException as exc:
            return _Outcome(
                False,
                code=exc.smtp_code,
                excerpt=_text(exc.smtp_error)[:EXCERPT_CHARS],
                error=f"SMTP服务器拒绝：{exc.smtp_code} {_text(exc.smtp_error)[:120]}",
            )
        except TimeoutError:
            return _Outcome(False, error=f"连接SMTP服务器超时（{c.timeout}秒）")
        except (smtplib.SMTPException, OSError) as exc:
            if "timed out" in str(exc):
                # smtplib reports a read timeout as SMTPServerDisconnected("... timed out").
                return _Outcome(False, error=f"等待SMTP服务器响应超时（{c.timeout}秒）")
            return _Outcome(False, error=f"{type(exc).__name__}: {exc}")
        if refused:
            listed = "；".join(f"{addr}：{code}" for addr, (code, _msg) in refused.items())
            # Delivered to the others: retrying would send them a second copy.
            return _Outcome(True, code=250, excerpt=f"部分收件人被拒收：{listed}")
        return _Outcome(True, code=250, excerpt="服务器已接收")

    def send(self, message: Message) -> Delivery:
        target = f"{self.config.host}:{self.config.port} → {', '.join(self.recipients)}"
        try:
            mail = self.build(message)
        except Exception as exc:
            # Even a message that cannot be put together is logged, not raised.
            attempt = DeliveryAttempt(
                self.name,
                target,
                1,
                self.clock(),
                DeliveryStatus.FAILED,
                error=f"邮件内容无法生成：{exc}",
            )
            return Delivery(self.name, target, False, (attempt,))
        return _deliver(
            channel=self.name,
            target=target,
            attempt=lambda: self._attempt(mail),
            retry=self.retry,
            sleep=self.sleep,
            clock=self.clock,
        )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)


# ---------------------------------------------------------------------------------------------
# Group-robot webhooks


def _check_webhook(url: str, field_name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError(
            f"机器人Webhook地址“{mask_url(url)}”无效：应以 https:// 开头，"
            "请从群设置的机器人管理中复制完整地址。",
            field=field_name,
        )
    return url


def _truncate_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    room = limit - len(_TRUNCATED.encode("utf-8"))
    return data[:room].decode("utf-8", errors="ignore") + _TRUNCATED


class _Webhook:
    name = "webhook"
    max_bytes = WECOM_MAX_BYTES

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time_module.sleep,
        clock: Clock = _utc_now,
        proxy: str | None = None,
    ) -> None:
        self.url = _check_webhook(url, "webhook_url")
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {})
        ]
        self._opener = urllib.request.build_opener(*handlers)

    def payload(self, message: Message) -> dict[str, Any]:
        raise NotImplementedError

    def request_url(self) -> str:
        return self.url

    def _markdown(self, message: Message) -> str:
        text = f"### {message.title}\n\n" + message.text.replace("\n", "\n\n")
        if message.link:
            text += f"\n\n[查看详情]({message.link})"
        return _truncate_bytes(text, self.max_bytes)

    def _attempt(self, body: bytes) -> _Outcome:
        # The scheme was checked to be http(s) when the channel was configured (_check_webhook).
        request = urllib.request.Request(  # noqa: S310
            self.request_url(),
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                code, raw = response.status, response.read(MAX_RESPONSE_BYTES)
        except urllib.error.HTTPError as exc:
            raw = exc.read(MAX_RESPONSE_BYTES) if exc.fp else b""
            return _Outcome(False, exc.code, _excerpt(raw), f"HTTP {exc.code} {exc.reason}")
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                return _Outcome(False, error=f"连接超时（{self.timeout}秒）")
            return _Outcome(False, error=f"无法连接：{exc.reason}")
        except TimeoutError:
            return _Outcome(False, error=f"等待响应超时（{self.timeout}秒）")
        excerpt = _excerpt(raw)
        if code != 200:
            return _Outcome(False, code, excerpt, f"HTTP {code}")
        try:
            answer = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _Outcome(False, code, excerpt, "返回内容不是JSON，接收方可能不是机器人接口")
        if not isinstance(answer, dict) or "errcode" not in answer:
            return _Outcome(False, code, excerpt, "返回的JSON没有errcode，接收方可能不是机器人接口")
        if answer.get("errcode") != 0:
            return _Outcome(
                False,
                code,
                excerpt,
                f"机器人返回错误：errcode={answer.get('errcode')} {answer.get('errmsg', '')}",
            )
        return _Outcome(True, code, excerpt)

    def send(self, message: Message) -> Delivery:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        return _deliver(
            channel=self.name,
            target=mask_url(self.url),
            attempt=lambda: self._attempt(body),
            retry=self.retry,
            sleep=self.sleep,
            clock=self.clock,
        )


class DingTalkChannel(_Webhook):
    name = "钉钉群机器人"
    max_bytes = DINGTALK_MAX_BYTES

    def __init__(
        self,
        url: str,
        *,
        secret: str = "",
        at_mobiles: Sequence[str] = (),
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Sleep = time_module.sleep,
        clock: Clock = _utc_now,
        proxy: str | None = None,
    ) -> None:
        super().__init__(url, timeout=timeout, retry=retry, sleep=sleep, clock=clock, proxy=proxy)
        self.secret = secret
        self.at_mobiles = tuple(at_mobiles)

    def payload(self, message: Message) -> dict[str, Any]:
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": self._markdown(message)},
            "at": {"atMobiles": list(self.at_mobiles), "isAtAll": False},
        }

    def request_url(self) -> str:
        if not self.secret:
            return self.url
        # A fresh timestamp per attempt: DingTalk refuses a signature older than an hour.
        timestamp = str(int(self.clock().timestamp() * 1000))
        sign = dingtalk_sign(self.secret, timestamp)
        separator = "&" if urllib.parse.urlsplit(self.url).query else "?"
        return f"{self.url}{separator}timestamp={timestamp}&sign={sign}"


def dingtalk_sign(secret: str, timestamp: str) -> str:
    """DingTalk 加签: urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))."""
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class WeComChannel(_Webhook):
    name = "企业微信群机器人"
    max_bytes = WECOM_MAX_BYTES

    def payload(self, message: Message) -> dict[str, Any]:
        return {"msgtype": "markdown", "markdown": {"content": self._markdown(message)}}


def broadcast(message: Message, channels: Sequence[Channel]) -> tuple[Delivery, ...]:
    """Send through every channel; one failing channel does not stop the others."""
    return tuple(channel.send(message) for channel in channels)
