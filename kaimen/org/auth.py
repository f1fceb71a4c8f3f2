"""Sign-in, sign-out, password change and the second factor (TOTP).

The login form is ours rather than Django's so every outcome — success, wrong password,
lockout — writes exactly one audit event, and so the lockout is keyed by the user name.
"""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaimen.audit.models import Outcome
from kaimen.audit.services import record
from kaimen.lib.errors import ValidationError
from kaimen.org import services
from kaimen.org.forms import LoginForm, OTPForm, PasswordChangeForm
from kaimen.org.models import User


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """Lockout key: the user name, case-folded (user names are case-insensitive)."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(raw).strip().lower()[:150]


def lockout_response(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = LoginForm(initial={"username": request.POST.get("username", "")})
    # An unbound form has no cleaned_data, and add_error() needs one; a bound form would add
    # "this field is required" for the password instead.
    form.cleaned_data = {}
    form.add_error(
        None,
        _(
            "This account is locked for %(minutes)d minutes after %(n)d failed sign-ins. "
            "Wait, or ask the security administrator to unlock it."
        )
        % {"minutes": minutes, "n": settings.AXES_FAILURE_LIMIT},
    )
    return render(request, "org/login.html", {"form": form}, status=403)


def _safe_next(request: HttpRequest, default: str = "core:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    from django.urls import reverse

    return reverse(default)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user = authenticate(request, username=username, password=form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            record(actor=user, action="auth.login", obj=user)
            return redirect(_safe_next(request))
        known = User.objects.filter(username__iexact=username).first()
        if getattr(request, "axes_locked_out", False):
            record(
                actor=known,
                actor_name=username,
                action="auth.lockout",
                outcome=Outcome.DENIED,
                obj=known,
                message="多次登录失败，账号已锁定",
            )
            return lockout_response(request)
        record(
            actor=known,
            actor_name=username,
            action="auth.login",
            outcome=Outcome.FAILURE,
            obj=known,
            message="用户名或密码错误",
        )
        form.add_error(None, _("Wrong user name or password."))
    return render(request, "org/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(actor=request.user, action="auth.logout", obj=request.user)
    logout(request)  # flushes the session: nothing of it survives on the server
    messages.info(request, _("You have signed out."))
    return redirect("org:login")


@sensitive_post_parameters("old_password", "new_password", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("org:login")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("core:home")
    return render(request, "org/password_change.html", {"form": form})


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=4)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@never_cache
@require_http_methods(["GET", "POST"])
def otp_view(request: HttpRequest) -> HttpResponse:
    """Verify a TOTP code; enrol a device first if the user has none confirmed."""
    user = request.user
    if not user.is_authenticated:
        return redirect("org:login")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Kaimen", confirmed=False)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
                device.confirmed = True
                record(actor=user, action="otp.enroll", obj=user)
            otp_login(request, device)
            record(actor=user, action="otp.verify", obj=user)
            return redirect(_safe_next(request))
        record(
            actor=user,
            action="otp.verify",
            outcome=Outcome.FAILURE,
            obj=user,
            message="动态口令错误或已用过",
        )
        form.add_error(
            "token", _("The code is wrong or has already been used. Enter the current code.")
        )
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode("ascii")
    return render(request, "org/otp.html", context)
