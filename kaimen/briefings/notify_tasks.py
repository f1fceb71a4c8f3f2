"""Queue jobs of the notifications (huey). Imported by ``kaimen.briefings.tasks`` so the consumer
registers them.

Each job takes ids, calls one function and never raises: a failed delivery is a row in the log
with its next try, not a huey retry, so the waits and the "gave up" state are visible to the
office and survive a restart of the queue.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from kaimen.briefings import notify, notify_events


@db_task()
def delivery_send_task(delivery_id: int) -> str:
    return notify.delivery_send(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-deliveries-due")
def deliveries_due() -> int:
    """Every minute: retries whose back-off has passed, and deliveries the queue lost."""
    return notify.deliveries_send_due()


@db_task()
def red_lights_check_task(year: int, end_month: int, indicator_id: int | None = None) -> int:
    """After new figures: tell the owner units of red lights that still lack an explanation."""
    return notify_events.red_lights_notify(
        year=year, end_month=end_month, indicator_id=indicator_id
    )


@db_periodic_task(crontab(hour="7", minute="40"))
@lock_task("notify-red-lights")
def red_lights_daily() -> int:
    """Every morning, the latest release of the year: the safety net for lights that turned red
    without a new figure (a changed target or plan) or whose check the queue lost."""
    return notify_events.red_lights_notify_latest()
