"""Periodic jobs of the ledger (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kaimen.ledger import services


@db_periodic_task(crontab(hour="7", minute="30"))
@lock_task("ledger-supervision")
def daily_supervision() -> int:
    """Every morning: refresh the lights and, on working days of the official calendar, propose
    the next supervision steps (the office confirms or dismisses them). It runs every day and
    decides itself whether the day is a working day, because only the calendar knows about
    调休 Saturdays. A failure (no calendar for the year) is logged and recorded by the service
    rather than retried: retrying cannot conjure the missing schedule."""
    return services.supervision_run().pk
