"""The demo loads the catalogue, 8 years of history, 2025 targets split onto towns and
departments, and 2025 figures for 1-2月 and 1-3月 that light the board; a second run writes
nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kaimen.audit.models import AuditEvent
from kaimen.org.models import UnitKind
from kaimen.targets import board
from kaimen.targets.models import Actual, Indicator, Project, Target
from kaimen.targets.monitoring import Light
from kaimen.targets.selectors import district_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_the_districts_standard_catalogue(demo):
    names = set(Indicator.objects.values_list("name", flat=True))
    assert {
        "地区生产总值",
        "规模以上工业增加值",
        "固定资产投资",
        "社会消费品零售总额",
        "一般公共预算收入",
        "外贸进出口总额",
        "实际使用外资",
        "招商引资到位资金",
        "新签约项目数",
        "新开工项目数",
    } <= names
    assert Indicator.objects.get(code="gdp").price_basis == "real"
    assert Indicator.objects.get(code="retail_sales").merged_jan_feb
    assert "Targets: 15 indicators" in demo


def test_the_demo_has_eight_years_of_history_and_2025_figures(demo):
    district = district_unit()
    years = set(
        Actual.objects.filter(unit=district, indicator__code="gdp").values_list("year", flat=True)
    )
    assert years == set(range(2017, 2026))
    months_2025 = set(Actual.objects.filter(year=2025).values_list("end_month", flat=True))
    assert {2, 3} <= months_2025
    assert max(months_2025) == 3


def test_the_demo_targets_are_split_onto_towns_and_departments(demo):
    district = district_unit()
    fai = Target.objects.get(indicator__code="fixed_asset_investment", unit=district, tier="ensure")
    children = fai.children.select_related("unit")
    assert children.count() == 8
    assert {c.unit.kind for c in children} == {UnitKind.TOWN}
    assert sum(c.value for c in children) == fai.value
    funds = Target.objects.get(indicator__code="investment_funds", unit=district)
    assert {c.unit.kind for c in funds.children.all()} == {UnitKind.DEPARTMENT}
    assert fai.allocations.count() == Project.objects.count() == 5
    # each project's target is its own annual plan, never the district's target scaled onto it
    for allocation in fai.allocations.select_related("project"):
        assert allocation.value == allocation.project.planned_investment
    assert Target.objects.filter(tier="strive").exists()


def test_the_demo_board_shows_every_light_and_an_explanation(demo):
    rows = board.board_rows(year=2025, end_month=3)
    lights = {r.light for r in rows}
    assert {Light.RED, Light.YELLOW, Light.GREEN} <= lights
    assert any(r.explanation for r in rows if r.light == Light.RED)
    assert any(r.needs_explanation for r in rows)
    assert any(r.rank for r in rows)


def test_a_second_demo_run_writes_nothing(demo):
    counts = (Indicator.objects.count(), Target.objects.count(), Actual.objects.count())
    events = AuditEvent.objects.count()
    out = StringIO()
    call_command("demo", stdout=out)
    assert (Indicator.objects.count(), Target.objects.count(), Actual.objects.count()) == counts
    assert AuditEvent.objects.count() == events
    assert "Targets: already there, unchanged." in out.getvalue()
