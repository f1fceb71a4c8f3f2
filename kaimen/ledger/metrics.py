"""The ledger's score metrics: its providers read tasks, progress reports and the audit trail of
send-backs, and are registered with ``kaimen.lib.contracts.metrics`` from ``LedgerConfig.ready()``
(the scoring in ``kaimen.evaluation`` reads only that registry).

* 任务按时完成率: tasks whose deadline falls in the period, 100 when the lead unit reported them
  done by the deadline (the office's acceptance may come later: that delay is not the unit's);
* 进展按时报送并通过率: every progress report that fell due in the period on the task's cadence,
  100 when a report came on time and was not a closure report the office sent back;
* 任务一次办结率: tasks the lead unit finished in the period and the office has closed, 100 when
  they were never sent back (the send-backs are read from the audit trail, which records each).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from kaimen.audit.models import AuditEvent
from kaimen.ledger import lights
from kaimen.ledger.models import ProgressReport, Task, TaskKind, TaskStatus
from kaimen.lib import official_calendar
from kaimen.lib.contracts.metrics import (
    DataPoint,
    Dimension,
    MetricKind,
    MetricSpec,
    PeriodContext,
    register_provider,
)

HUNDRED = Decimal(100)
ZERO = Decimal(0)
_MAX_DUE_DATES = 800  # a daily cadence over two years; a guard, never reached by real data

# Each data point is one task or report, so "samples" in the minimum-sample rule counts real
# things.
TASKS_ON_TIME = MetricSpec(
    "speed.tasks_on_time",
    "任务按时完成率",
    Dimension.SPEED,
    "%",
    kind=MetricKind.DELIVERY,
    description="本期到期的任务中按时完成的比例；一项任务一个数据点（按时100，否则0）。",
)

REPORTS_ACCEPTED = MetricSpec(
    "quality.reports_accepted",
    "进展按时报送并通过率",
    Dimension.QUALITY,
    "%",
    kind=MetricKind.DELIVERY,
    description="应报进展中按时报送且经调度办审核通过的比例；一次应报一个数据点。",
)

CLOSED_WITHOUT_REWORK = MetricSpec(
    "quality.closed_without_rework",
    "任务一次办结率",
    Dimension.QUALITY,
    "%",
    kind=MetricKind.DELIVERY,
    description="办结的任务中未被退回返工的比例；一项任务一个数据点。",
)


def _local(dt: datetime | None) -> date | None:
    return None if dt is None else timezone.localdate(dt)


def _tasks(ctx: PeriodContext):
    return Task.objects.filter(
        campaign=ctx.campaign, kind=TaskKind.TASK, lead_unit_id__in=list(ctx.units)
    )


def tasks_on_time(ctx: PeriodContext) -> list[DataPoint]:
    code = "speed.tasks_on_time"
    points = []
    for task in (
        _tasks(ctx)
        .filter(deadline__gte=ctx.start, deadline__lte=ctx.end)
        .order_by("deadline", "pk")
    ):
        done_on = _local(task.closure_requested_at)
        on_time = done_on is not None and done_on <= task.deadline
        if not on_time and task.deadline >= ctx.today:
            continue  # not due yet (the deadline day itself still counts as time)
        points.append(
            DataPoint(
                ctx.key(task.lead_unit_id),
                code,
                HUNDRED if on_time else ZERO,
                label=f"任务{task.path}（{task.deadline:%m-%d}到期，"
                f"{'按时完成' if on_time else '未按时完成'}）",
            )
        )
    return points


def _send_backs(task_ids: Iterable[int]) -> dict[int, list[datetime]]:
    """When the office sent each task back (从审计记录读取: the ledger keeps no other record)."""
    ids = [str(pk) for pk in task_ids]
    found: dict[int, list[datetime]] = defaultdict(list)
    if not ids:
        return found
    for object_id, at in AuditEvent.objects.filter(
        action="ledger.task.send_back",
        object_type="ledger.task",
        object_id__in=ids,
        outcome="success",
    ).values_list("object_id", "at"):
        found[int(object_id)].append(at)
    return found


def closed_without_rework(ctx: PeriodContext) -> list[DataPoint]:
    code = "quality.closed_without_rework"
    tasks = list(
        _tasks(ctx).filter(
            status=TaskStatus.CLOSED,
            closure_requested_at__isnull=False,
        )
    )
    tasks = [
        t
        for t in tasks
        if ctx.start <= (_local(t.closure_requested_at) or ctx.start) <= ctx.horizon
    ]
    backs = _send_backs(t.pk for t in tasks)
    points = []
    for task in sorted(tasks, key=lambda t: (t.closure_requested_at, t.pk)):
        times = len(backs.get(task.pk, ()))
        points.append(
            DataPoint(
                ctx.key(task.lead_unit_id),
                code,
                ZERO if times else HUNDRED,
                label=f"任务{task.path}" + (f"（被退回{times}次）" if times else "（一次办结）"),
            )
        )
    return points


@dataclass(frozen=True)
class _Report:
    pk: int
    at: datetime

    @property
    def day(self) -> date:
        return timezone.localdate(self.at)


def report_due_points(
    *,
    published_at: datetime,
    finished_at: datetime | None,
    cadence: str,
    reports: list[_Report],
    refused: set[int],
    start: date,
    end: date,
    horizon: date,
    cal: lights.WorkdayCalendar,
) -> list[tuple[date, bool]]:
    """(due date, reported on time and accepted) for each report of one task that fell due in
    [start, end] up to ``horizon``, replaying the ledger's rule: the next report is due one
    cadence after the last one (or after publication), moved to a working day. No report is
    due after the unit reported the task done."""
    out: list[tuple[date, bool]] = []
    since_at = published_at
    finished_on = _local(finished_at)
    for _ in range(_MAX_DUE_DATES):
        due = lights.next_report_due(since=timezone.localdate(since_at), cadence=cadence, cal=cal)
        if due > horizon or (finished_on is not None and due > finished_on):
            break
        window = [r for r in reports if r.at > since_at and r.day <= due]
        if window:
            ok = any(r.pk not in refused for r in window)
            since_at = window[-1].at
        else:
            # Missed: the next report falls due one cadence later, and a late report counts
            # for that next one — silence is missed again every cadence, not just once.
            ok = False
            since_at = datetime.combine(due, time.max, tzinfo=timezone.get_current_timezone())
        if start <= due <= end:
            out.append((due, ok))
    return out


def reports_accepted(ctx: PeriodContext) -> list[DataPoint]:
    code = "quality.reports_accepted"
    tasks = list(_tasks(ctx).filter(published_at__date__lte=ctx.horizon).order_by("pk"))
    if not tasks:
        return []
    reports: dict[int, list[_Report]] = defaultdict(list)
    for pk, task_id, at in (
        ProgressReport.objects.filter(task__in=tasks)
        .order_by("reported_at", "pk")
        .values_list("pk", "task_id", "reported_at")
    ):
        reports[task_id].append(_Report(pk, at))
    backs = _send_backs(t.pk for t in tasks)
    cal = official_calendar.load()
    points = []
    for task in tasks:
        mine = reports.get(task.pk, [])
        # the closure report a send-back answered: the latest report before the send-back
        refused = set()
        for at in backs.get(task.pk, ()):
            before = [r for r in mine if r.at <= at]
            if before:
                refused.add(before[-1].pk)
        finished = (
            task.closure_requested_at
            if task.status
            in (
                TaskStatus.AWAITING_ACCEPTANCE,
                TaskStatus.CLOSED,
            )
            else None
        )
        for due, ok in report_due_points(
            published_at=task.published_at,
            finished_at=finished,
            cadence=task.cadence,
            reports=mine,
            refused=refused,
            start=ctx.start,
            end=ctx.end,
            horizon=ctx.horizon,
            cal=cal,
        ):
            points.append(
                DataPoint(
                    ctx.key(task.lead_unit_id),
                    code,
                    HUNDRED if ok else ZERO,
                    label=f"任务{task.path} {due:%m-%d}应报"
                    + ("（按时报送）" if ok else "（未按时报送或未通过）"),
                )
            )
    return points


def register() -> None:
    register_provider(TASKS_ON_TIME, tasks_on_time)
    register_provider(REPORTS_ACCEPTED, reports_accepted)
    register_provider(CLOSED_WITHOUT_REWORK, closed_without_rework)
