from datetime import date
from decimal import Decimal

import pytest

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.targets.monitoring import PriceBasis
from kaimen.targets.pace import needed_pace, spring_festival_shift

D = Decimal
LAST_YEAR = {"1-2月": D("100"), "1-3月": D("160"), "1-12月": D("1000")}


def test_needed_pace_when_the_published_growth_matches_last_years_level():
    # base implied = 110 / 1.10 = 100 = last year's 1-2月, so the adjustment is 1.
    # year: target 1000 × 1.12 = 1120; still to do 1120 − 110 = 1010 over a base of
    #       1000 − 100 = 900 → 1010 / 900 − 1 = 12.22%
    # quarter: 160 × 1.12 = 179.2; 179.2 − 110 = 69.2 over 160 − 100 = 60 → 15.33%
    pace = needed_pace(
        period=Period.cumulative(2025, 2),
        actual_to_date=D("110"),
        published_growth_pct=D("10"),
        target_growth_pct=D("12"),
        last_year=LAST_YEAR,
        merged_jan_feb=True,
    )
    assert pace.base_adjustment == D("1.0000")
    assert pace.target_year_end == D("1120.00")
    assert (pace.rest_of_year_label, pace.needed_rest_of_year_growth_pct) == ("3-12月", D("12.22"))
    assert pace.needed_rest_of_year_value == D("1010.00")
    assert (pace.rest_of_quarter_label, pace.needed_rest_of_quarter_growth_pct) == (
        "3月",
        D("15.33"),
    )
    assert pace.needed_rest_of_quarter_value == D("69.20")


def test_needed_pace_uses_the_comparable_base_implied_by_the_published_growth():
    # Published growth 12.5% on 110: base = 110 / 1.125 = 97.78, not last year's published 100
    # (units left 规上). Adjustment k = 0.977…; year-end base 977.78, target × 1.12 = 1095.11;
    # rest: (1095.11 − 110) / (977.78 − 97.78) − 1 = 985.11 / 880 − 1 = 11.94%
    # quarter: base 160k = 156.44, target 175.22; (175.22 − 110) / (156.44 − 97.78) − 1 = 11.17%
    pace = needed_pace(
        period=Period.cumulative(2025, 2),
        actual_to_date=D("110"),
        published_growth_pct=D("12.5"),
        target_growth_pct=D("12"),
        last_year=LAST_YEAR,
        merged_jan_feb=True,
        price_basis=PriceBasis.NOMINAL,
    )
    assert pace.base_to_date == D("97.78")
    assert pace.base_adjustment == D("0.9778")
    assert pace.base_year_end == D("977.78")
    assert pace.needed_rest_of_year_growth_pct == D("11.94")
    assert pace.needed_rest_of_quarter_growth_pct == D("11.17")
    assert "倒推" in pace.notes[0]
    assert "（现价）" in pace.explanation


def test_quarterly_series_at_a_quarter_end_has_no_rest_of_quarter():
    # GDP: base 212 / 1.06 = 200 = last year; target 1000 × 1.065 = 1065;
    # (1065 − 212) / (1000 − 200) − 1 = 853 / 800 − 1 = 6.625% → 6.63 (rounded half up)
    pace = needed_pace(
        period=Period.quarter_of(2025, 1),
        actual_to_date=D("212"),
        published_growth_pct=D("6"),
        target_growth_pct=D("6.5"),
        last_year={"一季度": D("200"), "全年": D("1000")},
        merged_jan_feb=True,
        quarterly_only=True,
        price_basis=PriceBasis.REAL,
    )
    assert pace.rest_of_year_label == "4-12月"
    assert pace.needed_rest_of_year_growth_pct == D("6.63")
    assert pace.quarter_end is None
    assert pace.needed_rest_of_quarter_growth_pct is None


