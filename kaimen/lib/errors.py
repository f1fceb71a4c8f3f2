"""One family of exceptions for rule violations, each with a message a user can act on.

Views turn them into a form error, a 400/403/404 page or an API error; they never become a 500.
"""

from __future__ import annotations

from typing import Any


class KaimenError(Exception):
    default_message = "操作未完成。"
    default_code = "error"

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        code: str | None = None,
        target: Any = None,
    ) -> None:
        self.message = str(message or self.default_message)
        self.field = field
        self.code = code or self.default_code
        self.target = target
        super().__init__(self.message)


class ValidationError(KaimenError):
    default_message = "输入有误,请检查后重试。"
    default_code = "invalid"


class PermissionDenied(KaimenError):
    default_message = "您没有执行此操作的权限。"
    default_code = "forbidden"


class NotFound(KaimenError):
    default_message = "未找到该记录,或您无权查看。"
    default_code = "not_found"


class StaleVersion(KaimenError):
    default_message = "该记录已被他人修改,请刷新页面查看最新内容后再保存。"
    default_code = "stale"
