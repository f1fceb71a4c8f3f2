"""Building ledger and targets state for the accountability tests, through the services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from kaimen.accountability import services
from kaimen.accountability.models import Proposal, ProposerRun
from kaimen.campaigns import services as campaign_services
from kaimen.campaigns.models import Campaign
from kaimen.ledger.models import StepState, SupervisionStep, Task
from kaimen.lib import clock
from kaimen.org.models import Unit
from kaimen.targets import services as targets
from kaimen.targets.models import Actual, Indicator, Provenance, Target
from tests.ledger.ledger_helpers import make_tasks

TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


def set_day(clock_fixture, day: date, hour: int = 9) -> None:
    clock_fixture.current = at(day, hour)


def overdue_tasks(cast, clock_fixture, units: list[Unit], *, deadline=date(2025, 3, 10)):
    """Tasks published Mon 24 Feb 2025 (weekly reports, no report ever filed)."""
    set_day(clock_fixture, date(2025, 2, 24))
    return make_tasks(cast, [(u, []) for u in units], deadline=deadline)


def ledger_history(
    cast, task: Task, *, level: str, day: date, due: date = date(2025, 3, 3)
) -> SupervisionStep:
    """A supervision record of the ledger's former ladder, confirmed by the office on ``day``
    for the report due on ``due`` — as databases made before the one ladder hold them."""
    return SupervisionStep.objects.create(
        task=task,
        trigger="report",
        trigger_key=f"report:{due.isoformat()}",
        level=level,
        state=StepState.CONFIRMED,
        reason="进展未按时报送",
        proposed_at=at(day, 7),
        decided_by=cast.office,
        decided_at=at(day, 10),
        decision_note="请抓紧",
    )


def ledger_ladder(cast, tasks) -> None:
    """The former ladder's 提醒 (4 March) and 督办单 (7 March) on each task."""
    for task in tasks:
        ledger_history(cast, task, level="reminder", day=date(2025, 3, 4))
        ledger_history(cast, task, level="order", day=date(2025, 3, 7))


def run(clock_fixture, day: date, *, campaign: Campaign | None = None, **kw) -> ProposerRun:
    set_day(clock_fixture, day, 8)
    return services.proposals_run(campaign=campaign, **kw)


def open_proposals(**filters) -> list[Proposal]:
    return list(Proposal.objects.filter(status="proposed", **filters).order_by("pk"))


def indicator(**fields) -> Indicator:
    defaults = {
        "code": "projects_signed",
        "name": "新签约项目数",
        "measure_unit": "个",
        "kind": "count",
        "frequency": "monthly",
        "merged_jan_feb": False,
        "light_basis": "completion",
        "expectation": "calendar",
        "green_within_pts": Decimal(0),
        "yellow_within_pts": Decimal(5),
        "decimals": 0,
    }
    return targets.indicator_create(actor=None, system=True, **(defaults | fields))


def target(ind: Indicator, unit: Unit, value: str = "120", year: int = 2025) -> Target:
    return targets.target_set(
        actor=None, system=True, indicator=ind, unit=unit, year=year, value=Decimal(value)
    )


def figures(ind: Indicator, unit: Unit, values: dict[int, str], year: int = 2025) -> None:
    """Figures as the bureau publishes them, entered now (the clock says when)."""
    Actual.objects.bulk_create(
        Actual(
            indicator=ind,
            unit=unit,
            year=year,
            end_month=month,
            provenance=Provenance.OFFICIAL,
            version=1,
            value=Decimal(value),
            entered_at=clock.now(),
        )
        for month, value in values.items()
    )


def campaign(
    cast,
    name: str = "2025年开门红",
    start=date(2025, 1, 1),
    end=date(2025, 12, 31),
    spring_festival_exempt: bool = False,
):
    """A campaign of 2025. The ladder's tests climb on 2025's first-quarter red lights, which a
    campaign spares by default because 2025's Spring Festival moved month
    (tests/targets/test_light_rule.py); here the exemption is off unless a test asks for it."""
    return campaign_services.campaign_create(
        actor=cast.office,
        name=name,
        start=start,
        end=end,
        spring_festival_exempt=spring_festival_exempt,
    )


def task_of(unit: Unit) -> Task:
    return Task.objects.get(lead_unit=unit)
