"""Periodic jobs of the targets app (huey)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from kaimen.targets import imports, red_light_jobs

# The red-light jobs live in their own module; importing it here registers them with the
# consumer, which loads each app's tasks.py.
__all__ = ["clear_stale_uploads", "reap_interrupted_imports", "red_light_jobs"]


@db_periodic_task(crontab(minute="*/10"), retries=2, retry_delay=60)
@lock_task("targets-reap-interrupted-imports")
def reap_interrupted_imports() -> int:
    """An import whose process died stays "running"; past its lease it is marked failed, so the
    office sees it and can try again."""
    return imports.imports_reap_interrupted()


@db_periodic_task(crontab(hour="3", minute="20"), retries=2, retry_delay=600)
@lock_task("targets-clear-stale-uploads")
def clear_stale_uploads() -> int:
    """Uploaded workbooks that were never imported are not kept beyond a week."""
    return imports.imports_clear_stale_files()
