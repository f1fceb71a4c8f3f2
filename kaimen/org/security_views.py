"""The security administrator's page: the policy in force and the accounts locked out now."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaimen.lib import clock
from kaimen.org import scope, services
from kaimen.org.scope import Perm


@login_required
def security_home(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.MANAGE_SECURITY)
    since = clock.now() - settings.AXES_COOLOFF_TIME
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")[:200]
    policy = [
        (_("Minimum password length"), "8"),
        (_("Character classes required"), "3 / 4"),
        (_("Password maximum age (days)"), settings.PASSWORD_MAX_AGE_DAYS or _("off")),
        (_("Failed sign-ins before lockout"), settings.AXES_FAILURE_LIMIT),
        (_("Lockout (minutes)"), int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)),
        (_("Idle timeout (minutes)"), int(settings.IDLE_TIMEOUT.total_seconds() // 60)),
        (_("Session limit (hours)"), int(settings.SESSION_ABSOLUTE_LIMIT.total_seconds() // 3600)),
        (_("Idle accounts disabled after (days)"), settings.IDLE_ACCOUNT_DAYS or _("off")),
        (_("Roles that need a second factor"), ", ".join(settings.OTP_REQUIRED_ROLES)),
        (_("Audit retention (months)"), settings.AUDIT_RETENTION_MONTHS),
    ]
    return render(request, "org/security.html", {"locked": locked, "policy": policy})


@login_required
@require_POST
def security_unlock(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "")
    services.lockout_clear(actor=request.user, username=username)
    messages.success(request, _("Unlocked %(name)s.") % {"name": username})
    return redirect("org:security")
