"""What the rules are run on: the ledger's tasks, 督办单 and progress reports, and the lights of
the targets, turned into the plain records of ``kaimen.evaluation.accountability``.

Reads only; the proposer (``services.propose``) calls :func:`gather` and stores what the rules
propose. The query count does not depend on the number of tasks or targets: a handful of queries
for the ledger and a few per statistics period for the lights.

Choices made here, each for a reason:

* A 督办单 (a confirmed ``order`` step of the ledger's supervision ladder) is a 督办 a person
  issued, so it counts as a confirmed 督办. The ledger's other confirmed steps count too, on the
  same matter: a 提醒 or 通报 about missed reports is a step on the unit's "reports" matter, one
  about an overdue task or missed milestone a step on that task. The accountability ladder
  continues the supervision ladder instead of starting a second one beside it.
* The ledger records when a 督办单 was issued, not a date by which it must be done; the campaign's
  rule settings give it ``order_limit_workdays`` working days (or until the task's own deadline,
  if later).
* Progress reports are due one cadence after the last report (or the task's publication), as the
  ledger computes it. A cycle without a report is one missed report and the next cycle starts
  from its due date; a report after the due date but before the next one is late, which the
  rules count as missed.
* A light is the monitoring board's light of the unit's row at each release of the year, up to
  the latest release with figures for that indicator; its date is when the figure was first
  entered. The district's own rows are answered for by the indicator's owner department, as on
  the board; rows whose answerable unit is the leadership itself are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Min
from django.utils import timezone

from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.evaluation.accountability import (
    ConfirmedStep,
    LightEntry,
    LightHistory,
    ReportRecord,
    Step,
    TaskRecord,
)
from kaimen.ledger import lights as ledger_lights
from kaimen.ledger.models import (
    ProgressReport,
    StepState,
    SupervisionStep,
    Task,
    TaskStatus,
    Trigger,
)
from kaimen.lib.official_calendar import OfficialCalendar
from kaimen.org.models import Unit, UnitKind
from kaimen.targets.board import board_rows
from kaimen.targets.models import Actual
from kaimen.targets.selectors import responsible_unit_id

# The ledger's supervision ladder (提醒 → 督办单 → 通报) on the accountability ladder.
LEDGER_STEPS = {"reminder": Step.REMIND, "order": Step.SUPERVISE, "notice": Step.NOTIFY}
REPORTS = "reports"


@dataclass(frozen=True)
class Matter:
    """What a proposal concerns, beyond the rules' strings: the rows it points at."""

    kind: str  # "indicator" | "task" | "reports"
    indicator_id: int | None = None
    target_id: int | None = None
    task_id: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Inputs:
    lights: list[LightHistory] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    reports: list[ReportRecord] = field(default_factory=list)
    confirmed: list[ConfirmedStep] = field(default_factory=list)
    matters: dict[tuple[str, str], Matter] = field(default_factory=dict)  # (unit, subject)


def _local(moment) -> date:
    return timezone.localdate(moment)


def indicator_subject(code: str, *, row_unit_id: int, answerable_unit_id: int) -> str:
    """The indicator part of a matter: the code for a unit's own row; code@row unit when a
    department answers for another unit's row (the district's)."""
    return code if row_unit_id == answerable_unit_id else f"{code}@{row_unit_id}"


def light_campaign_ids() -> dict[int, int]:
    """{year: campaign id}: the lights of a year belong to one campaign, the latest active one
    of that year, so two campaigns of one year never both propose on the same red light."""
    chosen: dict[int, int] = {}
    for pk, year in (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE)
        .order_by("start", "pk")
        .values_list("pk", "year")
    ):
        chosen[year] = pk
    return chosen


def gather(
    *, campaign: Campaign, today: date, cal: OfficialCalendar, order_limit_workdays: int
) -> Inputs:
    inputs = Inputs()
    _ledger(inputs, campaign=campaign, today=today, cal=cal, order_limit=order_limit_workdays)
    if light_campaign_ids().get(campaign.year) == campaign.pk:
        _lights(inputs, year=campaign.year, today=today)
    return inputs


# ---------------------------------------------------------------------------------------------
# The ledger


def _completed_on(task: Task) -> date | None:
    """The day the unit reported the task done (awaiting acceptance or closed)."""
    if task.status not in (TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.CLOSED):
        return None
    moment = task.closure_requested_at or task.closed_at
    return _local(moment) if moment else None


