"""The leader dashboard's page (驾驶舱): one selector, one template over the registered panels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kaimen.dashboard.selectors import dashboard_for_user


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


@login_required
@require_GET
@never_cache  # figures of the day on shared office screens: never from a browser's cache
def dashboard(request: HttpRequest) -> HttpResponse:
    data = dashboard_for_user(user=request.user, campaign_id=_int(request.GET.get("campaign")))
    return render(request, "dashboard/dashboard.html", {"dash": data})
