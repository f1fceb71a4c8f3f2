"""Late tasks: each open task past its deadline with its overdue working days and its
supervision so far (the weekly briefing prints them, the leader dashboard lists them), and the
ledger's panel of the dashboard (task counts by light, the overdue ones). Registered on the
dashboard from ``LedgerConfig``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone

from kaimen.ledger.models import (
    OPEN_STATUSES,
    Campaign,
    StepState,
    SupervisionStep,
    Task,
)
from kaimen.ledger.selectors import light_counts
from kaimen.lib import official_calendar
from kaimen.lib.contracts import dashboard
from kaimen.lib.contracts.dashboard import LIST_LIMIT, Fragment, Frame, Panel
from kaimen.lib.workdays import CalendarYearMissing

TEMPLATE = "ledger/_dashboard.html"


@dataclass(frozen=True)
class OverdueTask:
    task: str  # the ledger path, e.g. "二/(一)/1"
    title: str
    lead_unit: str
    deadline: date
    overdue_workdays: int
    supervision: str  # 督办情况, e.g. "3月3日下发督办单，要求3月10日前办结"
    proposed_step: str = ""  # an accountability proposal awaiting confirmation, if any


@dataclass(frozen=True)
class TaskCounts:
    total: int = 0
    green: int = 0  # open tasks by light
    yellow: int = 0
    red: int = 0
    awaiting: int = 0
    closed: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class OverdueItem:
    task_id: int
    lead_unit_id: int
    row: OverdueTask  # path, title, lead unit, deadline, working days late, supervision


@dataclass(frozen=True)
class TaskBoard:
    """The ledger's panel of the dashboard."""

    tasks: TaskCounts
    overdue: tuple[OverdueItem, ...]


def _supervision_text(steps: list[SupervisionStep]) -> tuple[str, str]:
    done = [s for s in steps if s.state == StepState.CONFIRMED]
    proposed = [s for s in steps if s.state == StepState.PROPOSED]
    if done:
        s = done[0]
        # the district's calendar day (Asia/Shanghai), not the UTC date of the stored instant
        when = timezone.localdate(s.decided_at or s.proposed_at)
        text = f"{when.month}月{when.day}日{s.get_level_display()}：{s.reason}"
    else:
        text = "尚未督办"
    step = proposed[0].get_level_display() if proposed else ""
    return text, step


def overdue_rows(late: list[Task], today: date) -> list[tuple[Task, OverdueTask]]:
    """Each late task (open, deadline passed; lead unit loaded), oldest deadline first, with its
    overdue working days and its supervision so far: three queries however many tasks (the
    briefing and the leader dashboard both list them)."""
    if not late:
        return []
    steps: dict[int, list[SupervisionStep]] = defaultdict(list)
    for step in SupervisionStep.objects.filter(task__in=late).order_by("-proposed_at", "-pk"):
        steps[step.task_id].append(step)
    cal = official_calendar.load()
    rows = []
    for t in sorted(late, key=lambda t: (t.deadline, t.path)):
        try:
            days = cal.workdays_between(t.deadline, today)
        except CalendarYearMissing:
            days = (today - t.deadline).days  # no official calendar: calendar days, still true
        supervision, proposed = _supervision_text(steps[t.pk])
        rows.append(
            (
                t,
                OverdueTask(
                    t.path, t.title, t.lead_unit.name, t.deadline, days, supervision, proposed
                ),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The dashboard's panel


def dashboard_panel(frame: Frame) -> Panel:
    tasks, overdue = _tasks(frame.campaign, frame.year, frame.today)
    return Panel(
        "ledger",
        TaskBoard(tasks, overdue),
        (
            Fragment(dashboard.CLOCK, f"{TEMPLATE}#clock", 40),
            Fragment(dashboard.COUNTERS, f"{TEMPLATE}#counter", 20),
            Fragment(dashboard.ALERTS, f"{TEMPLATE}#overdue", 20),
        ),
    )


def _tasks(
    campaign: Campaign | None, year: int, today: date
) -> tuple[TaskCounts, tuple[OverdueItem, ...]]:
    qs = Task.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    else:
        qs = qs.filter(campaign__start__year__lte=year, campaign__end__year__gte=year)
    late = Q(status__in=OPEN_STATUSES) & Q(deadline__lt=today)
    lit = light_counts(qs)
    counts = {
        "total": lit.total,
        "green": lit.green,
        "yellow": lit.yellow,
        "red": lit.red,
        "awaiting": lit.awaiting,
        "closed": lit.closed,
        "overdue": qs.filter(late).count(),
    }
    if not counts["overdue"]:
        return TaskCounts(**counts), ()
    oldest = list(
        qs.filter(late).select_related("lead_unit").order_by("deadline", "path", "pk")[:LIST_LIMIT]
    )
    items = tuple(
        OverdueItem(task.pk, task.lead_unit_id, row) for task, row in overdue_rows(oldest, today)
    )
    return TaskCounts(**counts), items
