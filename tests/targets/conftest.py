"""A small catalogue on top of the cast, built through the services, and a way to put history in.

The cast: 区委区政府 (top, the district), 调度办 and 区大数据中心 (departments), 东城街道 (town_a)
and 西城街道 (town_b).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaimen.lib import clock
from kaimen.org.models import Membership, Role, Unit, UnitKind
from kaimen.targets import services
from kaimen.targets.models import Actual, Indicator, Provenance
from tests.conftest import make_user

D = Decimal


def add_indicator(**fields) -> Indicator:
    defaults = {
        "measure_unit": "亿元",
        "kind": "amount",
        "frequency": "monthly",
        "merged_jan_feb": True,
        "light_basis": "completion",
        "expectation": "plan",
        "green_within_pts": D(0),
        "yellow_within_pts": D(5),
    }
    return services.indicator_create(actor=None, system=True, **(defaults | fields))


def put_figures(indicator: Indicator, unit: Unit, year: int, values: dict[int, object], **kw):
    """History straight into the table (the figures themselves are not under test here)."""
    Actual.objects.bulk_create(
        Actual(
            indicator=indicator,
            unit=unit,
            year=year,
            end_month=month,
            provenance=kw.get("provenance", Provenance.OFFICIAL),
            version=1,
            value=None if value is None else D(str(value)),
            growth_pct=kw.get("growth", {}).get(month),
            entered_at=clock.now(),
        )
        for month, value in values.items()
    )


class Catalogue:
    def __init__(self, cast) -> None:
        self.cast = cast
        self.statistics = Unit.objects.create(
            name="区统计局", kind=UnitKind.DEPARTMENT, parent=cast.top
        )
        self.commerce = Unit.objects.create(
            name="区商务局", kind=UnitKind.DEPARTMENT, parent=cast.top
        )
        self.liaison_commerce = make_user("liaison_commerce", (self.commerce, Role.LIAISON))
        self.office2 = make_user("office2", (cast.office_unit, Role.OFFICE))
        self.fai = add_indicator(
            code="fixed_asset_investment",
            name="固定资产投资",
            aliases="固投",
            owner_unit=self.commerce,
            price_basis="nominal",
        )
        self.retail = add_indicator(
            code="retail_sales",
            name="社会消费品零售总额",
            aliases="社零",
            owner_unit=self.commerce,
            price_basis="nominal",
            light_basis="growth",
            yellow_within_pts=D(2),
        )
        self.gdp = add_indicator(
            code="gdp",
            name="地区生产总值",
            frequency="quarterly",
            merged_jan_feb=False,
            price_basis="real",
            light_basis="growth",
            yellow_within_pts=D(1),
        )
        self.revenue = add_indicator(
            code="budget_revenue",
            name="一般公共预算收入",
            merged_jan_feb=False,
            expectation="calendar",
        )
        self.projects = add_indicator(
            code="projects_signed",
            name="新签约项目数",
            measure_unit="个",
            kind="count",
            merged_jan_feb=False,
            expectation="calendar",
            decimals=0,
        )
        self.trade = add_indicator(
            code="foreign_trade", name="外贸进出口总额", merged_jan_feb=False
        )
        self.industry = add_indicator(
            code="industrial_value_added",
            name="规模以上工业增加值",
            aliases="规上工业增加值",
            measure_unit="指数",
            price_basis="real",
            light_basis="growth",
            yellow_within_pts=D(2),
        )


@pytest.fixture
def cat(cast) -> Catalogue:
    return Catalogue(cast)


def member_of(user) -> Unit:
    return Membership.objects.filter(user=user).first().unit


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    """Uploaded workbooks go to a per-test directory, never to the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
