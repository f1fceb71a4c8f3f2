"""The ledger's pages. Thin: selector → form → service → render or redirect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kaimen.campaigns import services as campaign_services
from kaimen.ledger import forms, lights, selectors, services, storage
from kaimen.ledger.alignment import Span, segments
from kaimen.ledger.models import (
    DocumentKind,
    DraftStatus,
    Task,
    TaskKind,
    TaskStatus,
)
from kaimen.lib import clock, flash, official_calendar
from kaimen.lib.attachments import download, file_response
from kaimen.lib.errors import KaimenError, ValidationError
from kaimen.lib.workdays import CalendarYearMissing
from kaimen.org import scope
from kaimen.org.scope import Perm
from kaimen.org.selectors import unit_choices

PAGE_SIZE = 50
# Fields only the office sets. A unit's form never offers them; a request that carries them
# was edited by hand and is refused (and audited) instead of being silently ignored.
OFFICE_ONLY_FIELDS = frozenset(
    {"status", "light", "closed_at", "closed_by", "decision", "lead_unit", "deadline", "version"}
)


def _form_error(form, exc: ValidationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _refuse_forged_fields(request: HttpRequest, task: Task) -> None:
    if OFFICE_ONLY_FIELDS & set(request.POST):
        scope.require(request.user, Perm.LEDGER_MANAGE, task)


# ---------------------------------------------------------------------------------------------
# Tasks


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    filters = forms.TaskFilterForm(request.GET or None)
    tasks = selectors.task_list_for_user(user=request.user, **filters.filters())
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "campaign": filters.filters().get("campaign"),
        "can_export": scope.can(request.user, Perm.LEDGER_EXPORT),
        "can_manage": scope.can(request.user, Perm.LEDGER_MANAGE),
        "today": clock.today(),
    }
    template = "ledger/task_list.html#task-table" if request.htmx else "ledger/task_list.html"
    return render(request, template, context)


def _next_report_due(task: Task):
    if task.status not in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.LAGGING):
        return None, ""
    since = timezone.localdate(task.last_report_at or task.published_at)
    try:
        cal = official_calendar.load()
        return lights.next_report_due(since=since, cadence=task.cadence, cal=cal), ""
    except CalendarYearMissing as exc:
        return None, exc.message


@login_required
@never_cache
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, task_id)


def _task_page(
    request: HttpRequest, task_id: int, *, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    """The task's page; ``bound`` puts back a form the user sent that was refused, so what they
    typed stays and the message stands beside the field."""
    detail = selectors.task_detail(user=request.user, task_id=task_id)
    task, user = detail.task, request.user
    due, calendar_problem = _next_report_due(task)
    context = {
        "d": detail,
        "task": task,
        "next_due": due,
        "calendar_problem": calendar_problem,
        "can_report": scope.can(user, Perm.TASK_REPORT, task),
        "can_contribute": scope.can(user, Perm.TASK_CONTRIBUTE, task),
        "can_manage": scope.can(user, Perm.LEDGER_MANAGE, task),
        "can_instruct": scope.can(user, Perm.TASK_INSTRUCT, task),
        "can_see_source": scope.can(user, Perm.LEDGER_EXPORT) and task.document_id,
        "is_open": task.status
        in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.LAGGING),
        "report_form": forms.ReportForm(milestones=detail.milestones),
        "contribution_form": forms.ContributionForm(),
        "closure_form": forms.ClosureForm(),
        "text_form": forms.TextForm(),
        "note_form": forms.NoteForm(),
        "reason_form": forms.ReasonForm(),
    } | (bound or {})
    return render(request, "ledger/task_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get_for_user(user=request.user, task_id=task_id)
    scope.require(request.user, Perm.LEDGER_MANAGE, task)
    initial = {
        "version": task.version,
        "title": task.title,
        "lead_unit": task.lead_unit,
        "co_units": task.co_units.all(),
        "deadline": task.deadline,
        "cadence": task.cadence,
    }
    form = forms.TaskEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.task_update(actor=request.user, task=task, expected_version=version, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("ledger:task_detail", task_id=task.pk)
    return render(request, "ledger/task_edit.html", {"form": form, "task": task})


def _task_action(
    request: HttpRequest,
    task_id: int,
    perm: Perm,
    make_form: Callable[[Task], object],
    action: Callable[[Task, dict], object],
    done: str,
) -> HttpResponse:
    """The shape of every POST on a task: visible → permitted → no forged fields → form →
    service → back to the task with a message."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id)
    scope.require(request.user, perm, task)
    _refuse_forged_fields(request, task)
    form = make_form(task)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect("ledger:task_detail", task_id=task.pk)
    try:
        action(task, form.cleaned_data)
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(request, done)
    return redirect("ledger:task_detail", task_id=task.pk)


