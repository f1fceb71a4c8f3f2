"""Periodic jobs of the accountability record (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kaimen.accountability import services


@db_periodic_task(crontab(hour="7", minute="45"))
@lock_task("accountability-proposals")
def daily_proposals() -> int:
    """Every morning after the ledger's supervision check (07:30, which refreshes the task
    lights and the 督办单 it reads): run the rules and store their proposals, on working days of
    the official calendar only. It runs every day and lets the calendar decide, because only
    the calendar knows the 调休 Saturdays. A failure (no calendar for the year) is recorded by
    the service rather than retried: retrying cannot conjure the missing schedule."""
    return services.proposals_run(workdays_only=True).pk
