"""The header's unread badge (one COUNT a page) and small helpers of the notification pages."""

from __future__ import annotations

from django import template

from kaimen.notifications import selectors as notify_selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    return notify_selectors.unread_count(user=user)


@register.filter
def badge_number(value: int) -> str:
    return "99+" if value and value > 99 else str(value or 0)
