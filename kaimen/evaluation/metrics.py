"""Metric providers: the data points of each metric for one period, read from the stored data.

The engine (``scoring``) knows metrics only as ``MetricSpec`` and data points. A provider is the
function that reads the ledger, the targets or any later module and returns ``DataPoint``s for
one metric and one period; it is registered next to its spec with :func:`register_provider`,
so a later module (appeals, investment, policies) adds a metric by registering one spec and one
provider from its own ``AppConfig.ready`` — without touching the engine or this module.

What the builtin providers count (one data point per real thing, so the minimum-sample rule
counts indicators, tasks, reports and practices):

* 指标完成进度: every cumulative indicator target a unit answers for (the district's own targets
  count for the indicator's owner department), its completion against the expected progress the
  monitoring board judged its light by (time progress or the plan's seasonal share), at the
  latest release within the period;
* 任务按时完成率: tasks whose deadline falls in the period, 100 when the lead unit reported them
  done by the deadline (the office's acceptance may come later: that delay is not the unit's);
* 进展按时报送并通过率: every progress report that fell due in the period on the task's cadence,
  100 when a report came on time and was not a closure report the office sent back;
* 任务一次办结率: tasks the lead unit finished in the period and the office has closed, 100 when
  they were never sent back (the send-backs are read from the audit trail, which records each);
* 红灯说明率: every red light of the period, 100 when the unit wrote its explanation (说明);
* 创新举措评分: the office's rating of each practice the unit carried out in the period.

A provider that finds nothing returns nothing: the scheme's missing-data rule decides what that
means and the explanation says so. A provider that fails is reported as a note on the run and
its metric is treated as missing; the ranking is never lost to one module's error.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kaimen.audit.models import AuditEvent
from kaimen.campaigns.models import Campaign
from kaimen.evaluation.models import InnovationPractice
from kaimen.evaluation.scoring import BUILTIN_METRICS, REGISTRY, DataPoint, MetricSpec
from kaimen.ledger import lights
from kaimen.ledger.models import ProgressReport, Task, TaskKind, TaskStatus
from kaimen.lib import official_calendar
from kaimen.lib.errors import KaimenError
from kaimen.org.models import Unit

logger = logging.getLogger(__name__)
HUNDRED = Decimal(100)
ZERO = Decimal(0)
_MAX_DUE_DATES = 800  # a daily cadence over two years; a guard, never reached by real data


@dataclass
class PeriodContext:
    """What a provider reads for: the campaign, the period, the day the data stand at, and the
    units scored (by id). ``memo`` lets providers that share a load (the monitoring board)
    compute it once per run."""

    campaign: Campaign
    start: date
    end: date
    today: date
    units: Mapping[int, Unit]
    memo: dict[str, Any] = field(default_factory=dict)

    @property
    def horizon(self) -> date:
        """The last day whose events count: the period's end, or today while it runs."""
        return min(self.end, self.today)

    def key(self, unit_id: int) -> str:
        return str(unit_id)


Provider = Callable[[PeriodContext], Iterable[DataPoint]]
PROVIDERS: dict[str, Provider] = {}
# Metrics whose data points carry their own target (an indicator's expected progress): only
# these may be normalised "ratio to target" without a target set in the scheme.
WITH_TARGETS: set[str] = set()


def register_provider(
    spec: MetricSpec, provider: Provider, *, points_carry_targets: bool = False
) -> MetricSpec:
    """Register a metric and the function that supplies its data (activity metrics are refused
    by the registry, as everywhere). Registering the same pair again changes nothing."""
    REGISTRY.register(spec)
    PROVIDERS[spec.code] = provider
    if points_carry_targets:
        WITH_TARGETS.add(spec.code)
    return spec


@dataclass(frozen=True)
class Collected:
    points: tuple[DataPoint, ...]
    notes: tuple[str, ...]


