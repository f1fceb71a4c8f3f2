"""The notifications accountability sends, and their wording: a confirmed step of the ladder
提醒 → 督办 → 约谈 → 通报 → 问责建议."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.notify import Notified, notify
from kaimen.org.models import Role

ACCOUNTABILITY_CONFIRMED = events.EventType(
    "accountability_confirmed",
    _("Accountability step confirmed"),
    app="accountability",
    order=40,
)


def register_events() -> None:
    events.register(ACCOUNTABILITY_CONFIRMED)


def accountability_step_confirmed(
    *,
    unit,
    step: str,
    reason: str,
    link: str,
    users: Iterable = (),
    dedupe_key: str = "",
) -> Notified:
    """A person confirmed a step (提醒, 督办, 约谈, 通报, 问责建议) for ``unit``: its liaisons
    (who may attach the unit's explanation) and the district leaders are told. Call it inside
    the confirming service's transaction; pass e.g. ``dedupe_key=f"accountability:{step.pk}"``.
    """
    name = getattr(unit, "name", "")
    return notify(
        ACCOUNTABILITY_CONFIRMED.code,
        title=f"{name}：{step}已确认" if name else f"{step}已确认",
        body=reason,
        link=link,
        units=[unit],
        users=users,
        roles=[Role.LEADER],
        dedupe_key=dedupe_key,
    )
