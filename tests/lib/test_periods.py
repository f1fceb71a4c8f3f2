from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import (
    Period,
    PeriodKind,
    check_release_period,
    elapsed_share_of_year,
    elapsed_share_of_year_on,
    parse_period,
    release_periods,
)

JAN_FEB_2025 = Period.cumulative(2025, 2)


@pytest.mark.parametrize(
    "text",
    ["1-2月", "1—2月", "1——2月", "1~2月", "1～2月", "1至2月", "1月-2月", "１－２月", " 1 - 2 月 "],
)
def test_parse_reads_bureau_spellings_of_january_to_february(text):
    assert parse_period(text, year=2025) == JAN_FEB_2025


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年1-2月", JAN_FEB_2025),
        ("1-3月", Period.cumulative(2025, 3)),
        ("3月", Period.month(2025, 3)),
        ("3月份", Period.month(2025, 3)),
        ("1月", Period.month(2025, 1)),
        ("一季度", Period.quarter_of(2025, 1)),
        ("第二季度", Period.quarter_of(2025, 2)),
        ("2025Q1", Period.quarter_of(2025, 1)),
        ("2025-q4", Period.quarter_of(2025, 4)),
        ("Q3", Period.quarter_of(2025, 3)),
        ("上半年", Period.cumulative(2025, 6)),
        ("前三季度", Period.cumulative(2025, 9)),
        ("1-12月", Period.cumulative(2025, 12)),
        ("全年", Period.full_year(2025)),
        ("2025年", Period.full_year(2025)),
        ("2025年度", Period.full_year(2025)),
    ],
)
def test_parse_reads_months_quarters_and_years(text, expected):
    assert parse_period(text, year=2025) == expected


def test_parse_takes_the_year_from_the_text_when_none_is_given():
    assert parse_period("2024年1-5月") == Period.cumulative(2024, 5)


def test_parse_refuses_a_year_that_contradicts_the_sheet():
    with pytest.raises(ValidationError, match="2024年.*2025年") as info:
        parse_period("2024年3月", year=2025, field="period")
    assert info.value.field == "period"


def test_parse_refuses_a_period_without_any_year():
    with pytest.raises(ValidationError, match="没有写年份"):
        parse_period("1-2月")


def test_parse_suggests_the_quarter_for_a_quarter_written_as_months():
    with pytest.raises(ValidationError, match="二季度"):
        parse_period("4-6月", year=2025)


@pytest.mark.parametrize("text", ["3-5月", "13月", "1-13月", "", "下月", "2025年1-2"])
def test_parse_refuses_what_is_not_a_published_period(text):
    with pytest.raises(ValidationError):
        parse_period(text, year=2025)


def test_one_quarter_and_january_to_march_cover_the_same_months_but_differ():
    q1, jan_mar = Period.quarter_of(2025, 1), Period.cumulative(2025, 3)
    assert q1.span == jan_mar.span
    assert q1.months == jan_mar.months == (1, 2, 3)
    assert q1 != jan_mar


def test_labels_are_written_as_bureaus_write_them():
    assert JAN_FEB_2025.label == "1-2月"
    assert str(JAN_FEB_2025) == "2025年1-2月"
    assert Period.month(2025, 3).label == "3月"
    assert Period.quarter_of(2025, 1).label == "一季度"
    assert str(Period.full_year(2025)) == "2025年全年"


def test_cumulative_january_is_the_month_of_january():
    assert Period.cumulative(2025, 1) == Period.month(2025, 1)


def test_end_date_knows_leap_february():
    assert Period.cumulative(2024, 2).end_date == date(2024, 2, 29)
    assert JAN_FEB_2025.end_date == date(2025, 2, 28)
    assert Period.quarter_of(2025, 2).start_date == date(2025, 4, 1)


def test_months_covered():
    assert Period.quarter_of(2025, 4).months == (10, 11, 12)
    assert Period.month(2025, 7).months == (7,)
    assert Period.full_year(2025).months == tuple(range(1, 13))


def test_periods_sort_by_end_date_then_shorter_first():
    shuffled = [
        Period.full_year(2025),
        Period.cumulative(2025, 3),
        Period.quarter_of(2025, 1),
        Period.month(2025, 3),
        JAN_FEB_2025,
        Period.cumulative(2024, 12),
    ]
    assert sorted(shuffled) == [
        Period.cumulative(2024, 12),
        JAN_FEB_2025,
        Period.month(2025, 3),
        Period.quarter_of(2025, 1),
        Period.cumulative(2025, 3),
        Period.full_year(2025),
    ]


def test_elapsed_share_of_year_counts_days_not_months():
    assert elapsed_share_of_year(JAN_FEB_2025) == Decimal(59) / Decimal(365)
    assert elapsed_share_of_year(Period.cumulative(2024, 2)) == Decimal(60) / Decimal(366)
    assert elapsed_share_of_year(Period.full_year(2025)) == 1


def test_elapsed_share_on_a_day_counts_that_day_as_elapsed():
    assert elapsed_share_of_year_on(date(2025, 1, 1)) == Decimal(1) / Decimal(365)
    assert elapsed_share_of_year_on(date(2025, 12, 31)) == 1


def test_release_periods_merge_january_into_january_to_february():
    periods = release_periods(2025, merged_jan_feb=True)
    assert [p.label for p in periods] == [f"1-{m}月" for m in range(2, 13)]


def test_release_periods_without_merge_start_with_january():
    periods = release_periods(2025, merged_jan_feb=False)
    assert periods[0] == Period.month(2025, 1)
    assert len(periods) == 12
    assert all(p.is_cumulative for p in periods)


def test_check_release_period_refuses_january_alone_for_merged_indicators():
    with pytest.raises(ValidationError, match="1-2月"):
        check_release_period(Period.month(2025, 1), merged_jan_feb=True)


def test_check_release_period_points_a_single_month_to_its_cumulative_period():
    with pytest.raises(ValidationError, match="1-3月"):
        check_release_period(Period.month(2025, 3), merged_jan_feb=False)
    assert check_release_period(JAN_FEB_2025, merged_jan_feb=True) == JAN_FEB_2025


def test_with_year_gives_the_same_period_last_year():
    assert JAN_FEB_2025.with_year(2024) == Period.cumulative(2024, 2)


def test_invalid_construction_is_a_programming_error():
    with pytest.raises(ValueError, match="not valid"):
        Period(2025, PeriodKind.QUARTER, 4)


periods = st.one_of(
    st.builds(Period.month, st.integers(1900, 2100), st.integers(1, 12)),
    st.builds(Period.cumulative, st.integers(1900, 2100), st.integers(1, 12)),
    st.builds(Period.quarter_of, st.integers(1900, 2100), st.integers(1, 4)),
    st.builds(Period.full_year, st.integers(1900, 2100)),
)


@given(periods)
def test_format_then_parse_round_trips(period):
    assert parse_period(str(period)) == period
    assert parse_period(period.label, year=period.year) == period


@given(periods, periods)
def test_ordering_is_consistent_with_end_dates(a, b):
    if a.end_date < b.end_date:
        assert a < b
    assert (a <= b and b <= a) == (a == b)
