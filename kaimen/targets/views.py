"""Pages for the catalogue, targets, figures, imports and the monitoring board.

Thin: selector → form → service → render or redirect. Rule violations raised by services come
back as form errors here; refusals (PermissionDenied) become the audited 403 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kaimen.lib import flash
from kaimen.lib.errors import PermissionDenied, StaleVersion, ValidationError
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm
from kaimen.targets import board, imports, selectors, services
from kaimen.targets import decomposition as dec
from kaimen.targets.forms import (
    ActualForm,
    BoardFilterForm,
    CorrectionForm,
    DecisionForm,
    DecomposeForm,
    ExplanationForm,
    IndicatorForm,
    MappingForm,
    ProjectForm,
    SplitForm,
    TargetForm,
    UploadForm,
)
from kaimen.targets.models import Indicator, Tier

PAGE_SIZE = 50


def _form_error(form, exc: ValidationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


# ---------------------------------------------------------------------------------------------
# Monitoring


def _board_filters(request: HttpRequest) -> tuple[BoardFilterForm, dict]:
    """The filters, defaulting to the latest campaign year and its latest release, and shown
    as such in the form."""
    years = selectors.target_years() or [request_year()]
    data = request.GET.copy()
    year = _int(data.get("year"))
    if year not in years:
        year = years[0]
        data["year"] = str(year)
    if not _int(data.get("month")):
        data["month"] = str(selectors.latest_period_with_figures(year) or 12)
    form = BoardFilterForm(data, years=years)
    cleaned = form.cleaned_data if form.is_valid() else {}
    unit, indicator = cleaned.get("unit"), cleaned.get("indicator")
    filters = {
        "year": year,
        "end_month": cleaned.get("month") or 12,
        "indicator_id": indicator,
        "unit_id": unit,
        "unit_kind": cleaned.get("kind", ""),
        "light": cleaned.get("light", ""),
    }
    return form, filters


def request_year() -> int:
    from kaimen.lib import clock

    return clock.today().year


@login_required
def monitoring(request: HttpRequest) -> HttpResponse:
    form, filters = _board_filters(request)
    result = board.board_for_user(user=request.user, **filters)
    page = Paginator(result.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    focus = None
    rows = list(page.object_list)
    focus_id = _int(request.GET.get("focus")) or next(
        (r.target.pk for r in rows if r.result and r.result.actual is not None), None
    )
    if focus_id:
        target = selectors.target_get_for_user(user=request.user, target_id=focus_id)
        focus = board.focus_for_user(
            user=request.user, target=target, end_month=filters["end_month"]
        )
    context = {
        "form": form,
        "board": result,
        "page": page,
        "focus": focus,
        "due_from": _due_from(
            request.user, [*rows, *result.lagging, *([focus.row] if focus else [])]
        ),
        "explain_form": ExplanationForm(),
        "can_explain": focus is not None
        and scope.can(request.user, Perm.LIGHT_EXPLAIN, focus.responsible_unit_id),
        "period_label": f"{filters['year']}年"
        + ("1月" if filters["end_month"] == 1 else f"1-{filters['end_month']}月"),
    }
    template = "targets/monitoring.html#board" if request.htmx else "targets/monitoring.html"
    return render(request, template, context)


LIGHT_EXPLAIN = Perm.LIGHT_EXPLAIN


def _due_from(user, rows) -> dict[int, str]:
    """{target id: the name of the unit that owes the explanation} for the red rows the user
    does not answer for: the lead department reads its towns' red rows, each town explains its
    own (and the lead department explains the district's own row)."""
    owed = {
        r.target.pk: selectors.responsible_unit_id(r.target) for r in rows if r.needs_explanation
    }
    others = {
        pk: unit_id for pk, unit_id in owed.items() if not scope.can(user, LIGHT_EXPLAIN, unit_id)
    }
    if not others:
        return {}
    names = dict(Unit.objects.filter(pk__in=set(others.values())).values_list("pk", "name"))
    return {pk: names.get(unit_id, "") for pk, unit_id in others.items()}


@login_required
@require_POST
def explain(request: HttpRequest, target_id: int) -> HttpResponse:
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    scope.require(request.user, Perm.LIGHT_EXPLAIN, selectors.responsible_unit_id(target))
    form = ExplanationForm(request.POST)
    if form.is_valid():
        try:
            services.explanation_write(
                actor=request.user,
                target=target,
                end_month=form.cleaned_data["month"],
                text=form.cleaned_data["text"],
                light=request.POST.get("light", "")[:10],
            )
        except ValidationError as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(
                request, _("The explanation is saved and will appear in the briefing.")
            )
    else:
        messages.error(
            request,
            " ".join(flash.with_field(form, f, e) for f, errs in form.errors.items() for e in errs),
        )
    query = request.POST.get("back", "")[:500]
    return redirect(reverse("targets:monitoring") + (f"?{query}" if query else ""))


# ---------------------------------------------------------------------------------------------
# The indicator catalogue


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    indicators = selectors.indicator_list_for_user(user=request.user)
    context = {"indicators": indicators, "can_manage": scope.can(request.user, Perm.TARGETS_MANAGE)}
    return render(request, "targets/indicator_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.TARGETS_MANAGE)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            services.indicator_create(actor=request.user, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Indicator added to the catalogue."))
            return redirect("targets:indicator_list")
    return render(request, "targets/indicator_form.html", {"form": form, "indicator": None})


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = selectors.indicator_get_for_user(user=request.user, indicator_id=indicator_id)
    scope.require(request.user, Perm.TARGETS_MANAGE)
    form = IndicatorForm(request.POST or None, instance=Indicator.objects.get(pk=indicator.pk))
    form.fields["version"].initial = indicator.version
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in IndicatorForm.Meta.fields}
        changes.pop("code")
        try:
            services.indicator_update(
                actor=request.user,
                indicator=indicator,
                expected_version=form.cleaned_data["version"] or indicator.version,
                **changes,
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("targets:indicator_list")
    return render(request, "targets/indicator_form.html", {"form": form, "indicator": indicator})


# ---------------------------------------------------------------------------------------------
# Targets, plans, splits and projects


@login_required
def target_list(request: HttpRequest) -> HttpResponse:
    years = selectors.target_years() or [request_year()]
    year = _int(request.GET.get("year")) or years[0]
    targets = selectors.target_list_for_user(
        user=request.user, year=year, indicator_id=_int(request.GET.get("indicator"))
    )
    page = Paginator(targets, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "year": year,
        "years": years,
        "can_manage": scope.can(request.user, Perm.TARGETS_MANAGE),
    }
    return render(request, "targets/target_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.TARGETS_MANAGE)
    form = TargetForm(request.POST or None, initial={"year": request_year(), "tier": Tier.ENSURE})
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_set(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Target saved and decomposed."))
            return redirect("targets:target_detail", target_id=target.pk)
    return render(request, "targets/target_form.html", {"form": form})


@login_required
def target_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    detail = selectors.target_detail_for_user(user=request.user, target_id=target_id)
    target = detail.target
    months = target.indicator.release_months()
    shares = {f"share_{pv.end_month}": pv.share * 100 for pv in detail.plan}
    context = {
        "detail": detail,
        "target": target,
        "decompose_form": DecomposeForm(
            initial={"method": target.method, "version": target.version, **shares},
            months=months,
            year=target.year,
        ),
        "split_form": SplitForm(candidates=detail.candidate_units),
        "can_manage": scope.can(request.user, Perm.TARGETS_MANAGE),
    }
    return render(request, "targets/target_detail.html", context)


@login_required
@require_POST
def target_decompose(request: HttpRequest, target_id: int) -> HttpResponse:
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    scope.require(request.user, Perm.TARGETS_MANAGE)
    form = DecomposeForm(request.POST, months=target.indicator.release_months(), year=target.year)
    if form.is_valid():
        try:
            services.target_decompose(
                actor=request.user,
                target=target,
                method=form.cleaned_data["method"],
                shares_pct=form.shares(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(request, _("Plan values recomputed."))
    else:
        messages.error(request, _("Check the decomposition form."))
    return redirect("targets:target_detail", target_id=target.pk)


@login_required
@require_POST
def target_split(request: HttpRequest, target_id: int) -> HttpResponse:
    detail = selectors.target_detail_for_user(user=request.user, target_id=target_id)
    scope.require(request.user, Perm.TARGETS_MANAGE)
    form = SplitForm(request.POST, candidates=detail.candidate_units)
    if form.is_valid():
        try:
            services.target_split(
                actor=request.user,
                target=detail.target,
                units=list(form.cleaned_data["units"]),
                basis=form.cleaned_data["basis"],
                weights=form.weights(),
            )
        except ValidationError as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(request, _("Target split onto the units."))
    else:
        messages.error(request, _("Choose the units and how to split."))
    return redirect("targets:target_detail", target_id=detail.target.pk)


@login_required
@require_POST
def target_split_projects(request: HttpRequest, target_id: int) -> HttpResponse:
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    try:
        split = services.target_split_onto_projects(actor=request.user, target=target)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        if dec.unfilled_by_projects(split) > 0:
            # each project keeps its own plan; the rest is the gap, never a "done"
            messages.warning(request, " ".join(split.notes))
        else:
            messages.success(request, _("Target split onto the projects."))
    return redirect("targets:target_detail", target_id=target.pk)


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    year = _int(request.GET.get("year")) or (selectors.target_years() or [request_year()])[0]
    can_manage = scope.can(request.user, Perm.TARGETS_MANAGE)
    form = ProjectForm(request.POST or None, initial={"year": year})
    if request.method == "POST":
        scope.require(request.user, Perm.TARGETS_MANAGE)
        if form.is_valid():
            try:
                services.project_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Project added."))
                return redirect(
                    reverse("targets:project_list") + f"?year={form.cleaned_data['year']}"
                )
    projects = selectors.project_list_for_user(user=request.user, year=year)
    context = {"projects": projects, "form": form, "year": year, "can_manage": can_manage}
    return render(request, "targets/project_list.html", context)


# ---------------------------------------------------------------------------------------------
# Figures and corrections


@login_required
def actual_list(request: HttpRequest) -> HttpResponse:
    year = _int(request.GET.get("year"))
    figures = selectors.actual_list_for_user(
        user=request.user,
        year=year,
        end_month=_int(request.GET.get("month")),
        indicator_id=_int(request.GET.get("indicator")),
        unit_id=_int(request.GET.get("unit")),
    )
    page = Paginator(figures, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "pending": selectors.corrections_pending_for_user(user=request.user)[:50],
        "can_enter": scope.can(request.user, Perm.ACTUAL_ENTER),
        "can_approve": scope.can(request.user, Perm.ACTUAL_APPROVE),
        "indicators": Indicator.objects.filter(is_active=True),
        "year": year,
    }
    return render(request, "targets/actual_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def actual_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.ACTUAL_ENTER)
    form = ActualForm(request.POST or None, user=request.user, initial={"year": request_year()})
    posted_unit = _int(request.POST.get("unit")) if request.method == "POST" else None
    if posted_unit is not None and not form.fields["unit"].queryset.filter(pk=posted_unit).exists():
        # Another unit's id posted by hand is a refused (and audited) attempt, not a typo.
        raise PermissionDenied(code=str(Perm.ACTUAL_ENTER), target=posted_unit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            actual = services.actual_submit(actor=request.user, end_month=data.pop("month"), **data)
        except ValidationError as exc:
            _form_error(form, exc)
        except PermissionDenied as exc:
            # a combination the form offers but the rules refuse (another town's row of an
            # indicator the unit does not lead): said on the form, with what to do instead
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Figure submitted."))
            return redirect("targets:actual_detail", actual_id=actual.pk)
    return render(request, "targets/actual_form.html", {"form": form})


@login_required
def actual_detail(request: HttpRequest, actual_id: int) -> HttpResponse:
    history = selectors.actual_history_for_user(user=request.user, actual_id=actual_id)
    current = history.current
    context = {
        "history": history,
        "form": CorrectionForm(
            initial={
                "value": None if current.value is None else selectors.plain(current.value),
                "growth_pct": current.growth_pct,
            }
        ),
        "decision_form": DecisionForm(),
        "can_correct": scope.can(request.user, Perm.ACTUAL_ENTER, _filing_of(current)),
    }
    return render(request, "targets/actual_detail.html", context)


@login_required
@require_POST
def correction_request(request: HttpRequest, actual_id: int) -> HttpResponse:
    history = selectors.actual_history_for_user(user=request.user, actual_id=actual_id)
    current = history.current
    services.require_filing(
        request.user,
        indicator=current.indicator,
        unit=current.unit,
        year=current.year,
        provenance=current.provenance,
    )
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request(
                actor=request.user, actual=history.current, **form.cleaned_data
            )
        except (ValidationError, StaleVersion) as exc:
            flash.service_error(request, exc, form)
        else:
            messages.success(request, _("Correction requested; it takes effect once approved."))
    else:
        messages.error(
            request,
            " ".join(flash.with_field(form, f, e) for f, errs in form.errors.items() for e in errs),
        )
    return redirect("targets:actual_detail", actual_id=history.current.pk)


def _filing_of(actual):
    return services.filing_for(
        indicator=actual.indicator, unit=actual.unit, year=actual.year, provenance=actual.provenance
    )


@login_required
@require_POST
def correction_withdraw(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = selectors.correction_get(correction_id=correction_id)
    selectors.actual_history_for_user(user=request.user, actual_id=correction.actual_id)
    try:
        services.correction_withdraw(actor=request.user, correction=correction)
    except StaleVersion as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Correction request withdrawn; the figure is unchanged. You may send a new one."),
        )
    return redirect("targets:actual_detail", actual_id=correction.actual_id)


@login_required
@require_POST
def correction_approve(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = selectors.correction_get(correction_id=correction_id)
    scope.require(request.user, Perm.ACTUAL_APPROVE, correction)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        new = services.correction_approve(actor=request.user, correction=correction, note=note)
    except (ValidationError, StaleVersion) as exc:
        flash.service_error(request, exc, form)
        return redirect("targets:actual_detail", actual_id=correction.actual_id)
    messages.success(
        request, _("Correction approved: version %(v)s is now current.") % {"v": new.version}
    )
    return redirect("targets:actual_detail", actual_id=new.pk)


@login_required
@require_POST
def correction_reject(request: HttpRequest, correction_id: int) -> HttpResponse:
    correction = selectors.correction_get(correction_id=correction_id)
    scope.require(request.user, Perm.ACTUAL_APPROVE, correction)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.correction_reject(actor=request.user, correction=correction, note=note)
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(request, _("Correction rejected."))
    return redirect("targets:actual_detail", actual_id=correction.actual_id)


# ---------------------------------------------------------------------------------------------
# Imports


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    batches = selectors.import_list_for_user(user=request.user)
    form = UploadForm(
        request.POST or None, request.FILES or None, max_bytes=imports.max_upload_bytes()
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch, created = imports.import_upload(
                actor=request.user, data=upload.read(), file_name=upload.name
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if not created:
                messages.info(request, _("This file was uploaded before; here is its import."))
            return redirect("targets:import_detail", batch_id=batch.pk)
    page = Paginator(batches, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "targets/import_list.html", {"page": page, "form": form})


def _mapping_form(batch, data=None) -> MappingForm | None:
    layout = imports._layout_of(batch)
    if layout is None:
        return None
    period = batch.period
    initial = {
        "layout_name": (batch.layout.name if batch.layout else batch.file_name.rsplit(".", 1)[0])[
            :60
        ],
        "year": period.year if period else request_year(),
        "month": period.end_month if period else 1,
    }
    return MappingForm(
        data,
        initial=initial,
        layout=layout,
        units=list(Unit.objects.filter(is_active=True).values_list("name", flat=True)),
        indicators=Indicator.objects.filter(is_active=True),
    )


@login_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.import_get_for_user(user=request.user, batch_id=batch_id)
    context = {"batch": batch, "mapping": _mapping_form(batch), "summary": batch.summary or {}}
    return render(request, "targets/import_detail.html", context)


@login_required
@require_POST
def import_mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.import_get_for_user(user=request.user, batch_id=batch_id)
    form = _mapping_form(batch, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("Check the column mapping."))
        return redirect("targets:import_detail", batch_id=batch.pk)
    try:
        imports.import_save_layout(
            actor=request.user,
            batch=batch,
            layout=form.to_layout(),
            name=form.cleaned_data["layout_name"],
            period=form.period,
        )
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(request, _("Mapping saved; the preview below uses it."))
    return redirect("targets:import_detail", batch_id=batch.pk)


@login_required
@require_POST
def import_commit(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.import_get_for_user(user=request.user, batch_id=batch_id)
    try:
        result = imports.import_commit(actor=request.user, batch=batch)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, result.text)
    return redirect("targets:import_detail", batch_id=batch.pk)


@login_required
@require_http_methods(["GET"])
def light_rule(request: HttpRequest) -> HttpResponse:
    """如何亮灯: the one rule every page with lights follows."""
    from kaimen.targets.monitoring import LIGHT_RULE_TEXT

    scope.require(request.user, Perm.TARGETS_VIEW)
    return render(request, "targets/light_rule.html", {"rule": LIGHT_RULE_TEXT})
