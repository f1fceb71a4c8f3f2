"""Validation of a channel's target and secret (used by the office's services)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from kaimen.lib.errors import ValidationError
from kaimen.notifications import channels
from kaimen.notifications.delivery import addresses_of
from kaimen.notifications.models import ChannelKind

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
