"""The office's page for the working-day calendar: the State Council publishes next year's
holidays and 调休 workdays each November, usually before the package carries them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from kaimen.core import services
from kaimen.core.models import CalendarYear, WorkdayOverride
from kaimen.lib import clock, flash, official_calendar
from kaimen.lib.errors import ValidationError
from kaimen.lib.forms import DateInput
from kaimen.org import scope
from kaimen.org.scope import Perm


class OverrideForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("Date"), widget=DateInput)
    is_workday = forms.TypedChoiceField(
        label=gettext_lazy("The day is"),
        choices=[("0", gettext_lazy("a day off")), ("1", gettext_lazy("a working day"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=100, required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2099)
    complete = forms.TypedChoiceField(
        label=gettext_lazy("Schedule"),
        choices=[("1", gettext_lazy("entered completely")), ("0", gettext_lazy("not complete"))],
        coerce=lambda v: v == "1",
    )


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.MANAGE_CALENDAR)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.workday_override_set(
                actor=request.user,
                day=data["day"],
                is_workday=data["is_workday"],
                note=data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("core:calendar")
    next_year = clock.today().year + 1
    context = {
        "form": form,
        "year_form": YearForm(initial={"year": next_year, "complete": "1"}),
        "overrides": WorkdayOverride.objects.select_related("updated_by"),
        "years": CalendarYear.objects.select_related("marked_by"),
        "package_last_year": official_calendar.package_last_year(),
        "next_year": next_year,
        "next_year_covered": official_calendar.package_covers(next_year)
        or CalendarYear.objects.filter(year=next_year).exists(),
    }
    return render(request, "core/calendar.html", context)


@login_required
@require_POST
def calendar_override_remove(request: HttpRequest, override_id: int) -> HttpResponse:
    scope.require(request.user, Perm.MANAGE_CALENDAR)
    override = get_object_or_404(WorkdayOverride, pk=override_id)
    services.workday_override_remove(actor=request.user, override=override)
    messages.success(request, _("Removed."))
    return redirect("core:calendar")


@login_required
@require_POST
def calendar_year_mark(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.MANAGE_CALENDAR)
    form = YearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a year between 2000 and 2099."))
        return redirect("core:calendar")
    try:
        services.calendar_year_mark(
            actor=request.user,
            year=form.cleaned_data["year"],
            complete=form.cleaned_data["complete"],
        )
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(request, _("Saved."))
    return redirect("core:calendar")
