"""Queue jobs of the notifications (huey); the consumer loads each app's ``tasks`` module.

Each job takes ids, calls one function and never raises: a failed delivery is a row in the log
with its next try, not a huey retry, so the waits and the "gave up" state are visible to the
office and survive a restart of the queue.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from kaimen.notifications import delivery


@db_task()
def delivery_send_task(delivery_id: int) -> str:
    return delivery.delivery_send(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("notify-deliveries-due")
def deliveries_due() -> int:
    """Every minute: retries whose back-off has passed, and deliveries the queue lost."""
    return delivery.deliveries_send_due()
