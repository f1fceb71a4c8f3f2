"""The JSON API (django-ninja): session auth for the UI's own calls, bearer tokens for
integrations. Schema at /api/openapi.json; each app registers its router
(``kaimen/<app>/api.py``) with ``kaimen.lib.contracts.api`` from its ``AppConfig.ready()``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kaimen.lib import errors
from kaimen.lib.contracts import api as api_routers
from kaimen.org.api_auth import KaimenSession, KaimenToken

api = NinjaAPI(
    title="Kaimen API",
    version="1",
    urls_namespace="api",
    auth=[KaimenSession(), KaimenToken()],
    docs_url=None,  # the docs page loads its scripts from a CDN; the schema is enough here
)


@api.exception_handler(errors.KaimenError)
def kaimen_error(request: HttpRequest, exc: errors.KaimenError):
    status = {
        errors.PermissionDenied: 403,
        errors.NotFound: 404,
        errors.StaleVersion: 409,
    }.get(type(exc), 400)
    if isinstance(exc, errors.PermissionDenied):
        from kaimen.audit.models import Outcome
        from kaimen.audit.services import record

        user = request.user if request.user.is_authenticated else None
        record(
            actor=user,
            action="permission.denied",
            outcome=Outcome.DENIED,
            message=f"{exc.code} {request.method} {request.path}"[:300],
        )
    return api.create_response(
        request, {"code": exc.code, "message": exc.message, "field": exc.field}, status=status
    )


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError):
    problems = []
    for error in exc.errors:
        where = ".".join(str(part) for part in error.get("loc", ()))
        problems.append(f"{where}: {error.get('msg', '')}")
    first = exc.errors[0].get("loc", ()) if exc.errors else ()
    message = "请求参数有误,请按接口说明更正后重试:" + ";".join(problems)
    return api.create_response(
        request,
        {"code": "invalid", "message": message[:1000], "field": str(first[-1]) if first else None},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    """django-ninja's own refusals (a body that is not JSON, a session POST without its CSRF
    token) in the API's error shape, with a message that says how to fix the request."""
    if exc.status_code == 400:
        code, message = (
            "unparsable",
            "请求体无法解析:请发送合法的 JSON,并设置 Content-Type: application/json。",
        )
    elif exc.status_code == 403:
        code = "csrf_failed"
        message = (
            "CSRF 校验失败:浏览器会话发起的修改请求须带 X-CSRFToken 头;系统集成请使用 Bearer 令牌。"
        )
    else:
        code, message = "error", str(exc)
    return api.create_response(
        request, {"code": code, "message": message, "field": None}, status=exc.status_code
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {
            "code": "unauthenticated",
            "message": "未登录或令牌无效:请登录,或在 Authorization 头中提供有效的 Bearer 令牌。",
            "field": None,
        },
        status=401,
    )


# Each app registered its router from its AppConfig.ready() (kaimen.lib.contracts.api).
for entry in api_routers.routers():
    api.add_router(
        entry.prefix, entry.router, tags=list(entry.tags) if entry.tags is not None else None
    )
