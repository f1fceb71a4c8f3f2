"""The red-light jobs: after new figures, and every morning, tell each owner unit about its red
lights that have no explanation yet (the wording is in ``notices``).

``red_lights_check_on_commit`` is what the figures' services call; the queue jobs are loaded by
the consumer through ``kaimen.targets.tasks``.
"""

from __future__ import annotations

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from kaimen.lib import clock
from kaimen.targets import notices


def red_lights_notify(*, year: int, end_month: int, indicator_id: int | None = None) -> int:
    """Tell each owner unit about its red lights that have no explanation yet; returns how many
    lights were announced to someone new. Idempotent: the key is indicator × unit × period."""
    from kaimen.targets.board import board_rows
    from kaimen.targets.selectors import responsible_unit_id

    announced = 0
    for row in board_rows(year=year, end_month=end_month, indicator_id=indicator_id):
        if not row.needs_explanation or row.period is None:
            continue
        result = notices.red_light(row=row, unit_id=responsible_unit_id(row.target))
        if result.notifications or result.deliveries:
            announced += 1
    return announced


def red_lights_notify_latest() -> int:
    """The latest release of the current year (the daily safety net)."""
    from kaimen.targets.selectors import latest_period_with_figures

    year = clock.today().year
    month = latest_period_with_figures(year)
    return red_lights_notify(year=year, end_month=month) if month else 0


def red_lights_check_on_commit(*, year: int, end_month: int, indicator_id: int | None = None):
    """For the figures' services, inside their transaction: the stored board is brought up to
    date at once (``board_store.sync_after_write``, so it commits with the figure), and after the
    figure is committed the red-light check of its indicator and period is queued
    (``indicator_id=None``: every indicator, after an import). A queue that is down never fails
    the figure; the daily check catches up."""
    from kaimen.targets import board_store

    board_store.sync_after_write(int(year))

    def enqueue() -> None:
        red_lights_check_task(int(year), int(end_month), indicator_id)

    transaction.on_commit(enqueue, robust=True)


@db_task()
def red_lights_check_task(year: int, end_month: int, indicator_id: int | None = None) -> int:
    """After new figures: tell the owner units of red lights that still lack an explanation."""
    return red_lights_notify(year=year, end_month=end_month, indicator_id=indicator_id)


@db_periodic_task(crontab(hour="7", minute="40"))
@lock_task("notify-red-lights")
def red_lights_daily() -> int:
    """Every morning, the latest release of the year: the safety net for lights that turned red
    without a new figure (a changed target or plan) or whose check the queue lost."""
    return red_lights_notify_latest()
