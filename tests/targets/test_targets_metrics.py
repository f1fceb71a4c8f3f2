"""The targets' metric providers: indicator progress and red lights with their explanations,
read from the monitoring board. (Moved unchanged from tests/evaluation/test_metric_providers.py
with the providers.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kaimen.lib.contracts.metrics import PeriodContext
from kaimen.org.models import Unit, UnitKind
from kaimen.targets import metrics
from kaimen.targets.models import Explanation
from tests.evaluation.helpers import add_indicator, add_target, at
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db
D = Decimal


def ctx(campaign, units, start=date(2025, 3, 1), end=date(2025, 3, 31), today=date(2025, 4, 2)):
    return PeriodContext(
        campaign=campaign, start=start, end=end, today=today, units={u.pk: u for u in units}
    )


def points(provider, context) -> list[tuple[str, Decimal, Decimal | None, str]]:
    return [(p.unit, p.value, p.target, p.label) for p in provider(context)]


@pytest.fixture
def tasks(cast, clock):
    clock.current = at(date(2025, 3, 3))
    made = make_tasks(
        cast,
        [(cast.town_a, []), (cast.town_a, []), (cast.town_a, []), (cast.town_b, [])],
        deadline=date(2025, 3, 14),
    )
    return made


# ---------------------------------------------------------------------------------------------
# Indicators, from the monitoring board


def test_indicator_progress_and_red_lights_with_their_explanations(cast, clock, tasks):
    owner = Unit.objects.create(name="区发展和改革局", kind=UnitKind.DEPARTMENT, parent=cast.top)
    investment = add_indicator("investment", "固定资产投资", owner_unit=owner)
    ratio = add_indicator("rd", "研发投入强度", kind="ratio", measure_unit="%")
    add_target(investment, cast.town_a, actual="31.25")
    add_target(investment, cast.town_b, actual="10")  # 10 vs 25: red
    add_target(investment, cast.top, actual="20")  # the district's: its owner answers
    add_target(ratio, cast.town_a, actual="2")  # a ratio has no completion to score
    Explanation.objects.create(
        indicator=investment,
        unit=cast.town_b,
        year=2025,
        end_month=3,
        text="重大项目延期开工，4月集中开工后可追回。",
        author=cast.liaison_b,
        created_at=clock.now(),
    )
    campaign = tasks[0].campaign
    # 2025's Spring Festival moved month: 1-3月 is marked not comparable; this campaign has
    # switched the exemption off, so its red lights count (see the test below for the default)
    campaign.spring_festival_exempt = False
    context = ctx(campaign, [cast.town_a, cast.town_b, owner])
    got = points(metrics.indicator_progress, context)
    assert sorted(got) == sorted(
        [
            (str(cast.town_a.pk), D("31.25"), D("25.00"), "固定资产投资（1-3月）"),
            (str(cast.town_b.pk), D("10"), D("25.00"), "固定资产投资（1-3月）"),
            (str(owner.pk), D("20"), D("25.00"), "全区固定资产投资（1-3月）"),
        ]
    )
    # red: 西城 (10 vs 25, explained) and 东城's ratio (2 vs 100, not explained); the district's
    # 20 vs 25 is within the yellow band of 5 points
    red = points(metrics.red_explained, context)
    assert sorted((u, v, label) for u, v, _t, label in red) == sorted(
        [
            (str(cast.town_b.pk), D(100), "固定资产投资（1-3月）已说明"),
            (str(cast.town_a.pk), D(0), "研发投入强度（1-3月）未说明"),
        ]
    )


def test_a_week_is_judged_on_the_release_that_ended_within_it(cast, clock, tasks):
    investment = add_indicator("investment", "固定资产投资")
    add_target(investment, cast.town_a, actual="31.25")
    week = ctx(tasks[0].campaign, [cast.town_a], start=date(2025, 3, 24), end=date(2025, 3, 30))
    assert points(metrics.indicator_progress, week) == []  # 1-3月 ends after this week
    month = ctx(tasks[0].campaign, [cast.town_a])
    assert len(points(metrics.indicator_progress, month)) == 1


def test_red_lights_of_the_spring_festival_months_are_no_data_point_by_default(cast, clock, tasks):
    investment = add_indicator("investment", "固定资产投资")
    add_target(investment, cast.town_b, actual="10")  # 10 vs 25 at 1-3月 2025: red
    campaign = tasks[0].campaign
    assert campaign.spring_festival_exempt  # on unless the office switches it off
    context = ctx(campaign, [cast.town_b])
    assert points(metrics.red_explained, context) == []
    # the completion itself still scores: only the red-light reason is spared
    assert len(points(metrics.indicator_progress, context)) == 1
    campaign.spring_festival_exempt = False
    context = ctx(campaign, [cast.town_b])
    assert [label for _u, _v, _t, label in points(metrics.red_explained, context)] == [
        "固定资产投资（1-3月）未说明"
    ]
