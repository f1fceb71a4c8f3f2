"""A refused form on a page that redirects: each of its errors becomes a message on the next page."""

from __future__ import annotations

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest


def form_errors(request: HttpRequest, form: Form) -> None:
    """Put every error of ``form`` (field and non-field) into the request's messages."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