def _task_form_post(
    request: HttpRequest,
    task_id: int,
    perm: Perm,
    form_name: str,
    make_form: Callable[[Task], object],
    action: Callable[[Task, dict], object],
    done: str,
) -> HttpResponse:
    """A POST on a task whose form carries attachments: a refusal (a file that fails its
    checks, a rule of the service) shows the page again with the form as sent, so the text and
    the percentage are kept and the message stands beside the field it is about."""
    task = selectors.task_get_for_user(user=request.user, task_id=task_id)
    scope.require(request.user, perm, task)
    _refuse_forged_fields(request, task)
    form = make_form(task)
    if form.is_valid():
        try:
            action(task, form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("ledger:task_detail", task_id=task.pk)
    return _task_page(request, task.pk, bound={form_name: form}, status=400)


@login_required
@require_POST
def task_report(request: HttpRequest, task_id: int) -> HttpResponse:
    def action(task: Task, data: dict) -> object:
        return services.progress_report(
            actor=request.user,
            task=task,
            text=data["text"],
            percent=data["percent"],
            milestone_ids=data.get("milestones") or [],
            uploads=data["files"],
        )

    def make_form(task: Task) -> forms.ReportForm:
        return forms.ReportForm(request.POST, request.FILES, milestones=task.milestones.all())

    return _task_form_post(
        request,
        task_id,
        Perm.TASK_REPORT,
        "report_form",
        make_form,
        action,
        _("Progress reported."),
    )


@login_required
@require_POST
def task_contribute(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_form_post(
        request,
        task_id,
        Perm.TASK_CONTRIBUTE,
        "contribution_form",
        lambda task: forms.ContributionForm(request.POST, request.FILES),
        lambda task, data: services.contribution_add(
            actor=request.user, task=task, text=data["text"], uploads=data["files"]
        ),
        _("Contribution recorded."),
    )


@login_required
@require_POST
def task_request_closure(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_action(
        request,
        task_id,
        Perm.TASK_REPORT,
        lambda task: forms.ClosureForm(request.POST),
        lambda task, data: services.task_request_closure(
            actor=request.user, task=task, summary=data["summary"]
        ),
        _("Reported as done; the campaign office will check and close it."),
    )


@login_required
@require_POST
def task_accept(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_action(
        request,
        task_id,
        Perm.LEDGER_MANAGE,
        lambda task: forms.NoteForm(request.POST),
        lambda task, data: services.task_accept_closure(
            actor=request.user, task=task, note=data["note"]
        ),
        _("The task is closed."),
    )


@login_required
@require_POST
def task_send_back(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_action(
        request,
        task_id,
        Perm.LEDGER_MANAGE,
        lambda task: forms.ReasonForm(request.POST),
        lambda task, data: services.task_send_back(
            actor=request.user, task=task, reason=data["reason"]
        ),
        _("Sent back to the lead unit."),
    )


@login_required
@require_POST
def task_instruct(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_action(
        request,
        task_id,
        Perm.TASK_INSTRUCT,
        lambda task: forms.TextForm(request.POST),
        lambda task, data: services.instruction_give(
            actor=request.user, task=task, text=data["text"]
        ),
        _("Instruction recorded; the lead unit will answer it."),
    )


@login_required
@require_POST
def instruction_answer(request: HttpRequest, instruction_id: int) -> HttpResponse:
    instruction = selectors.instruction_get_for_user(
        user=request.user, instruction_id=instruction_id
    )
    return _task_action(
        request,
        instruction.task_id,
        Perm.TASK_REPORT,
        lambda task: forms.TextForm(request.POST),
        lambda task, data: services.instruction_answer(
            actor=request.user, instruction=instruction, text=data["text"]
        ),
        _("Answer recorded."),
    )


@login_required
@require_GET
def attachment_download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    return download(attachment, storage.STORE, area=storage.ATTACHMENTS)


@login_required
@require_GET
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    document = selectors.document_get_for_user(user=request.user, document_id=document_id)
    if document.kind == DocumentKind.PASTE or not document.stored_name:
        raise Http404
    handle = storage.open_stored(storage.SOURCES, document.stored_name)
    name = document.original_name or f"{document.title}.{document.kind}"
    return file_response(handle, name, "application/octet-stream")


# ---------------------------------------------------------------------------------------------
# Campaigns and export


@login_required
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaign_list_for_user(user=request.user)
    if request.method == "POST" and "spring_campaign" in request.POST:
        return _campaign_spring_setting(request)
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST":
        scope.require(request.user, Perm.LEDGER_MANAGE)
        if form.is_valid():
            try:
                campaign_services.campaign_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Campaign created."))
                return redirect("ledger:campaign_list")
    context = {
        "campaigns": campaigns,
        "form": form,
        "can_manage": scope.can(request.user, Perm.LEDGER_MANAGE),
        "can_export": scope.can(request.user, Perm.LEDGER_EXPORT),
    }
    return render(request, "ledger/campaign_list.html", context)


def _campaign_spring_setting(request: HttpRequest) -> HttpResponse:
    """The Spring Festival setting of one campaign, switched from the campaign list."""
    scope.require(request.user, Perm.LEDGER_MANAGE)
    try:
        campaign_id = int(request.POST["spring_campaign"])
        version = int(request.POST.get("version", ""))
    except ValueError:
        messages.error(request, _("The form was incomplete; reload the page and try again."))
        return redirect("ledger:campaign_list")
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    try:
        campaign_services.campaign_update(
            actor=request.user,
            campaign=campaign,
            expected_version=version,
            spring_festival_exempt=request.POST.get("exempt") == "1",
        )
    except KaimenError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Campaign updated."))
    return redirect("ledger:campaign_list")


@login_required
@require_GET
def campaign_export(request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    exported = services.ledger_export(actor=request.user, campaign=campaign, fmt=fmt)
    return file_response(exported.content, exported.filename, exported.content_type)


# ---------------------------------------------------------------------------------------------
# From the speech to a draft


@login_required
def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = selectors.draft_list_for_user(user=request.user)
    page = Paginator(drafts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "ledger/draft_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def draft_new(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.LEDGER_MANAGE)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {"title": data["title"], "year": data["year"], "campaign": data["campaign"]}
        try:
            if data["file"]:
                outcome = services.draft_upload_file(
                    actor=request.user, upload=data["file"], **common
                )
            else:
                outcome = services.draft_upload_text(
                    actor=request.user, text=data["text"], **common
                )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            _say_which_version(request, outcome)
            return redirect("ledger:draft_review", draft_id=outcome.draft.pk)
    return render(request, "ledger/draft_new.html", {"form": form})


def _say_which_version(request: HttpRequest, outcome) -> None:
    draft = outcome.draft
    facts = {
        "n": draft.document.number,
        "title": draft.document.title,
        "year": draft.year or "—",
        "when": timezone.localtime(draft.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    if outcome.reopened:
        messages.info(
            request,
            _(
                "This file was read before with the same title and year: version %(n)s "
                "(“%(title)s”, %(year)s, uploaded %(when)s) is opened again, nothing was changed."
            )
            % facts,
        )
    elif draft.document.number > 1:
        messages.success(
            request,
            _(
                "This file was read before under another title or year: this is a new "
                "version %(n)s (“%(title)s”, %(year)s); the earlier versions stay as they were."
            )
            % facts,
        )


def _review_context(draft) -> dict:
    items = selectors.draft_items(draft)
    text = draft.document.extracted_text
    spans = [
        (item.pk, Span(item.source_start, item.source_end))
        for item in items
        if item.source_start is not None and item.source_end is not None
    ]
    tasks = [i for i in items if i.is_leaf and i.kind == TaskKind.TASK]
    start = timezone.localdate(draft.created_at)
    if draft.campaign_end and start > draft.campaign_end:
        # A speech read after its campaign (a past quarter's plan): the campaign's own year.
        start = date(draft.campaign_end.year, 1, 1)
    initial = {"campaign": draft.campaign, "new_start": start, "new_end": draft.campaign_end}
    return {
        "draft": draft,
        "items": items,
        "segments": segments(text, spans),
        "proposals": list(draft.unit_proposals.select_related("unit")),
        "task_count": len(tasks),
        "pending_count": sum(1 for i in tasks if i.decision == "pending"),
        "accepted_count": sum(1 for i in tasks if i.decision == "accepted"),
        "publish_form": forms.PublishForm(initial=initial),
        "is_open": draft.status == DraftStatus.OPEN,
        "tasks": selectors.draft_published_tasks(draft),
        "unit_options": _unit_options(items),
        "versions": selectors.draft_versions(draft),
    }


@login_required
@never_cache
def draft_review(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, draft_id=draft_id)
    return render(request, "ledger/draft_review.html", _review_context(draft))


def _item_row(request: HttpRequest, item, *, error: str = "") -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item.pk)
    context = {
        "item": item,
        "draft": item.draft,
        "is_open": item.draft.status == DraftStatus.OPEN,
        "error": error,
        "unit_options": _unit_options([item]),
    }
    return render(request, "ledger/draft_review.html#item-row", context)


def _unit_options(items) -> list:
    """The units offered to map a name the document gives (only when one awaits a decision)."""
    if any(item.open_unmatched() for item in items):
        return list(unit_choices())
    return []


@login_required
@require_http_methods(["GET", "POST"])
def draft_item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    initial = {
        "version": item.version,
        "heading": item.heading,
        "text": item.text,
        "kind": item.kind,
        "lead_unit": item.lead_unit,
        "co_units": item.co_units.all(),
        "deadline": item.deadline,
        "cadence": item.cadence,
        "milestones": "\n".join(f"{m['date']} {m['label']}" for m in item.milestones),
    }
    form = forms.DraftItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.draft_item_update(
                actor=request.user, item=item, expected_version=version, **data
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if request.htmx:
                return _item_row(request, item)
            return redirect("ledger:draft_review", draft_id=item.draft_id)
    template = (
        "ledger/draft_item_edit.html#item-form" if request.htmx else "ledger/draft_item_edit.html"
    )
    return render(request, template, {"form": form, "item": item})


@login_required
@require_GET
def draft_item_row(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    return _item_row(request, item)


def _draft_action(
    request: HttpRequest, draft_id: int, action: Callable[[], object]
) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect("ledger:draft_review", draft_id=draft_id)


@login_required
@require_POST
def draft_item_decide(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    form = forms.DecisionForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise ValidationError(_("Unknown decision."))
        services.draft_item_decide(
            actor=request.user, item=item, decision=form.cleaned_data["decision"]
        )
    except ValidationError as exc:
        error = exc.message
    if request.htmx:
        return _item_row(request, item, error=error)
    if error:
        messages.error(request, error)
    return redirect("ledger:draft_review", draft_id=item.draft_id)


def _item_result(request: HttpRequest, item, error: str) -> HttpResponse:
    if request.htmx:
        return _item_row(request, item, error=error)
    if error:
        messages.error(request, error)
    return redirect("ledger:draft_review", draft_id=item.draft_id)


@login_required
@require_POST
def draft_item_map_unit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    form = forms.MapUnitForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose the unit this name stands for."), field="unit")
        services.draft_item_map_unit(actor=request.user, item=item, **form.cleaned_data)
    except ValidationError as exc:
        error = exc.message
    return _item_result(request, item, error)


@login_required
@require_POST
def draft_item_refer_unit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    form = forms.UnmatchedNameForm(request.POST)
    error = ""
    try:
        if not form.is_valid():
            raise ValidationError(_("The page is out of date: reload it and try again."))
        services.draft_item_refer_unit(actor=request.user, item=item, **form.cleaned_data)
    except ValidationError as exc:
        error = exc.message
    return _item_result(request, item, error)


@login_required
@require_POST
def draft_item_merge(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    return _draft_action(
        request, item.draft_id, lambda: services.draft_item_merge(actor=request.user, item=item)
    )


@login_required
@require_POST
def draft_item_split(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.draft_item_get_for_user(user=request.user, item_id=item_id)
    form = forms.SplitForm(request.POST)
    at = form.cleaned_data["at"] if form.is_valid() else 0
    return _draft_action(
        request,
        item.draft_id,
        lambda: services.draft_item_split(actor=request.user, item=item, at=at),
    )


@login_required
@require_POST
def draft_accept_complete(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, draft_id=draft_id)

    def action() -> None:
        count = services.draft_accept_complete(actor=request.user, draft=draft)
        messages.success(request, _("%(n)s tasks accepted.") % {"n": count})

    return _draft_action(request, draft.pk, action)


@login_required
@require_POST
def unit_proposal_decide(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = selectors.unit_proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    accept = request.POST.get("accept") == "1"
    return _draft_action(
        request,
        proposal.draft_id,
        lambda: services.unit_proposal_decide(actor=request.user, proposal=proposal, accept=accept),
    )


@login_required
@require_POST
def draft_publish(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, draft_id=draft_id)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        context = _review_context(draft) | {"publish_form": form}
        return render(request, "ledger/draft_review.html", context, status=400)
    data = form.cleaned_data
    new = None
    if data["campaign"] is None:
        new = services.NewCampaign(data["new_name"], data["new_start"], data["new_end"])
    try:
        result = services.draft_publish(
            actor=request.user, draft=draft, campaign=data["campaign"], new_campaign=new
        )
    except ValidationError as exc:
        _form_error(form, exc)
        context = _review_context(draft) | {"publish_form": form}
        return render(request, "ledger/draft_review.html", context, status=400)
    messages.success(
        request,
        _("%(n)s tasks published into %(campaign)s.")
        % {"n": len(result.tasks), "campaign": result.campaign.name},
    )
    return redirect(f"{reverse('ledger:task_list')}?campaign={result.campaign.pk}")


# ---------------------------------------------------------------------------------------------
# Supervision: the one ladder is accountability's; the ledger keeps its former records


@login_required
@require_http_methods(["GET", "POST"])
def supervision_moved(request: HttpRequest, step_id: int | None = None) -> HttpResponse:
    """The former proposal pages (queue, decide, run now): proposals are accountability's now."""
    return redirect("accountability:queue")


@login_required
@require_GET
@never_cache
def supervision_history(request: HttpRequest) -> HttpResponse:
    """The ledger's supervision records from before the one ladder, read-only."""
    context = {
        "steps": selectors.supervision_history(user=request.user),
        "run": selectors.last_supervision_run(),
    }
    return render(request, "ledger/supervision_history.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def responsibility_table(request: HttpRequest) -> HttpResponse:
    """职责对照表: the office edits which words point at which unit."""
    entries = selectors.responsibility_entries_for_user(user=request.user)
    form = forms.ResponsibilityNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.responsibility_save(
                actor=request.user,
                unit=form.cleaned_data["unit"],
                keywords=form.cleaned_data["keywords"],
                duties=form.cleaned_data["duties"],
            )
        except ValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("ledger:responsibility")
    rows = [
        (
            entry,
            forms.ResponsibilityForm(
                initial={
                    "keywords": entry.keywords,
                    "duties": entry.duties,
                    "version": entry.version,
                },
                prefix=f"e{entry.pk}",
            ),
        )
        for entry in entries
    ]
    context = {
        "rows": rows,
        "form": form,
        "aliases": selectors.unit_aliases_for_user(user=request.user),
        "alias_form": forms.UnitAliasForm(),
        "shipped_names": selectors.shipped_short_names_in_use(),
    }
    return render(request, "ledger/responsibility.html", context)


@login_required
@require_POST
def responsibility_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.responsibility_entry_get(user=request.user, entry_id=entry_id)
    form = forms.ResponsibilityForm(request.POST, prefix=f"e{entry.pk}")
    if not form.is_valid() or not form.cleaned_data.get("version"):
        messages.error(request, _("Fill in at least one keyword."))
        return redirect("ledger:responsibility")
    try:
        services.responsibility_save(
            actor=request.user,
            unit=entry.unit,
            keywords=form.cleaned_data["keywords"],
            duties=form.cleaned_data["duties"],
            expected_version=form.cleaned_data["version"],
        )
    except ValidationError as exc:
        messages.error(request, f"{entry.unit.name}:{exc.message}")
    else:
        messages.success(request, _("Saved."))
    return redirect("ledger:responsibility")


@login_required
@require_POST
def responsibility_remove(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = selectors.responsibility_entry_get(user=request.user, entry_id=entry_id)
    services.responsibility_remove(actor=request.user, entry=entry)
    messages.success(request, _("Removed."))
    return redirect("ledger:responsibility")


@login_required
@require_POST
def unit_alias_add(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.LEDGER_MANAGE)
    form = forms.UnitAliasForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in the name and choose the unit it stands for."))
        return redirect("ledger:responsibility")
    try:
        services.unit_alias_add(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(request, _("Saved."))
    return redirect("ledger:responsibility")


@login_required
@require_POST
def unit_alias_remove(request: HttpRequest, alias_id: int) -> HttpResponse:
    alias = selectors.unit_alias_get(user=request.user, alias_id=alias_id)
    services.unit_alias_remove(actor=request.user, alias=alias)
    messages.success(request, _("Removed."))
    return redirect("ledger:responsibility")


@login_required
@require_POST
def responsibility_load_defaults(request: HttpRequest) -> HttpResponse:
    added = services.responsibility_load_defaults(actor=request.user)
    messages.success(
        request, _("%(n)d entries added from the table shipped with Kaimen.") % {"n": added}
    )
    return redirect("ledger:responsibility")
