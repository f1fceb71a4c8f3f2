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
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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


class DirectRender:
    """A select that writes its HTML directly instead of through one template per option.

    Django renders every ``<option>`` through the template engine, which on a filter of 200
    units costs more than the query behind the page. The markup is the same as Django's own
    (``optgroups`` decides grouping and selection), so subclasses that group still work.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final = {"name": name, **self.build_attrs(self.attrs, attrs)}
        if self.allow_multiple_selected:
            final["multiple"] = True
        groups = []
        for group_name, options, _index in self.optgroups(name, self.format_value(value), final):
            body = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), _attrs(o["attrs"]), o["label"]) for o in options),
            )
            if group_name:
                groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, body))
            else:
                groups.append(body)
        return format_html("<select{}>{}</select>", _attrs(final), SafeString("".join(groups)))


class Select(DirectRender, forms.Select):
    pass


class SelectMultiple(DirectRender, forms.SelectMultiple):
    pass


def _attrs(attrs: dict) -> SafeString:
    """HTML attributes in their given order, as Django's attrs.html writes them: True as a bare
    name, False and None left out."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", k) if v is True else format_html(' {}="{}"', k, v),)
            for k, v in attrs.items()
            if v is not False and v is not None
        ),
    )
