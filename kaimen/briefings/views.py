from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kaimen.briefings import selectors, services
from kaimen.ledger.selectors import campaign_list_for_user
from kaimen.lib import clock
from kaimen.lib.errors import KaimenError
from kaimen.org import scope
from kaimen.org.scope import Perm

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def briefing_list(request: HttpRequest) -> HttpResponse:
    briefings = selectors.briefing_list_for_user(user=request.user)
    can_build = scope.can(request.user, Perm.BRIEFING_BUILD)
    campaigns = campaign_list_for_user(user=request.user) if can_build else []
    return render(
        request,
        "briefings/briefing_list.html",
        {"briefings": briefings[:100], "can_build": can_build, "campaigns": campaigns},
    )


@login_required
@require_POST
def briefing_build(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.BRIEFING_BUILD)
    campaigns = campaign_list_for_user(user=request.user)
    campaign = campaigns.filter(pk=request.POST.get("campaign") or 0).first()
    try:
        briefing = services.briefing_build(
            actor=request.user, campaign=campaign, year=None if campaign else _year(request)
        )
    except KaimenError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Briefing %(label)s built.") % {"label": briefing.label})
        if briefing.chart_note:
            messages.warning(request, briefing.chart_note)
    return redirect("briefings:briefing_list")


@login_required
@require_POST
def briefing_issue(request: HttpRequest, briefing_id: int) -> HttpResponse:
    scope.require(request.user, Perm.BRIEFING_BUILD)
    try:
        briefing = services.briefing_issue(actor=request.user, briefing_id=briefing_id)
    except KaimenError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Briefing %(label)s issued.") % {"label": briefing.label})
    return redirect("briefings:briefing_list")


def _year(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("year", ""))
    except ValueError:
        return clock.today().year


@login_required
@require_GET
def briefing_download(request: HttpRequest, briefing_id: int, kind: str) -> HttpResponse:
    if kind not in CONTENT_TYPES:
        raise Http404
    briefing = selectors.briefing_get_for_user(user=request.user, briefing_id=briefing_id)
    name = briefing.docx_name if kind == "docx" else briefing.xlsx_name
    try:
        handle = services.path_of(name).open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    suffix = "" if kind == "docx" else "附表"
    # RFC 6266 Content-Disposition (Django writes filename* for the Chinese name), nosniff, and
    # no caching of a business document on shared office computers.
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"调度通报{briefing.label}{suffix}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
