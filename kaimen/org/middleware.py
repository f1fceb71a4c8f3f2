"""Session rules of 等保三级: idle timeout, absolute session cap, forced and periodic password
change, and the second factor for administrators and the campaign office."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kaimen.audit.services import record
from kaimen.lib import clock
from kaimen.org import scope

_LAST_SEEN = "kaimen_last_seen"
_STARTED = "kaimen_started"
# The last-seen time is written back at most this often (seconds): a page view that only
# reads then writes no session row, and the idle timeout ends at most this much early.
LAST_SEEN_EVERY = 60
# The audit note of an automatic sign-out, in the auditor's language.
IDLE_NOTE = "空闲超时，自动退出"
CAP_NOTE = "达到会话最长时限，自动退出"


def password_expired(user) -> bool:
    if user.must_change_password or user.password_changed_at is None:
        return True
    max_age = settings.PASSWORD_MAX_AGE_DAYS
    if max_age <= 0:
        return False
    return clock.now() - user.password_changed_at > timedelta(days=max_age)


class SessionPolicyMiddleware:
    open_paths = ("/static/", "/i18n/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.open_paths):
            return self.get_response(request)
        now = clock.now().timestamp()
        last_seen = request.session.get(_LAST_SEEN)
        started = request.session.setdefault(_STARTED, now)
        idle = last_seen is not None and now - last_seen > settings.IDLE_TIMEOUT.total_seconds()
        too_long = now - started > settings.SESSION_ABSOLUTE_LIMIT.total_seconds()
        if idle or too_long:
            record(
                actor=user, action="auth.logout", obj=user, message=IDLE_NOTE if idle else CAP_NOTE
            )
            logout(request)
            messages.info(
                request,
                _("You were signed out after %(n)d minutes without activity.")
                % {"n": int(settings.IDLE_TIMEOUT.total_seconds() // 60)}
                if idle
                else _("Your session reached its time limit; please sign in again."),
            )
            return redirect(
                f"{reverse('org:login')}?{urlencode({'next': request.get_full_path()})}"
            )
        if last_seen is None or now - last_seen >= LAST_SEEN_EVERY:
            request.session[_LAST_SEEN] = now

        if request.path.startswith("/api/"):
            # The API answers 401 itself (see kaimen.org.api_auth.KaimenSession) instead of redirecting.
            return self.get_response(request)
        logout_path = reverse("org:logout")
        otp_path = reverse("org:otp")
        if request.path in (logout_path,):
            return self.get_response(request)
        if scope.requires_second_factor(user) and not user.is_verified():
            if request.path != otp_path:
                return redirect(f"{otp_path}?{urlencode({'next': request.get_full_path()})}")
            return self.get_response(request)
        change_path = reverse("org:password_change")
        if password_expired(user) and request.path != change_path:
            return redirect(change_path)
        return self.get_response(request)
