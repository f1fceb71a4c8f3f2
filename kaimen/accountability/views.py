"""The accountability pages. Thin: selector → form → service → render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaimen.accountability import forms, selectors, services, storage
from kaimen.accountability.models import RunStatus
from kaimen.lib import flash, uploads
from kaimen.lib.attachments import download, file_response
from kaimen.lib.errors import StaleVersion, ValidationError
from kaimen.org import scope
from kaimen.org.scope import Perm

PAGE_SIZE = 50


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@never_cache
def record(request: HttpRequest) -> HttpResponse:
    """The record of proposals and decisions, filtered; a unit sees only its own rows."""
    filters = forms.RecordFilterForm(request.GET or None)
    chosen = filters.filters()
    proposals = selectors.proposal_list_for_user(user=request.user, filters=chosen)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    context = {
        "page": page,
        "filters": filters,
        "can_decide": scope.can(user, Perm.ACCOUNTABILITY_DECIDE),
        "sees_all": scope.scope_for(user).sees_all_business,
        "own_units": selectors.own_unit_ids(user),
        "query": request.GET.urlencode(),
    }
    template = (
        "accountability/record.html#record-table" if request.htmx else "accountability/record.html"
    )
    return render(request, template, context)


@login_required
@never_cache
def queue(request: HttpRequest) -> HttpResponse:
    """The open proposals with their facts and a confirm/dismiss form each."""
    proposals = selectors.proposal_queue(user=request.user)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "run": selectors.last_run(),
        "form": forms.DecisionForm(),
        "campaigns": selectors.campaign_choices(),
        "can_configure": scope.can(request.user, Perm.ACCOUNTABILITY_RULES),
    }
    return render(request, "accountability/queue.html", context)


@login_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    run = services.proposals_run(actor=request.user)
    if run.status == RunStatus.FAILED:
        messages.error(request, run.message)
    else:
        messages.success(
            request,
            _("Rules checked: %(n)s new proposals, %(m)s withdrawn.")
            % {"n": run.proposed, "m": run.withdrawn},
        )
    return redirect("accountability:queue")


@login_required
@never_cache
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    user = request.user
    context = {
        "p": proposal,
        "can_decide": proposal.is_open
        and scope.can(user, Perm.ACCOUNTABILITY_DECIDE, proposal.unit_id),
        "can_explain": scope.can(user, Perm.ACCOUNTABILITY_EXPLAIN, proposal.unit_id)
        and proposal.status != "withdrawn",
        "decision_form": forms.DecisionForm(),
        "explanation_form": forms.ExplanationForm(),
        "attachment_accept": uploads.ACCEPT_ATTR,
    }
    return render(request, "accountability/proposal_detail.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    scope.require(request.user, Perm.ACCOUNTABILITY_DECIDE, proposal.unit_id)
    form = forms.DecisionForm(request.POST)
    default = reverse("accountability:queue")
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or dismiss, and give the reason."))
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(request, default)
    try:
        services.proposal_decide(
            actor=request.user,
            proposal=proposal,
            confirm=form.cleaned_data["decision"] == "confirm",
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(
            request,
            _(
                "Decision recorded. Nothing has been carried out by the system: the step is now on record."
            ),
        )
    return _back(request, default)


@login_required
@require_POST
def explain(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    scope.require(request.user, Perm.ACCOUNTABILITY_EXPLAIN, proposal.unit_id)
    form = forms.ExplanationForm(request.POST, request.FILES)
    default = reverse("accountability:unit_record", args=[proposal.unit_id])
    if form.is_valid():
        try:
            services.explanation_add(
                actor=request.user,
                proposal=proposal,
                text=form.cleaned_data["text"],
                uploads=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Your explanation has been attached."))
            return _back(request, default)
    # Refused: the unit's record again, with the text as typed and the message beside the field.
    return _unit_record_page(
        request, proposal.unit_id, explanation_form=form, explaining=proposal.pk, status=400
    )


@login_required
@never_cache
def unit_record(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's own record page, where its liaison attaches explanations."""
    return _unit_record_page(request, unit_id)


def _unit_record_page(
    request: HttpRequest,
    unit_id: int,
    *,
    explanation_form=None,
    explaining: int | None = None,
    status: int = 200,
) -> HttpResponse:
    data = selectors.unit_record_for_user(user=request.user, unit_id=unit_id)
    context = {
        "r": data,
        "can_explain": scope.can(request.user, Perm.ACCOUNTABILITY_EXPLAIN, data.unit.pk),
        "can_decide": scope.can(request.user, Perm.ACCOUNTABILITY_DECIDE),
        "explanation_form": forms.ExplanationForm(),
        "attachment_accept": uploads.ACCEPT_ATTR,
        "refused_form": explanation_form,
        "explaining": explaining,
    }
    return render(request, "accountability/unit_record.html", context, status=status)


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    filters = forms.RecordFilterForm(request.GET or None)
    exported = services.record_export(actor=request.user, filters=filters.filters())
    return file_response(exported.content, exported.filename, exported.content_type)


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The office sets the thresholds of the rules for one campaign."""
    scope.require(request.user, Perm.ACCOUNTABILITY_RULES)
    campaign = selectors.campaign_get(campaign_id=campaign_id)
    current = selectors.rules_get(campaign=campaign)
    rules_now, order_limit = services.rules_for(campaign)
    initial = {
        "red_periods": rules_now.red_periods,
        "red_periods_to_escalate": rules_now.red_periods_to_escalate,
        "order_limit_workdays": order_limit,
        "overdue_workdays_to_escalate": rules_now.overdue_workdays_to_escalate,
        "missed_reports": rules_now.missed_reports,
        "missed_reports_to_escalate": rules_now.missed_reports_to_escalate,
        "highest_step": rules_now.highest_step.value,
        "version": current.version if current else 0,
    }
    form = forms.RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or None
        try:
            services.rules_save(
                actor=request.user, campaign=campaign, expected_version=version, **data
            )
        except (ValidationError, StaleVersion) as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved. The next run of the rules uses these thresholds."))
            return redirect("accountability:rules", campaign_id=campaign.pk)
    context = {"form": form, "campaign": campaign, "current": current}
    return render(request, "accountability/rules.html", context)


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return download(attachment, storage.STORE)
