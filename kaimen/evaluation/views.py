"""The scorecard pages. Thin: selector → form → service → render or redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kaimen.evaluation import forms, honour_roll, selectors, services
from kaimen.evaluation.models import RunStatus, ScoreRun
from kaimen.evaluation.scoring import REGISTRY
from kaimen.lib import clock, flash
from kaimen.lib.errors import ValidationError
from kaimen.org import scope
from kaimen.org.scope import Perm

PAGE_SIZE = 50


def _form_error(form, exc: ValidationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _campaign_context(request: HttpRequest, campaign) -> dict:
    user = request.user
    return {
        "campaign": campaign,
        "campaigns": selectors.campaign_list_for_user(user=user),
        "can_manage": scope.can(user, Perm.EVALUATION_MANAGE),
    }


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.EVALUATION_VIEW)
    chosen = request.GET.get("campaign", "")
    if chosen.isdigit() and len(chosen) < 10:
        campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=int(chosen))
    else:
        campaign = selectors.default_campaign()
    if campaign is None:
        return render(request, "evaluation/no_campaign.html", {})
    return redirect("evaluation:run_list", campaign_id=campaign.pk)


# ---------------------------------------------------------------------------------------------
# Runs and rankings


@login_required
def run_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    runs = selectors.run_list_for_user(user=request.user, campaign=campaign)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    initial = {
        "period_kind": "month",
        "day": services.last_complete_period_day("month", clock.today()),
    }
    context = {
        **_campaign_context(request, campaign),
        "page": page,
        "scheme": selectors.scheme_of(campaign),
        "compute_form": forms.ComputeForm(initial=initial),
    }
    return render(request, "evaluation/run_list.html", context)


@login_required
@require_POST
def run_compute(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    scope.require(request.user, Perm.EVALUATION_MANAGE)
    form = forms.ComputeForm(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect("evaluation:run_list", campaign_id=campaign.pk)
    try:
        run = services.run_compute(
            actor=request.user,
            campaign=campaign,
            period_kind=form.cleaned_data["period_kind"],
            day=form.cleaned_data["day"],
        )
    except ValidationError as exc:
        flash.service_error(request, exc, form)
        return redirect("evaluation:run_list", campaign_id=campaign.pk)
    messages.success(request, _("Scores computed as a draft; nothing is shown to the units yet."))
    return redirect("evaluation:run_detail", run_id=run.pk)


@login_required
@never_cache
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    ranking = selectors.ranking_for_user(user=request.user, run=run)
    can_manage = scope.can(request.user, Perm.EVALUATION_MANAGE)
    context = {
        "run": run,
        "ranking": ranking,
        "can_manage": can_manage,
        "window": run.window,
        "window_open": run.window is not None and run.window.is_open(clock.today()),
        "blockers": services.blockers_of(run, today=clock.today()) if can_manage else (),
        "objections": list(run.objections.select_related("unit")) if can_manage else [],
    }
    return render(request, "evaluation/run_detail.html", context)


@login_required
@never_cache
def standing_detail(request: HttpRequest, run_id: int, unit_id: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    detail = selectors.standing_for_user(user=request.user, run=run, unit_id=unit_id)
    window = run.window
    can_object = (
        scope.can(request.user, Perm.EVALUATION_OBJECT, unit_id)
        and run.status == RunStatus.OBJECTION
        and window is not None
        and window.is_open(clock.today())
        and detail.objection is None
    )
    context = {
        "run": run,
        "d": detail,
        "window": window,
        "can_object": can_object,
        "objection_form": forms.ObjectionForm(),
        "can_manage": scope.can(request.user, Perm.EVALUATION_MANAGE),
    }
    return render(request, "evaluation/standing_detail.html", context)


def _run_action(
    request: HttpRequest, run_id: int, action: Callable[[ScoreRun], object], done: str
) -> HttpResponse:
    # the office's action: asked first, so a unit learns nothing of a draft it may not see
    scope.require(request.user, Perm.EVALUATION_MANAGE)
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    try:
        action(run)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("evaluation:run_detail", run_id=run.pk)


@login_required
@require_POST
def run_recompute(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_action(
        request,
        run_id,
        lambda run: services.run_compute(
            actor=request.user,
            campaign=run.campaign,
            period_kind=run.period_kind,
            day=run.period_start,
        ),
        _("Scores computed again from the current data."),
    )


@login_required
@require_POST
def run_open(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run_action(
        request,
        run_id,
        lambda run: services.run_open_objections(actor=request.user, run=run),
        _("The objection window is open: each unit now sees its own standing."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_publish(request: HttpRequest, run_id: int) -> HttpResponse:
    """The confirmation page, and the confirmation itself: the service refuses a publication
    without it, or while the window is open or objections are unanswered."""
    scope.require(request.user, Perm.EVALUATION_MANAGE)
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    form = forms.PublishForm(request.POST if request.method == "POST" else None)
    refusal = ""
    if request.method == "POST":
        confirmed = form.is_valid() and form.cleaned_data["confirm"] is True
        try:
            services.run_publish(actor=request.user, run=run, confirm=confirmed)
        except ValidationError as exc:
            refusal = exc.message  # said once, in the service's words
            form = forms.PublishForm()
        else:
            messages.success(request, _("Published. The ranking is now final and visible to all."))
            return redirect("evaluation:run_detail", run_id=run.pk)
    ranking = selectors.ranking_for_user(user=request.user, run=run)
    context = {
        "run": run,
        "form": form,
        "refusal": refusal,
        "ranking": ranking,
        "blockers": services.blockers_of(run, today=clock.today()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "evaluation/run_publish.html", context, status=status)


# ---------------------------------------------------------------------------------------------
# Objections


@login_required
@require_POST
def objection_lodge(request: HttpRequest, run_id: int, unit_id: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    scope.require(request.user, Perm.EVALUATION_OBJECT, unit_id)
    detail = selectors.standing_for_user(user=request.user, run=run, unit_id=unit_id)
    form = forms.ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.objection_lodge(
                actor=request.user,
                run=run,
                unit=detail.standing.unit,
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(request, _("Objection lodged; the campaign office will answer it."))
    else:
        flash.form_errors(request, form)
    return redirect("evaluation:standing_detail", run_id=run.pk, unit_id=unit_id)


@login_required
def objection_queue(request: HttpRequest) -> HttpResponse:
    objections = selectors.objection_queue_for_user(user=request.user)
    page = Paginator(objections, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluation/objection_queue.html", {"page": page})


@login_required
@require_POST
def objection_answer(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = selectors.objection_get_for_user(user=request.user, objection_id=objection_id)
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.objection_answer(
                actor=request.user,
                objection=objection,
                answer=form.cleaned_data["answer"],
                outcome=form.cleaned_data["outcome"],
                recompute=form.cleaned_data["recompute"],
            )
        except ValidationError as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(request, _("Answer recorded; the unit sees it with its standing."))
    else:
        flash.form_errors(request, form)
    return redirect("evaluation:objection_queue")


# ---------------------------------------------------------------------------------------------
# The scheme


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    scope.require(request.user, Perm.EVALUATION_MANAGE)
    current = selectors.scheme_of(campaign)
    form = forms.SchemeForm(request.POST or None, initial=forms.SchemeForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.scheme_save(
                actor=request.user,
                campaign=campaign,
                config=form.config(),
                peer_groups=data["peer_groups"],
                excluded_unit_ids=[u.pk for u in data["excluded_units"]],
                top_k=data["top_k"],
                bottom_k=data["bottom_k"],
                top_share=data.get("top_share"),
                bottom_share=data.get("bottom_share"),
                red_min_total=data.get("red_min_total"),
                black_below_total=data.get("black_below_total"),
                min_group_size=data.get("min_group_size") or honour_roll.DEFAULT_MIN_GROUP_SIZE,
                objection_workdays=data["objection_workdays"],
                expected_version=data.get("version"),
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Scheme saved. Runs computed from now on use it."))
            return redirect("evaluation:run_list", campaign_id=campaign.pk)
    context = {
        **_campaign_context(request, campaign),
        "form": form,
        "rows": form.bound_rows(),
        "scheme": current,
        "metrics": list(REGISTRY),
    }
    return render(request, "evaluation/scheme_edit.html", context)


# ---------------------------------------------------------------------------------------------
# Innovation practices and commendations


@login_required
@require_http_methods(["GET", "POST"])
def practice_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    units = selectors.liaison_units(request.user)
    form = forms.PracticeForm(request.POST or None, units=units)
    if request.method == "POST":
        scope.require(request.user, Perm.PRACTICE_SUBMIT)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.practice_submit(
                    actor=request.user,
                    campaign=campaign,
                    unit=data["unit"],
                    title=data["title"],
                    description=data["description"],
                    practiced_on=data["practiced_on"],
                )
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(
                    request, _("Practice submitted; the campaign office will rate it.")
                )
                return redirect("evaluation:practice_list", campaign_id=campaign.pk)
    practices = selectors.practice_list_for_user(user=request.user, campaign=campaign)
    context = {
        **_campaign_context(request, campaign),
        "page": Paginator(practices, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form,
        "can_submit": bool(units),
    }
    return render(request, "evaluation/practice_list.html", context)


@login_required
@require_POST
def practice_rate(request: HttpRequest, practice_id: int) -> HttpResponse:
    practice = selectors.practice_get_for_user(user=request.user, practice_id=practice_id)
    scope.require(request.user, Perm.EVALUATION_MANAGE)
    form = forms.RateForm(request.POST)
    if form.is_valid():
        try:
            services.practice_rate(
                actor=request.user,
                practice=practice,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(request, _("Rating saved."))
    else:
        flash.form_errors(request, form)
    return redirect("evaluation:practice_list", campaign_id=practice.campaign_id)


@login_required
@require_http_methods(["GET", "POST"])
def commendation_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    form = forms.CommendationForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        scope.require(request.user, Perm.EVALUATION_MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.commendation_grant(
                    actor=request.user,
                    campaign=campaign,
                    kind=data["kind"],
                    unit=data["unit"],
                    citation=data["citation"],
                    person_name=data["person_name"],
                    deeds=data["deeds"],
                    run=data["run"],
                    period_label=data["period_label"],
                )
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Commendation recorded."))
                return redirect("evaluation:commendation_list", campaign_id=campaign.pk)
    commendations = selectors.commendation_list_for_user(user=request.user, campaign=campaign)
    context = {
        **_campaign_context(request, campaign),
        "page": Paginator(commendations, PAGE_SIZE).get_page(request.GET.get("page")),
        "form": form,
    }
    return render(request, "evaluation/commendation_list.html", context)
