from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaimen.lib.contracts import home
from kaimen.org.selectors import primary_unit


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    from kaimen.core.landing import HOME, landing_url_name

    landing = landing_url_name(request.user)
    if landing != HOME:
        return redirect(landing)
    context = {
        "unit": primary_unit(request.user),
        "panels": home.panels_for(request),
    }
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    from kaimen.audit.models import Outcome
    from kaimen.audit.services import record

    user = (
        request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    )
    record(actor=user, action="security.csrf", outcome=Outcome.DENIED, message=reason[:300])
    return render(
        request,
        "core/error.html",
        {
            "title": _("The form has expired"),
            "detail": _(
                "The page was open too long or was submitted from elsewhere. Go back, reload "
                "the page and submit it again."
            ),
        },
        status=403,
    )


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Not found"),
            "detail": _("The page or record does not exist, or you may not see it."),
        },
        status=404,
    )


def error_500(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "title": _("Something went wrong"),
            "detail": _("The error was logged. Try again, or tell the campaign office."),
        },
        status=500,
    )