def collect(ctx: PeriodContext, codes: Iterable[str]) -> Collected:
    """Every data point of the metrics ``codes`` for the period, and notes on what was missing."""
    points: list[DataPoint] = []
    notes: list[str] = []
    wanted = {ctx.key(pk) for pk in ctx.units}
    for code in codes:
        name = REGISTRY.get(code).name if code in REGISTRY else code
        provider = PROVIDERS.get(code)
        if provider is None:
            notes.append(f"指标“{name}”没有登记数据来源，本期按缺项处理。")
            continue
        try:
            found = [p for p in provider(ctx) if p.unit in wanted and p.metric == code]
        except KaimenError as exc:
            notes.append(f"指标“{name}”的数据读取失败（{exc.message}），本期按缺项处理。")
            continue
        except Exception:  # a later module's provider must not cost the office its ranking
            logger.exception("metric provider %s failed", code)
            notes.append(f"指标“{name}”的数据读取出错，本期按缺项处理；请联系系统管理员查看日志。")
            continue
        points.extend(found)
    return Collected(tuple(points), tuple(notes))


def _local(dt: datetime | None) -> date | None:
    return None if dt is None else timezone.localdate(dt)


# ---------------------------------------------------------------------------------------------
# Indicators: the monitoring board at the latest release within the period


def _board(ctx: PeriodContext) -> list:
    if "board" in ctx.memo:
        return ctx.memo["board"]
    from kaimen.targets import board
    from kaimen.targets.selectors import latest_period_with_figures

    # The latest cumulative release (1-N月) whose month has ended within the period: a week in
    # March is judged on 1-2月, the month of March on 1-3月 once the bureau has released it.
    end = ctx.end
    year = end.year
    last_month = end.month if (end + timedelta(days=1)).month != end.month else end.month - 1
    latest = latest_period_with_figures(year)
    month = min(latest, last_month) if latest is not None and last_month >= 1 else None
    rows = board.board_rows(year=year, end_month=month) if month else []
    ctx.memo["board"] = rows
    return rows


def _answerable_unit(row) -> int:
    from kaimen.targets.selectors import responsible_unit_id

    return responsible_unit_id(row.target)


def _row_label(row) -> str:
    where = "全区" if row.target.unit.kind == "leadership" else ""
    period = row.period.label if row.period is not None else ""
    return f"{where}{row.indicator.name}（{period}）"


def indicator_progress(ctx: PeriodContext) -> list[DataPoint]:
    code = "speed.indicator_progress"
    points = []
    for row in _board(ctx):
        res = row.result
        indicator = row.indicator
        if res is None or indicator.kind not in ("amount", "count"):
            continue  # ratios and rates have no completion to speak of
        if not indicator.higher_is_better:
            continue
        if res.completion_pct is None or res.expected_pct is None or res.expected_pct <= 0:
            continue
        unit_id = _answerable_unit(row)
        if unit_id not in ctx.units:
            continue
        points.append(
            DataPoint(ctx.key(unit_id), code, res.completion_pct, res.expected_pct, _row_label(row))
        )
    return points


def red_explained(ctx: PeriodContext) -> list[DataPoint]:
    code = "quality.red_explained"
    points = []
    for row in _board(ctx):
        if row.light != "red":
            continue
        unit_id = _answerable_unit(row)
        if unit_id not in ctx.units:
            continue
        written = row.explanation is not None
        points.append(
            DataPoint(
                ctx.key(unit_id),
                code,
                HUNDRED if written else ZERO,
                label=f"{_row_label(row)}{'已说明' if written else '未说明'}",
            )
        )
    return points


# ---------------------------------------------------------------------------------------------
# Tasks


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


# ---------------------------------------------------------------------------------------------
# Innovation


def practice_rating(ctx: PeriodContext) -> list[DataPoint]:
    code = "innovation.practice_rating"
    return [
        DataPoint(ctx.key(p.unit_id), code, p.rating, label=p.title[:30])
        for p in InnovationPractice.objects.filter(
            campaign=ctx.campaign,
            unit_id__in=list(ctx.units),
            rating__isnull=False,
            practiced_on__gte=ctx.start,
            practiced_on__lte=ctx.end,
        ).order_by("practiced_on", "pk")
        if p.rating is not None
    ]


BUILTIN_PROVIDERS: dict[str, Provider] = {
    "speed.indicator_progress": indicator_progress,
    "speed.tasks_on_time": tasks_on_time,
    "quality.reports_accepted": reports_accepted,
    "quality.closed_without_rework": closed_without_rework,
    "quality.red_explained": red_explained,
    "innovation.practice_rating": practice_rating,
}


def register_builtin_providers() -> None:
    for spec in BUILTIN_METRICS:
        register_provider(
            spec,
            BUILTIN_PROVIDERS[spec.code],
            points_carry_targets=spec.code == "speed.indicator_progress",
        )


register_builtin_providers()
