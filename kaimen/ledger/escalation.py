"""The ledger's escalation facts and its supervision history, for the one ladder.

Registered from ``LedgerConfig.ready()`` in ``kaimen.lib.contracts.escalation``; the ladder
itself (proposals, confirmation) lives in ``accountability``, which reads only the registry.

Facts, one per lapse:

* a missed progress report — from the day a report was due (one cadence after the last report,
  or the publication) until a report comes in. A lapse is counted once however many cadences it
  lasts: a unit that does not report for six weeks has one lapse, not six. A report after the
  due date ends the lapse (a late report); the next lapse is reckoned from that report.
* a task past its deadline and not reported done; with the latest 督办单 the ledger's former
  supervision ladder confirmed, if any (it counts as a 督办 a person issued);
* a milestone past its date and not reached.

Prior steps: the ledger's supervision records from before the one ladder (提醒 → 督办单 → 通报,
confirmed by the office) stay on record and count as the rungs they were.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.urls import reverse
from django.utils import timezone

from kaimen.ledger import lights
from kaimen.ledger.models import (
    Milestone,
    ProgressReport,
    StepState,
    SupervisionStep,
    Task,
    TaskStatus,
    Trigger,
)
from kaimen.lib.contracts import escalation
from kaimen.lib.contracts.escalation import Fact, PriorStep, StepQuery, Window
from kaimen.lib.text import chinese_date

# The ledger's former ladder (提醒 → 督办单 → 通报) on the one ladder.
LEVEL_STEPS = {"reminder": "remind", "order": "supervise", "notice": "notify"}
TRIGGER_KINDS = {
    Trigger.REPORT: escalation.MISSED_REPORT,
    Trigger.DEADLINE: escalation.OVERDUE_TASK,
    Trigger.MILESTONE: escalation.MISSED_MILESTONE,
}


def _local(moment) -> date:
    return timezone.localdate(moment)


def completed_on(task: Task) -> date | None:
    """The day the unit reported the task done (awaiting acceptance or closed)."""
    if task.status not in (TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.CLOSED):
        return None
    moment = task.closure_requested_at or task.closed_at
    return _local(moment) if moment else None


def report_lapses(
    *, task: Task, reports: list[date], today: date, done: date | None, cal
) -> list[tuple[date, date | None]]:
    """(due, came in) of every report lapse of the task before ``today`` (and before it was
    reported done). A lapse is one report due and not filed by its date: each once, ended by
    the first report after it, or open. A task silent for six weeks has six lapses (one per
    report it owed), which is what lets the ladder climb while the silence lasts; one missed
    report stays one lapse however many times the ladder runs (its key is the due date)."""
    stop = min(today, done) if done else today
    since = _local(task.published_at)
    pending = sorted(d for d in reports if d >= since)
    lapses: list[tuple[date, date | None]] = []
    # A cadence is at least a week; this bound only guards against a malformed calendar.
    for _ in range(400):
        due = lights.next_report_due(since=since, cadence=task.cadence, cal=cal)
        if due >= stop:
            break
        on_time = [d for d in pending if since <= d <= due]
        if on_time:
            since = on_time[-1]
            pending = [d for d in pending if d > since]
            continue
        late = next((d for d in pending if d > due), None)
        came = late if late is not None and late < stop else None
        lapses.append((due, came))
        following = lights.next_report_due(since=due, cadence=task.cadence, cal=cal)
        if came is not None and came <= following:
            since = came  # the late report restarts the cadence
            pending = [d for d in pending if d > since]
        else:
            since = due  # the next report was owed too: is it the next lapse?
    return lapses


def facts(window: Window) -> list[Fact]:
    cal, today = window.calendar, window.today
    tasks = list(
        Task.objects.filter(campaign_id=window.campaign_id)
        .select_related("lead_unit")
        .order_by("order", "pk")
    )
    if not tasks:
        return []
    ids = [t.pk for t in tasks]
    reports_of: dict[int, list[date]] = defaultdict(list)
    for task_id, reported_at in (
        ProgressReport.objects.filter(task_id__in=ids)
        .order_by("reported_at", "pk")
        .values_list("task_id", "reported_at")
    ):
        reports_of[task_id].append(_local(reported_at))
    latest_order: dict[int, date] = {}
    for task_id, decided_at in (
        SupervisionStep.objects.filter(
            task_id__in=ids, level="order", state=StepState.CONFIRMED, decided_at__isnull=False
        )
        .order_by("decided_at", "pk")
        .values_list("task_id", "decided_at")
    ):
        latest_order[task_id] = _local(decided_at)
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    for m in Milestone.objects.filter(
        task_id__in=ids, reached_at__isnull=True, due__lt=today
    ).order_by("due", "pk"):
        milestones[m.task_id].append(m)

    out: list[Fact] = []
    for task in tasks:
        unit, name = task.lead_unit_id, task.lead_unit.name
        subject = f"task:{task.pk}"
        label = f"任务“{task.title}”"
        link = reverse("ledger:task_detail", args=[task.pk])
        done = completed_on(task)
        base = {"unit": unit, "unit_name": name, "subject": subject, "subject_label": label}
        for due, came in report_lapses(
            task=task, reports=reports_of.get(task.pk, []), today=today, done=done, cal=cal
        ):
            late = f"，{chinese_date(came)}才报送" if came else "，至今未报送"
            out.append(
                Fact(
                    kind=escalation.MISSED_REPORT,
                    lapse=f"{subject}:report:{due.isoformat()}",
                    on=due,
                    until=came,
                    description=f"任务“{task.title}”的进展应于{chinese_date(due)}前报送{late}。",
                    link=link,
                    refs={"task": task.pk},
                    evidence={"title": task.title, "path": task.path},
                    **base,
                )
            )
        if done is not None or task.status not in (
            TaskStatus.NOT_STARTED,
            TaskStatus.IN_PROGRESS,
            TaskStatus.LAGGING,
        ):
            continue
        order = latest_order.get(task.pk)
        evidence = {
            "title": task.title,
            "path": task.path,
            "deadline": task.deadline.isoformat(),
            "order_issued_on": order.isoformat() if order else None,
        }
        if today > task.deadline:
            out.append(
                Fact(
                    kind=escalation.OVERDUE_TASK,
                    lapse=f"{subject}:deadline:{task.deadline.isoformat()}",
                    on=task.deadline,
                    description=(
                        f"任务“{task.title}”完成时限为{chinese_date(task.deadline)}，截至{chinese_date(today)}"
                        "仍未办结。"
                    ),
                    link=link,
                    refs={"task": task.pk},
                    evidence=evidence,
                    **base,
                )
            )
        for m in milestones.get(task.pk, []):
            out.append(
                Fact(
                    kind=escalation.MISSED_MILESTONE,
                    lapse=f"{subject}:milestone:{m.pk}:{m.due.isoformat()}",
                    on=m.due,
                    description=(
                        f"任务“{task.title}”的节点“{m.label[:60]}”应于{chinese_date(m.due)}完成，尚未完成。"
                    ),
                    link=link,
                    refs={"task": task.pk},
                    evidence=evidence | {"milestone": m.label[:60]},
                    **base,
                )
            )
    return out


def prior_steps(query: StepQuery) -> list[PriorStep]:
    """The ledger's supervision records confirmed before the one ladder."""
    qs = SupervisionStep.objects.filter(
        state=StepState.CONFIRMED, decided_at__isnull=False
    ).select_related("task")
    if query.campaign_id is not None:
        qs = qs.filter(task__campaign_id=query.campaign_id)
    if query.about is not None and query.about.startswith("task:"):
        task_id = query.about.removeprefix("task:")
        if not task_id.isdigit():
            return []
        qs = qs.filter(task_id=int(task_id))
    out = []
    for s in qs.order_by("decided_at", "pk"):
        kind = TRIGGER_KINDS.get(s.trigger, escalation.OVERDUE_TASK)
        out.append(
            PriorStep(
                unit=s.task.lead_unit_id,
                subject=f"task:{s.task_id}",
                kind=kind,
                step=LEVEL_STEPS[s.level],
                confirmed_on=_local(s.decided_at),
                source="ledger",
                campaign_id=s.task.campaign_id,
                description=s.reason,
                link=reverse("ledger:task_detail", args=[s.task_id]),
                lapses=(f"task:{s.task_id}:{s.trigger_key}",),
            )
        )
    return out


def register() -> None:
    escalation.register("ledger", facts)
    escalation.register_step_reader("ledger", prior_steps)
