"""Template helpers of the targets pages: figures without trailing zeros, lights, permissions."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from kaimen.org import scope

register = template.Library()


@register.filter
def fig(value) -> str:
    """A stored figure as people write it: 52.3100 → 52.31, 3300.0000 → 3300."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return text


@register.filter
def pct(value) -> str:
    if value is None:
        return "—"
    return f"{fig(value)}%"


@register.filter
def signed(value) -> str:
    if value is None:
        return "—"
    text = fig(value)
    return text if text.startswith("-") else f"+{text}"


@register.filter
def light_name(light) -> str:
    name = LIGHT_NAMES.get(str(light) if light else "", "No light")
    return _(name)


# msgids of the light names (translated when shown, one per row)
LIGHT_NAMES = {"green": "Green", "yellow": "Yellow", "red": "Red"}


@register.simple_tag(takes_context=True)
def can_targets(context, perm: str, obj=None) -> bool:
    user = context.get("user") or getattr(context.get("request"), "user", None)
    return bool(user) and scope.can(user, perm, obj)


@register.filter
def share_pct(value) -> str:
    """A share of the year (0..1) as a percentage with two decimals."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.01'))}%"


@register.filter
def item(mapping, key):
    """``mapping[key]``, or "" (a dict the view built, read in the template)."""
    return mapping.get(key, "") if mapping else ""
