"""Periodic jobs of the scorecards (huey): the drafts of each week and month.

The job only computes drafts; nothing reaches the units until the office shows a draft, and
nothing is published until the office confirms after the objection window."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kaimen.evaluation import services


@db_periodic_task(crontab(hour="6", minute="40"))
@lock_task("evaluation-drafts")
def scheduled_drafts() -> list[int]:
    """Every morning: on Mondays last week's draft, on the 1st last month's, for each running
    campaign with a scheme. A period already computed is left alone (the office may have shown
    it to the units), so running twice changes nothing."""
    return [run.pk for run in services.run_compute_scheduled()]
