from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kaimen.lib import request_context


def client_ip(request: HttpRequest) -> str | None:
    # Behind the reverse proxy the proxy sets X-Real-IP; trust it only when HTTPS mode says a
    # proxy is there, never from a client talking to us directly.
    from django.conf import settings

    if getattr(settings, "HTTPS", False):
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded[:45]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_context.set_current(
            request_context.RequestInfo(
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
                path=request.path[:300],
            )
        )
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)


class KaimenErrorMiddleware:
    """Turn rule violations raised anywhere below a view into a clear page, never a 500.

    A refused permission is audited here, after the view's transaction has rolled back, so the
    refusal itself is never lost with the work it refused.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        from kaimen.lib import errors

        if not isinstance(exception, errors.KaimenError):
            return None
        status, title = {
            errors.PermissionDenied: (403, _("Not permitted")),
            errors.NotFound: (404, _("Not found")),
            errors.StaleVersion: (409, _("Changed by someone else")),
        }.get(type(exception), (400, _("Please check your input")))
        if isinstance(exception, errors.PermissionDenied):
            from kaimen.audit.models import Outcome
            from kaimen.audit.services import record

            user = request.user if request.user.is_authenticated else None
            target = exception.target if hasattr(exception.target, "_meta") else None
            record(
                actor=user,
                action="permission.denied",
                outcome=Outcome.DENIED,
                obj=target,
                message=f"{exception.code} {request.method} {request.path}"[:300],
            )
        context = {"title": title, "detail": exception.message}
        template = (
            "core/_error_fragment.html" if getattr(request, "htmx", False) else "core/error.html"
        )
        return render(request, template, context, status=status)


class RejectControlCharactersMiddleware:
    """Refuse NUL bytes in query strings and form fields at the door.

    PostgreSQL text cannot hold NUL (it would be a 500 deep inside a query) and no user types
    one; a clear 400 here is better than checking every field of every form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.http.multipartparser import MultiPartParserError

        try:
            refused = "\x00" in request.path or self._has_nul(request)
        except MultiPartParserError:
            # A multipart body without a usable boundary: a clear 400 in the API's own shape,
            # not Django's bare HTML one.
            return self._refuse(
                request,
                "请求体无法解析(multipart 格式有误):请检查 Content-Type 与请求体是否一致后重试。",
            )
        if refused:
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "%00" in request.META.get("QUERY_STRING", "").lower():
            return True
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            for key, values in request.POST.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return True
        return False

    @staticmethod
    def _refuse(request: HttpRequest, message: str = "") -> HttpResponse:
        from django.http import JsonResponse
        from django.shortcuts import render

        message = message or "请求中含有空字符(NUL),无法处理:请删除输入中的不可见字符后重试。"
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "invalid", "message": message, "field": None}, status=400)
        return render(
            request, "core/error.html", {"title": "输入有误", "detail": message}, status=400
        )
