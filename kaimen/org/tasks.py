"""Periodic jobs of the org app (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kaimen.org import services


@db_periodic_task(crontab(hour="2", minute="10"), retries=2, retry_delay=600)
@lock_task("org-disable-idle-accounts")
def disable_idle_accounts() -> list[str]:
    """等保: accounts unused for KAIMEN_IDLE_ACCOUNT_DAYS days are disabled every night."""
    return services.accounts_disable_idle()
