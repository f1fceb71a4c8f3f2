"""The notifications evaluation sends, and their wording: a published ranking or 红黑榜."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import events
from kaimen.notifications.notify import Notified, notify
from kaimen.org.models import Role

RANKING_PUBLISHED = events.EventType(
    "ranking_published", _("Ranking published"), app="evaluation", order=30
)


def register_events() -> None:
    events.register(RANKING_PUBLISHED)


def ranking_published(
    *,
    title: str,
    summary: str,
    link: str,
    unit_ids: Iterable[int] = (),
    dedupe_key: str = "",
) -> Notified:
    """A ranking or 红黑榜 the office published: leaders, the office, and the liaisons of the
    ranked units (each unit then reads its own standing behind ``link``). Call it inside the
    publishing service's transaction; pass e.g. ``dedupe_key=f"ranking:{ranking.pk}"``."""
    return notify(
        RANKING_PUBLISHED.code,
        title=title,
        body=summary,
        link=link,
        units=unit_ids,
        roles=[Role.LEADER, Role.OFFICE],
        dedupe_key=dedupe_key,
    )
