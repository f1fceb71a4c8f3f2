"""The main menu. Each app adds its entries here with the permission that shows them, so the
menu never offers a page that would answer 403.

Entries sit in a few groups (驾驶舱 · 任务 · 目标 · 考核 · 通报 · 管理) so the menu keeps to one
line on a 1366-pixel laptop for every role: a group the user sees one entry of is that entry's
link, a group with more is a drop-down."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str | None  # a kaimen.org.scope.Perm value; None = every signed-in user
    section: str  # the first path segment, to mark the current item
    group: str = ""  # a key of GROUPS; "" = a group of its own, after the others


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str | Promise


# The groups in menu order.
GROUPS: list[NavGroup] = [
    NavGroup("dashboard", pgettext_lazy("main menu", "Dashboard")),
    NavGroup("home", pgettext_lazy("main menu", "Home")),
    NavGroup("tasks", pgettext_lazy("main menu", "Tasks")),
    NavGroup("targets", pgettext_lazy("main menu", "Targets")),
    NavGroup("evaluation", pgettext_lazy("main menu", "Evaluation")),
    NavGroup("briefings", pgettext_lazy("main menu", "Briefings")),
    NavGroup("admin", pgettext_lazy("main menu", "Administration")),
]

ITEMS: list[NavItem] = [
    NavItem(_("Home"), "core:home", None, "", group="home"),
    NavItem(_("Units"), "org:unit_list", "units.view", "org/units", group="admin"),
    NavItem(_("People"), "org:people_list", "people.view", "org/people", group="admin"),
    NavItem(_("Audit log"), "audit:event_list", "audit.view", "audit", group="admin"),
    NavItem(_("Security"), "org:security", "security.manage", "org/security", group="admin"),
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


@dataclass(frozen=True)
class Landing:
    """The first screen of users holding ``role`` (when they may open it), instead of 首页."""

    role: str
    url_name: str
    perm: str


LANDINGS: list[Landing] = []


def register_landing(landing: Landing) -> None:
    if landing not in LANDINGS:
        LANDINGS.append(landing)
