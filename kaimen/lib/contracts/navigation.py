"""The main menu. Each app adds its entries here with the permission that shows them, so the
menu never offers a page that would answer 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str | None  # a kaimen.org.scope.Perm value; None = every signed-in user
    section: str  # the first path segment, to mark the current item


ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", None, ""),
    NavItem(_("Units"), "org:unit_list", "units.view", "org/units"),
    NavItem(_("People"), "org:people_list", "people.view", "org/people"),
    NavItem(_("Audit log"), "audit:event_list", "audit.view", "audit"),
    NavItem(_("Security"), "org:security", "security.manage", "org/security"),
]


def register(item: NavItem, *, before: str | None = None) -> None:
    """Add a module's entry (apps call this from ``AppConfig.ready``)."""
    if any(existing.url_name == item.url_name for existing in ITEMS):
        return
    if before:
        for index, existing in enumerate(ITEMS):
            if existing.url_name == before:
                ITEMS.insert(index, item)
                return
    ITEMS.append(item)
