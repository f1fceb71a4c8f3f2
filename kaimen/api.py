"""The JSON API (django-ninja): session auth for the UI's own calls, bearer tokens for
integrations. Schema at /api/openapi.json; each app adds its router in ``kaimen/<app>/api.py``."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import LimitOffsetPagination
from ninja.security import APIKeyCookie, HttpBearer

from kaimen.lib import errors


class KaimenSession(APIKeyCookie):
    """The signed-in browser session, only once it has passed the second factor and has no
    password change pending (the same rules the pages enforce)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None):
        from kaimen.org import scope
        from kaimen.org.middleware import password_expired

        user = request.user
        if not user.is_authenticated or password_expired(user):
            return None
        if scope.requires_second_factor(user) and not user.is_verified():
            return None
        return user


class KaimenToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        from kaimen.org.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class Pagination(LimitOffsetPagination):
    """Limit/offset with bounds: an offset beyond 64 bits once reached SQLite as a 500."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=200)
        offset: int = Field(0, ge=0, le=10_000_000)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


# Every operation documents the refusals it can answer with, so clients (and the schema fuzzer)
# know them: ``response={200: UnitOut, **ERRORS}``.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


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


api.add_router("/v1/org/", "kaimen.org.api.router")
api.add_router("/v1/ledger/", "kaimen.ledger.api.router")
api.add_router("/v1/targets/", "kaimen.targets.api.router")
api.add_router("/v1/evaluation/", "kaimen.evaluation.api.router")
api.add_router("/v1/accountability/", "kaimen.accountability.api.router")
