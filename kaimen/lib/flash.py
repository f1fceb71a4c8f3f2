"""A refused form on a page that redirects: each of its errors becomes a message on the next page,
naming the field it is about (「说明」：请填写内容。), since the field is no longer beside it."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.lib.errors import KaimenError


def with_field(form: Form | None, field: str | None, message: str) -> str:
    """``message`` prefixed with the label of ``form``'s ``field``; unchanged when the form has
    no such field (an error of the whole form) or the message already names it."""
    if form is None or not field or field not in form.fields:
        return str(message)
    label = str(form.fields[field].label or field)
    message = str(message)
    if label in message:
        return message
    return _("「%(field)s」：%(message)s") % {"field": label, "message": message}


def form_errors(request: HttpRequest, form: Form) -> None:
    """Put every error of ``form`` (field and non-field) into the request's messages."""
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, with_field(form, field, error))


def service_error(request: HttpRequest, exc: KaimenError, form: Form | None = None) -> None:
    """A service's refusal as a message, naming the field of ``form`` it is about."""
    messages.error(request, with_field(form, exc.field, exc.message))