def test_rest_of_quarter_spans_the_remaining_months_of_the_quarter():
    # 1-4月: the quarter ends at 1-6月, so the rest is 5-6月.
    # 440 / 1.10 = 400 = last year's 1-4月; target 1-6月 600 × 1.10 = 660; (660 − 440) / 200 − 1
    pace = needed_pace(
        period=Period.cumulative(2025, 4),
        actual_to_date=D("440"),
        published_growth_pct=D("10"),
        target_growth_pct=D("10"),
        last_year={"1-4": D("400"), "1-6": D("600"), "1-12": D("1200")},
        merged_jan_feb=True,
    )
    assert pace.rest_of_quarter_label == "5-6月"
    assert pace.needed_rest_of_quarter_growth_pct == D("10.00")
    assert "上半年" in pace.explanation


def test_at_year_end_nothing_is_left_to_do():
    pace = needed_pace(
        period=Period.cumulative(2025, 12),
        actual_to_date=D("1100"),
        published_growth_pct=D("10"),
        target_growth_pct=D("12"),
        last_year={"1-12": D("1000")},
        merged_jan_feb=True,
    )
    assert pace.rest_of_year_label is None
    assert pace.needed_rest_of_year_growth_pct is None
    assert "全年已结束" in pace.explanation


def test_without_a_published_growth_the_result_is_marked_not_comparable():
    pace = needed_pace(
        period=Period.cumulative(2025, 2),
        actual_to_date=D("110"),
        published_growth_pct=None,
        target_growth_pct=D("12"),
        last_year=LAST_YEAR,
        merged_jan_feb=True,
    )
    # the same as the first test, since last year's 1-2月 is taken as the base
    assert pace.needed_rest_of_year_growth_pct == D("12.22")
    assert "不是可比口径" in pace.notes[0]


def test_january_alone_is_refused_for_a_series_released_as_jan_feb():
    with pytest.raises(ValidationError, match="1-2月"):
        needed_pace(
            period=Period.month(2025, 1),
            actual_to_date=D("50"),
            published_growth_pct=D("10"),
            target_growth_pct=D("12"),
            last_year=LAST_YEAR,
            merged_jan_feb=True,
        )


def test_missing_last_year_figures_are_named():
    with pytest.raises(ValidationError, match="缺少上年1-3月"):
        needed_pace(
            period=Period.cumulative(2025, 2),
            actual_to_date=D("110"),
            published_growth_pct=D("10"),
            target_growth_pct=D("12"),
            last_year={"1-2": D("100"), "1-12": D("1000")},
            merged_jan_feb=True,
        )


def test_spring_festival_2025_is_in_january_after_a_february_one():
    shift = spring_festival_shift(2025)
    assert shift.festival == date(2025, 1, 29)
    assert shift.previous_festival == date(2024, 2, 10)
    assert shift.holiday == (date(2025, 1, 28), date(2025, 2, 4))
    assert shift.shifted
    assert "春节错月" in shift.note


def test_spring_festival_2026_moves_back_to_february():
    shift = spring_festival_shift(2026)
    assert shift.festival == date(2026, 2, 17)
    assert shift.holiday == (date(2026, 2, 15), date(2026, 2, 23))
    assert shift.shifted
    assert shift.distorts(Period.cumulative(2026, 2))
    assert shift.distorts(Period.quarter_of(2026, 1))
    assert not shift.distorts(Period.cumulative(2026, 4))


def test_two_festivals_in_the_same_month_are_not_a_shift():
    # 2026-02-17 and 2027-02-06
    shift = spring_festival_shift(2027)
    assert not shift.shifted
    assert not shift.distorts(Period.cumulative(2027, 2))
    assert "不存在春节错月" in shift.note


def test_needed_pace_in_a_shifted_first_quarter_carries_the_warning():
    pace = needed_pace(
        period=Period.cumulative(2026, 2),
        actual_to_date=D("110"),
        published_growth_pct=D("10"),
        target_growth_pct=D("12"),
        last_year=LAST_YEAR,
        merged_jan_feb=True,
    )
    assert pace.spring_festival is not None
    assert any("春节错月" in note for note in pace.notes)


def test_needed_pace_after_the_first_quarter_has_no_festival_warning():
    pace = needed_pace(
        period=Period.cumulative(2026, 4),
        actual_to_date=D("440"),
        published_growth_pct=D("10"),
        target_growth_pct=D("10"),
        last_year={"1-4": D("400"), "1-6": D("600"), "1-12": D("1200")},
        merged_jan_feb=True,
    )
    assert pace.spring_festival is None