def _ledger(
    inputs: Inputs, *, campaign: Campaign, today: date, cal: OfficialCalendar, order_limit: int
) -> None:
    tasks = list(
        Task.objects.filter(campaign=campaign).select_related("lead_unit").order_by("order", "pk")
    )
    if not tasks:
        return
    by_id = {t.pk: t for t in tasks}
    latest_order: dict[int, date] = {}
    for step in SupervisionStep.objects.filter(
        task__campaign=campaign, state=StepState.CONFIRMED, decided_at__isnull=False
    ).order_by("decided_at", "pk"):
        task = by_id[step.task_id]
        unit = str(task.lead_unit_id)
        decided = _local(step.decided_at)
        subject = REPORTS if step.trigger == Trigger.REPORT else f"task:{task.pk}"
        inputs.confirmed.append(ConfirmedStep(unit, subject, LEDGER_STEPS[step.level], decided))
        if step.level == "order":
            latest_order[task.pk] = decided
    reports_of: dict[int, list[date]] = defaultdict(list)
    for task_id, reported_at in (
        ProgressReport.objects.filter(task__campaign=campaign)
        .order_by("reported_at", "pk")
        .values_list("task_id", "reported_at")
    ):
        reports_of[task_id].append(_local(reported_at))
    missed_by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        unit = str(task.lead_unit_id)
        done = _completed_on(task)
        issued = latest_order.get(task.pk)
        if issued is not None:
            order_due = max(task.deadline, cal.add_workdays(issued, order_limit))
            inputs.tasks.append(
                TaskRecord(
                    unit=unit,
                    unit_name=task.lead_unit.name,
                    task=str(task.pk),
                    title=task.title,
                    deadline=task.deadline,
                    completed_on=done,
                    order_issued_on=issued,
                    order_due=order_due,
                )
            )
            inputs.matters[(unit, f"task:{task.pk}")] = Matter(
                "task",
                task_id=task.pk,
                evidence={
                    "path": task.path,
                    "deadline": task.deadline.isoformat(),
                    "order_issued_on": issued.isoformat(),
                    "order_due": order_due.isoformat(),
                    "completed_on": done.isoformat() if done else None,
                },
            )
        for record in report_cycles(
            task=task, reports=reports_of.get(task.pk, []), today=today, done=done, cal=cal
        ):
            inputs.reports.append(record)
            if record.submitted_on is None or record.submitted_on > record.due:
                missed_by_unit[unit].append(
                    {
                        "task_id": task.pk,
                        "path": task.path,
                        "due": record.due.isoformat(),
                        "submitted_on": (
                            record.submitted_on.isoformat() if record.submitted_on else None
                        ),
                    }
                )
    for unit, missed in missed_by_unit.items():
        inputs.matters[(unit, REPORTS)] = Matter("reports", evidence={"missed": missed})


def report_cycles(
    *, task: Task, reports: list[date], today: date, done: date | None, cal: OfficialCalendar
) -> list[ReportRecord]:
    """Every report the task owed before ``today`` (and before it was reported done), with the
    day it came in — on time, late, or never."""
    stop = min(today, done) if done else today
    since = _local(task.published_at)
    pending = [d for d in reports if d >= since]
    records: list[ReportRecord] = []
    i = 0
    # A cadence is at least a week; this bound only guards against a malformed calendar.
    for _ in range(400):
        due = ledger_lights.next_report_due(since=since, cadence=task.cadence, cal=cal)
        if due >= stop:
            break
        on_time = [d for d in pending[i:] if d <= due]
        if on_time:
            i += len(on_time)
            records.append(_report(task, due, on_time[-1]))
            since = on_time[-1]
            continue
        next_due = ledger_lights.next_report_due(since=due, cadence=task.cadence, cal=cal)
        late = pending[i] if i < len(pending) and pending[i] < next_due else None
        records.append(_report(task, due, late))
        if late is not None:
            i += 1
            since = late
        else:
            since = due
    return records


def _report(task: Task, due: date, submitted: date | None) -> ReportRecord:
    return ReportRecord(
        unit=str(task.lead_unit_id),
        unit_name=task.lead_unit.name,
        task=str(task.pk),
        title=task.title,
        due=due,
        submitted_on=submitted,
    )


# ---------------------------------------------------------------------------------------------
# The lights of the targets


def _lights(inputs: Inputs, *, year: int, today: date) -> None:
    if year > today.year:
        return
    first_entered: dict[tuple[int, int, int], date] = {}
    last_month: dict[int, int] = {}
    for row in (
        Actual.objects.filter(year=year, end_month__lte=12 if year < today.year else today.month)
        .values("indicator_id", "unit_id", "end_month")
        .annotate(first=Min("entered_at"))
        .order_by()
    ):
        key = (row["indicator_id"], row["unit_id"], row["end_month"])
        first_entered[key] = _local(row["first"])
        last_month[row["indicator_id"]] = max(
            last_month.get(row["indicator_id"], 0), row["end_month"]
        )
    if not last_month:
        return
    entries: dict[int, list[LightEntry]] = defaultdict(list)
    targets = {}
    for month in range(1, max(last_month.values()) + 1):
        for row in board_rows(year=year, end_month=month):
            indicator = row.indicator
            if row.period is None or row.period.end_month != month:
                continue  # not a release month of this indicator (GDP at 1-5月 is 一季度's)
            if month > last_month.get(indicator.pk, 0):
                continue  # not released yet: no entry rather than a gap that ends a streak
            target = row.target
            targets[target.pk] = target
            key = (indicator.pk, target.unit_id, month)
            published = first_entered.get(key, row.period.end_date)
            light = str(row.light) if row.figure is not None and row.light else None
            entries[target.pk].append(LightEntry(row.period.label, published, light))
    answerable = {t.pk: responsible_unit_id(t) for t in targets.values()}
    unit_names = dict(
        Unit.objects.filter(pk__in=set(answerable.values()))
        .exclude(kind=UnitKind.LEADERSHIP)
        .values_list("pk", "name")
    )
    for target_id, series in entries.items():
        target = targets[target_id]
        unit_id = answerable[target_id]
        if unit_id not in unit_names:
            continue
        indicator = target.indicator
        code = indicator_subject(
            indicator.code, row_unit_id=target.unit_id, answerable_unit_id=unit_id
        )
        if target.unit_id == unit_id:
            name = indicator.name
        elif target.unit.kind == UnitKind.LEADERSHIP:
            name = f"{indicator.name}（全区）"
        else:
            name = f"{indicator.name}（{target.unit.name}）"
        inputs.lights.append(
            LightHistory(str(unit_id), unit_names[unit_id], code, name, tuple(series))
        )
        inputs.matters[(str(unit_id), f"indicator:{code}")] = Matter(
            "indicator",
            indicator_id=indicator.pk,
            target_id=target.pk,
            evidence={
                "year": year,
                "lights": [
                    {
                        "period": e.period,
                        "light": e.light,
                        "published_on": e.published_on.isoformat(),
                    }
                    for e in series
                ],
            },
        )
