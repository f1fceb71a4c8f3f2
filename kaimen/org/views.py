"""The office's pages for units, people and roles. Thin: selector → form → service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kaimen.audit.services import record
from kaimen.lib import flash
from kaimen.lib.errors import ValidationError
from kaimen.lib.text import mask_phone
from kaimen.org import scope, selectors, services
from kaimen.org.forms import (
    MembershipForm,
    PersonCreateForm,
    PersonEditForm,
    PersonFilterForm,
    ReasonForm,
    TemporaryPasswordForm,
    TokenForm,
    UnitContactForm,
    UnitCreateForm,
    UnitFilterForm,
    UnitForm,
)
from kaimen.org.models import UnitKind
from kaimen.org.scope import Perm

PAGE_SIZE = 50


def _form_error(form, exc: ValidationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    filters = UnitFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    units = selectors.unit_list_for_user(
        user=request.user, kind=data.get("kind", ""), query=data.get("q", "")
    )
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "can_manage": scope.can(request.user, Perm.MANAGE_UNITS),
        "kinds": UnitKind,
    }
    template = "org/unit_list.html#unit-table" if request.htmx else "org/unit_list.html"
    return render(request, template, context)


@login_required
@never_cache  # lists the unit's people (masked phones, but personal data all the same)
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, unit_id=unit_id)
    people = None
    if scope.can(request.user, Perm.VIEW_PEOPLE, unit):
        people = selectors.people_list_for_user(user=request.user, unit=unit)
    context = {
        "unit": unit,
        "people": people,
        "can_manage": scope.can(request.user, Perm.MANAGE_UNITS),
        "can_edit_contact": scope.can(request.user, Perm.EDIT_UNIT_CONTACT, unit),
        "children": unit.children.all(),
    }
    return render(request, "org/unit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.MANAGE_UNITS)
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Unit “%(name)s” created.") % {"name": unit.name})
            return redirect("org:unit_detail", unit_id=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": None})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, unit_id=unit_id)
    full = scope.can(request.user, Perm.MANAGE_UNITS)
    if not full:
        scope.require(request.user, Perm.EDIT_UNIT_CONTACT, unit)
    form_class = UnitForm if full else UnitContactForm
    initial = {name: getattr(unit, name) for name in form_class.base_fields}
    initial["version"] = unit.version
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        # Only posted fields the form knows are passed on; anything else is ignored here and a
        # liaison cannot reach full edits by posting extra fields.
        try:
            services.unit_update(actor=request.user, unit=unit, expected_version=version, **changes)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:unit_detail", unit_id=unit.pk)
    return render(request, "org/unit_form.html", {"form": form, "unit": unit})


@login_required
@require_POST
def unit_set_active(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = selectors.unit_get_for_user(user=request.user, unit_id=unit_id)
    active = request.POST.get("active") == "1"
    try:
        services.unit_set_active(actor=request.user, unit=unit, active=active)
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect("org:unit_detail", unit_id=unit.pk)


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    filters = PersonFilterForm(request.GET or None)
    filters.is_valid()
    data = getattr(filters, "cleaned_data", {})
    people = selectors.people_list_for_user(
        user=request.user, query=data.get("q", ""), include_inactive=data.get("inactive", False)
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "can_manage": scope.can(request.user, Perm.MANAGE_PEOPLE),
    }
    template = "org/people_list.html#people-table" if request.htmx else "org/people_list.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"  # personal data (masked, but still a directory)
    return response


@login_required
@never_cache
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, person_id=person_id)
    context = {
        "person": person,
        "masked_phone": mask_phone(person.phone) if person.phone else "",
        "can_manage": scope.can(request.user, Perm.MANAGE_PEOPLE, person),
        "can_reveal": bool(person.phone)
        and scope.can(request.user, Perm.REVEAL_PERSONAL_DATA, person),
        "can_grant": scope.can(request.user, Perm.GRANT_ROLE),
        "membership_form": MembershipForm(),
        "reason_form": ReasonForm(),
        "password_form": TemporaryPasswordForm(),
        "token_form": TokenForm(),
        "tokens": selectors.api_tokens_of(person=person)
        if scope.can(request.user, Perm.MANAGE_PEOPLE, person)
        else [],
    }
    return render(request, "org/person_detail.html", context)


@login_required
@never_cache
@require_POST
def person_reveal_phone(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, person_id=person_id)
    scope.require(request.user, Perm.REVEAL_PERSONAL_DATA, person)
    record(actor=request.user, action="pii.reveal", obj=person, message="手机号")
    return render(request, "org/_phone.html", {"phone": person.phone})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    scope.require(request.user, Perm.MANAGE_PEOPLE)
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit, role = data.pop("unit"), data.pop("role")
        try:
            person = services.person_create(actor=request.user, **data)
            if unit and role:
                services.membership_grant(actor=request.user, person=person, unit=unit, role=role)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Account “%(name)s” created; the person must change the password at first sign-in."
                )
                % {"name": person.username},
            )
            return redirect("org:person_detail", person_id=person.pk)
    return render(request, "org/person_form.html", {"form": form, "person": None})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, person_id=person_id)
    scope.require(request.user, Perm.MANAGE_PEOPLE, person)
    initial = {
        "display_name": person.display_name,
        "phone": person.phone,
        "email": person.email,
        "version": person.version,
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = dict(form.cleaned_data)
        version = changes.pop("version")
        try:
            services.person_update(
                actor=request.user, person=person, expected_version=version, **changes
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("org:person_detail", person_id=person.pk)
    response = render(request, "org/person_form.html", {"form": form, "person": person})
    response["Cache-Control"] = "no-store"
    return response


def _person_action(request: HttpRequest, person_id: int, form_class, action) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, person_id=person_id)
    form = form_class(request.POST)
    if not form.is_valid():
        flash.form_errors(request, form)
        return redirect("org:person_detail", person_id=person.pk)
    try:
        action(person, form.cleaned_data)
    except ValidationError as exc:
        flash.service_error(request, exc, form)
    else:
        messages.success(request, _("Done."))
    return redirect("org:person_detail", person_id=person.pk)


@login_required
@require_POST
def person_deactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_action(
        request,
        person_id,
        ReasonForm,
        lambda person, data: services.person_deactivate(
            actor=request.user, person=person, reason=data["reason"]
        ),
    )


@login_required
@require_POST
def person_reactivate(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_action(
        request,
        person_id,
        TemporaryPasswordForm,
        lambda person, data: services.person_reactivate(
            actor=request.user, person=person, temporary_password=data["temporary_password"]
        ),
    )


@login_required
@require_POST
def person_reset_password(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_action(
        request,
        person_id,
        TemporaryPasswordForm,
        lambda person, data: services.password_reset(
            actor=request.user, person=person, temporary_password=data["temporary_password"]
        ),
    )


@login_required
@require_POST
def membership_add(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_action(
        request,
        person_id,
        MembershipForm,
        lambda person, data: services.membership_grant(
            actor=request.user, person=person, unit=data["unit"], role=data["role"]
        ),
    )


@login_required
@require_POST
def membership_end(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership_get(membership_id=membership_id)
    selectors.person_get_for_user(user=request.user, person_id=membership.user_id)
    try:
        services.membership_end(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, exc.message)
    return redirect("org:person_detail", person_id=membership.user_id)


@login_required
@never_cache
@require_POST
def person_token_issue(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, person_id=person_id)
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a purpose and a lifetime of 1 to 365 days."))
        return redirect("org:person_detail", person_id=person.pk)
    try:
        token, text = services.api_token_issue(
            actor=request.user,
            person=person,
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
        )
    except ValidationError as exc:
        flash.service_error(request, exc, form)
        return redirect("org:person_detail", person_id=person.pk)
    # Rendered, not redirected: the token is shown this once and never stored in a message.
    response = render(
        request, "org/token_issued.html", {"person": person, "token": token, "text": text}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get(token_id=token_id)
    selectors.person_get_for_user(user=request.user, person_id=token.user_id)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("org:person_detail", person_id=token.user_id)
