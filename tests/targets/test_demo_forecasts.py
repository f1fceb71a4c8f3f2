"""A fresh demo gives every key indicator on the dashboard a nowcast, or a reason of its own
(growth-only indicators have no level forecast by rule), and its synthetic history agrees with
this year's targets and published growth rates."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kaimen.org.models import User
from kaimen.targets import demo_history_monthly as monthly
from kaimen.targets.demo import TARGETS, YEAR
from kaimen.targets.models import Actual, Indicator
from kaimen.targets.selectors import district_unit

D = Decimal


@pytest.fixture
def demo():
    call_command("demo", stdout=StringIO())
    User.objects.update(must_change_password=False)


def tiles(html: str) -> dict[str, str]:
    """{indicator name: the text of its nowcast cell} of the dashboard's key indicators."""
    out = {}
    for row in re.findall(r'<tr class="dl-row-.*?</tr>', html, re.S):
        name = re.search(r'focus=\d+">(.*?)</a>', row).group(1)
        cell = re.search(r'<td class="dash-now">(.*?)</td>', row, re.S).group(1)
        out[name] = " ".join(re.sub(r"<[^>]+>", " ", cell).split())
    return out


@pytest.mark.django_db
def test_every_key_indicator_has_a_nowcast_or_its_own_reason(client, demo):
    client.force_login(User.objects.get(username="leader.zhang"))
    shown = tiles(client.get(reverse("dashboard:dashboard")).content.decode())
    key = list(Indicator.objects.filter(is_key=True).values_list("name", "growth_only"))
    assert len(shown) == len(key) == 10
    for name, growth_only in key:
        text = shown[name]
        if growth_only:
            assert text == f"{name}在本级只公布增速，不作水平值预测。"
        else:
            assert text.startswith("全年 "), (name, text)  # a full-year nowcast with its range
            assert "据8年历史" in text, (name, text)
    assert "没有历史数据" not in " ".join(shown.values())


@pytest.mark.django_db
def test_the_history_agrees_with_this_years_published_growth(demo):
    district = district_unit()
    for code in ("budget_revenue", "foreign_trade"):
        this_year = {
            a.end_month: a
            for a in Actual.objects.filter(indicator__code=code, unit=district, year=YEAR)
        }
        last_year = dict(
            Actual.objects.filter(indicator__code=code, unit=district, year=YEAR - 1).values_list(
                "end_month", "value"
            )
        )
        assert sorted(last_year) == list(range(1, 13))
        for month, figure in this_year.items():
            implied = (figure.value / last_year[month] - 1) * 100
            assert abs(implied - figure.growth_pct) < D("0.1"), (code, month)


@pytest.mark.parametrize("code", sorted(monthly.PATTERNS))
def test_each_years_series_is_cumulative_and_last_year_meets_the_target_basis(code):
    growth, value = next((g, v) for c, g, v, *_ in TARGETS if c == code)
    history = monthly.monthly_history(
        code,
        year=2025,
        target_value=D(value),
        target_growth_pct=D(growth) if growth else None,
        this_year={},
        whole_numbers=code.startswith("projects"),
    )
    assert sorted(history) == list(range(2025 - monthly.YEARS, 2025))
    for months in history.values():
        values = [months[m] for m in range(1, 13)]
        assert values == sorted(values)  # cumulative: never falls within a year
        assert values[0] > 0
    if growth:  # last year's total is the target over (1 + the target growth)
        expected = D(value) / (1 + D(growth) / 100)
        assert abs(history[2024][12] - expected) < D("0.01")
    totals = [history[y][12] for y in sorted(history)]
    assert totals == sorted(totals)  # the district grew year by year
    assert len(set(tuple(history[y].values()) for y in history)) == monthly.YEARS


def test_an_indicator_without_a_pattern_gets_no_invented_history():
    assert (
        monthly.monthly_history(
            "gdp",
            year=2025,
            target_value=D(1),
            target_growth_pct=None,
            this_year={},
            whole_numbers=False,
        )
        == {}
    )
