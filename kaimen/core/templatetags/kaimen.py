from __future__ import annotations

from django import template
from django.utils.http import urlencode

from kaimen.lib.text import mask_phone

register = template.Library()


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value) if value else ""


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (for pagers under filters).

    Built from plain lists: copying the request's QueryDict deep-copies it, once per link, and a
    board of fifty rows has a link on each."""
    params = dict(context["request"].GET.lists())
    for key, value in changes.items():
        params[key] = [value]
    return urlencode(params, doseq=True)
