"""Form widgets every app shares.

A browser's ``<input type="date">`` accepts only ISO dates (``2025-03-31``). Django renders a
date in the active locale's first input format, which for zh-hans is ``2025/03/31``: the browser
drops it, the field looks empty, and saving the form unchanged erases the date. Every date field
in Kaimen therefore uses ``DateInput`` below, which always writes ISO.
"""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):  # noqa: A002 - Django's own argument name
        super().__init__(attrs=attrs, format=format or ISO_DATE)
