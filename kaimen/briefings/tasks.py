"""Periodic jobs of the briefings (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kaimen.briefings import services


@db_periodic_task(crontab(day_of_week="1", hour="8", minute="0"))
@lock_task("briefings-weekly")
def weekly_briefing() -> int | None:
    """Monday 08:00: the week's briefing, on working days of the official calendar only (a
    Monday in the Spring Festival or National Day holiday gets none). Idempotent per ISO week:
    a second run in the same week returns the issue already built."""
    briefing = services.briefing_build_scheduled()
    return briefing.pk if briefing else None
