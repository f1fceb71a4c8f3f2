"""The ledger's daily check: it refreshes the task lights.

It proposes nothing: escalation (提醒 → 督办 → 约谈 → 通报 → 问责建议) is the one ladder in
``accountability``, which reads the ledger's missed reports and overdue tasks through
``kaimen.ledger.escalation``. The ledger's supervision records from before stay readable
(``selectors.supervision_history``).
"""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.db.models import Prefetch

from kaimen.audit.models import Outcome
from kaimen.audit.services import record
from kaimen.ledger.models import (
    OPEN_STATUSES,
    Milestone,
    RunStatus,
    SupervisionRun,
    Task,
)
from kaimen.ledger.services.common import (
    apply_light,
)
from kaimen.lib import clock, official_calendar
from kaimen.lib.workdays import CalendarYearMissing
from kaimen.org import scope
from kaimen.org.scope import Perm

logger = logging.getLogger(__name__)


def supervision_run(*, actor=None, today: date | None = None) -> SupervisionRun:
    """The daily check (huey runs it every morning): the lights of the open tasks.

    A year without calendar data fails loudly: logged as an error, recorded as a failed run the
    office sees, and audited.
    """
    if actor is not None:
        scope.require(actor, Perm.LEDGER_MANAGE)
    today = today or clock.today()
    tasks = list(
        Task.objects.filter(status__in=OPEN_STATUSES, campaign__status="active")
        .select_related("lead_unit")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due")))
    )
    try:
        cal = official_calendar.load()
        cal.require_year(today.year)
        workday = cal.is_workday(today)
        with transaction.atomic():
            changed = sum(apply_light(task, cal=cal, today=today) for task in tasks)
            run = SupervisionRun.objects.create(
                day=today,
                status=RunStatus.OK if workday else RunStatus.SKIPPED,
                proposed=0,
                lights_changed=changed,
                at=clock.now(),
            )
            record(
                actor=actor,
                actor_name=None if actor else "system",
                action="ledger.supervision.run",
                obj=run,
                after={
                    "day": today.isoformat(),
                    "workday": workday,
                    "tasks": len(tasks),
                    "lights_changed": changed,
                },
            )
        return run
    except CalendarYearMissing as exc:
        logger.error("supervision check of %s failed: %s", today, exc.message)
        with transaction.atomic():
            run = SupervisionRun.objects.create(
                day=today, status=RunStatus.FAILED, message=exc.message[:500], at=clock.now()
            )
            record(
                actor=actor,
                actor_name=None if actor else "system",
                action="ledger.supervision.run",
                obj=run,
                outcome=Outcome.FAILURE,
                message=exc.message[:300],
            )
        return run
