"""Form widgets every app shares.

A browser's ``<input type="date">`` accepts only ISO dates (``2025-03-31``). Django renders a
date in the active locale's first input format, which for zh-hans is ``2025/03/31``: the browser
drops it, the field looks empty, and saving the form unchanged erases the date. Every date field
in Kaimen therefore uses ``DateInput`` below, which always writes ISO.

Attachments come in through ``MultipleFileField``, whose file dialog offers the kinds that
``kaimen.lib.uploads`` accepts.
"""

from __future__ import annotations

from django import forms

from kaimen.lib.uploads import ACCEPT_ATTR

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": ACCEPT_ATTR, **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several attachments in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
