"""Who is asking, from where: set once per request, read by the audit trail."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip: str | None = None
    user_agent: str = ""
    path: str = ""


_NOBODY = RequestInfo()
_current: ContextVar[RequestInfo | None] = ContextVar("kaimen_request", default=None)


def current() -> RequestInfo:
    return _current.get() or _NOBODY


def set_current(info: RequestInfo):
    return _current.set(info)


def reset(token) -> None:
    _current.reset(token)
