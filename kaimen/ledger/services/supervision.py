"""Supervision: the daily job proposes 提醒 → 督办单 → 通报, the office decides."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from kaimen.audit.models import Outcome
from kaimen.audit.services import record
from kaimen.ledger import lights, notices
from kaimen.ledger.models import (
    OPEN_STATUSES,
    Milestone,
    RunStatus,
    StepState,
    SupervisionRun,
    SupervisionStep,
    Task,
    Trigger,
)
from kaimen.ledger.services.common import (
    apply_light,
    clean_text,
)
from kaimen.lib import clock, official_calendar
from kaimen.lib.errors import ValidationError
from kaimen.lib.official_calendar import OfficialCalendar
from kaimen.lib.workdays import CalendarYearMissing
from kaimen.org import scope
from kaimen.org.scope import Perm

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Supervision: the daily job proposes, the office decides


def supervision_decide(
    *, actor, step: SupervisionStep, confirm: bool, note: str = ""
) -> SupervisionStep:
    scope.require(actor, Perm.LEDGER_MANAGE, step.task)
    note = clean_text(note, field="note", max_len=300, required=not confirm)
    with transaction.atomic():
        locked = SupervisionStep.objects.select_for_update().get(pk=step.pk)
        if locked.state != StepState.PROPOSED:
            raise ValidationError("这条督办建议已经处理过了。")
        locked.state = StepState.CONFIRMED if confirm else StepState.DISMISSED
        locked.decided_by = actor
        locked.decided_at = clock.now()
        locked.decision_note = note
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        record(
            actor=actor,
            action="ledger.supervision.confirm" if confirm else "ledger.supervision.dismiss",
            obj=locked,
            unit=locked.task.lead_unit_id,
            before={"state": StepState.PROPOSED},
            after={"state": locked.state, "level": locked.level},
            message=note,
        )
        if confirm:
            notices.supervision_issued(step=locked)
    return locked


@dataclass(frozen=True)
class _Cause:
    trigger: str
    key: str
    reason: str


def _causes(task: Task, *, cal: OfficialCalendar, today: date) -> list[_Cause]:
    causes: list[_Cause] = []
    since = timezone.localdate(task.last_report_at or task.published_at)
    due = lights.next_report_due(since=since, cadence=task.cadence, cal=cal)
    if today > due:
        late = cal.workdays_between(due, today)
        causes.append(
            _Cause(
                Trigger.REPORT,
                f"report:{due.isoformat()}",
                f"进展应于{due:%Y-%m-%d}前报送,已逾期{late}个工作日未报",
            )
        )
    if today > task.deadline:
        late = cal.workdays_between(task.deadline, today)
        causes.append(
            _Cause(
                Trigger.DEADLINE,
                f"deadline:{task.deadline.isoformat()}",
                f"完成时限{task.deadline:%Y-%m-%d}已过{late}个工作日,任务未完成",
            )
        )
    for milestone in task.milestones.all():
        if milestone.reached_at is None and today > milestone.due:
            causes.append(
                _Cause(
                    Trigger.MILESTONE,
                    f"milestone:{milestone.pk}:{milestone.due.isoformat()}",
                    f"节点“{milestone.label[:60]}”应于{milestone.due:%Y-%m-%d}完成,尚未完成",
                )
            )
    return causes


def _propose_steps(tasks: list[Task], *, cal: OfficialCalendar, today: date) -> tuple[int, int]:
    """Propose the next rung for every cause of every open task; withdraw proposals whose cause
    is gone. Returns (proposed, withdrawn)."""
    steps_by_key: dict[tuple[int, str], list[SupervisionStep]] = {}
    for step in SupervisionStep.objects.filter(task__in=tasks):
        steps_by_key.setdefault((step.task_id, step.trigger_key), []).append(step)
    now = clock.now()
    new: list[SupervisionStep] = []
    live: set[tuple[int, str]] = set()
    for task in tasks:
        for cause in _causes(task, cal=cal, today=today):
            live.add((task.pk, cause.key))
            history = [
                lights.StepRecord(
                    s.level, s.state, timezone.localdate(s.decided_at) if s.decided_at else None
                )
                for s in steps_by_key.get((task.pk, cause.key), [])
            ]
            level = lights.next_level(steps=history, today=today, cal=cal)
            if level is not None:
                new.append(
                    SupervisionStep(
                        task=task,
                        trigger=cause.trigger,
                        trigger_key=cause.key,
                        level=level,
                        reason=cause.reason[:300],
                        proposed_at=now,
                    )
                )
    stale = [
        s.pk
        for (task_id, key), steps in steps_by_key.items()
        if (task_id, key) not in live
        for s in steps
        if s.state == StepState.PROPOSED
    ]
    SupervisionStep.objects.filter(pk__in=stale).update(
        state=StepState.WITHDRAWN, decided_at=now, decision_note="原因已消除(已报送或已完成)"
    )
    # ignore_conflicts: a second run racing this one finds the same rows already there.
    SupervisionStep.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), len(stale)


def supervision_run(*, actor=None, today: date | None = None) -> SupervisionRun:
    """The daily check (huey runs it every morning; the office may run it by hand).

    Lights are refreshed every day; ladder steps are proposed — never applied — only on working
    days of the official calendar. A year without calendar data fails loudly: logged as an
    error, recorded as a failed run the office sees, and audited.
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
            proposed = withdrawn = 0
            if workday:
                proposed, withdrawn = _propose_steps(tasks, cal=cal, today=today)
            run = SupervisionRun.objects.create(
                day=today,
                status=RunStatus.OK if workday else RunStatus.SKIPPED,
                proposed=proposed,
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
                    "proposed": proposed,
                    "withdrawn": withdrawn,
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
