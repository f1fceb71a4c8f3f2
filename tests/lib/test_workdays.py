from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.lib.errors import KaimenError, ValidationError
from kaimen.lib.workdays import (
    CalendarYearMissing,
    add_workdays,
    is_workday,
    spring_festival,
    workdays_before,
    workdays_between,
)


def test_spring_festival_2025_is_january_29():
    assert spring_festival(2025) == date(2025, 1, 29)


def test_spring_festival_2026_is_february_17():
    assert spring_festival(2026) == date(2026, 2, 17)


def test_spring_festival_outside_the_lunar_tables_is_a_clear_error():
    with pytest.raises(ValidationError, match="2100"):
        spring_festival(2100)


def test_spring_festival_holiday_2025_runs_from_january_28_to_february_4():
    holiday = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
    assert holiday[-1] == date(2025, 2, 4)
    assert not any(is_workday(d) for d in holiday)
    assert is_workday(date(2025, 1, 27))
    assert is_workday(date(2025, 2, 5))


def test_tiaoxiu_weekend_days_around_spring_festival_2025_are_workdays():
    assert date(2025, 1, 26).weekday() == 6
    assert date(2025, 2, 8).weekday() == 5
    assert is_workday(date(2025, 1, 26))
    assert is_workday(date(2025, 2, 8))


def test_an_ordinary_weekend_is_not_a_workday():
    assert not is_workday(date(2025, 3, 8))


def test_add_workdays_skips_national_day_and_counts_tiaoxiu_saturday():
    # 2025: 10/1–10/8 off; Saturday 10/11 is a 调休 workday.
    assert add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_add_workdays_does_not_count_the_start_day():
    assert add_workdays(date(2025, 3, 3), 1) == date(2025, 3, 4)
    assert add_workdays(date(2025, 3, 3), 0) == date(2025, 3, 3)


def test_add_workdays_from_a_weekend_counts_from_the_next_workday():
    assert add_workdays(date(2025, 3, 8), 1) == date(2025, 3, 10)


def test_add_workdays_backwards_skips_the_spring_festival():
    assert add_workdays(date(2025, 2, 5), -1) == date(2025, 1, 27)
    assert add_workdays(date(2025, 2, 5), -2) == date(2025, 1, 26)


def test_workdays_before_a_deadline():
    assert workdays_before(date(2025, 2, 5), 2) == date(2025, 1, 26)
    with pytest.raises(ValueError, match="negative"):
        workdays_before(date(2025, 2, 5), -1)


def test_workdays_between_counts_across_the_spring_festival():
    # 2/5, 2/6, 2/7, Saturday 2/8 (调休) and 2/10.
    assert workdays_between(date(2025, 1, 27), date(2025, 2, 10)) == 5
    assert workdays_between(date(2025, 2, 10), date(2025, 1, 27)) == -5
    assert workdays_between(date(2025, 2, 10), date(2025, 2, 10)) == 0


def test_datetimes_are_treated_as_their_date():
    assert is_workday(datetime(2025, 2, 8, 9, 30)) is True
    assert add_workdays(datetime(2025, 9, 30, 17, 0), 1) == date(2025, 10, 9)


def test_a_year_the_package_does_not_know_raises_calendar_year_missing_naming_it():
    with pytest.raises(CalendarYearMissing, match="2099") as info:
        is_workday(date(2099, 3, 2))
    assert info.value.year == 2099
    assert "调度办" in info.value.message
    assert isinstance(info.value, KaimenError)


def test_an_unknown_year_is_never_guessed_from_weekdays_when_counting():
    with pytest.raises(CalendarYearMissing, match="2099"):
        add_workdays(date(2098, 12, 30), 5, complete_years={2098})


def test_override_wins_over_the_package():
    overrides = {date(2025, 10, 8): True, date(2025, 10, 9): False}
    assert is_workday(date(2025, 10, 8), overrides)
    assert not is_workday(date(2025, 10, 9), overrides)
    assert add_workdays(date(2025, 9, 30), 1, overrides) == date(2025, 10, 8)


def test_override_of_one_day_does_not_supply_the_rest_of_a_missing_year():
    overrides = {date(2099, 1, 1): False}
    assert not is_workday(date(2099, 1, 1), overrides)
    with pytest.raises(CalendarYearMissing):
        is_workday(date(2099, 1, 2), overrides)


def test_a_complete_override_year_supplies_a_year_the_package_lacks():
    # The office entered 2099: New Year's Day off (Thursday), Friday off, Sunday 1/4 worked.
    overrides = {date(2099, 1, 1): False, date(2099, 1, 2): False, date(2099, 1, 4): True}
    complete = {2099}
    assert not is_workday(date(2099, 1, 2), overrides, complete_years=complete)
    assert is_workday(date(2099, 1, 4), overrides, complete_years=complete)
    assert not is_workday(date(2099, 1, 10), overrides, complete_years=complete)
    assert is_workday(date(2099, 1, 5), overrides, complete_years=complete)
    assert add_workdays(date(2098, 12, 31), 1, overrides, complete_years=complete) == date(
        2099, 1, 4
    )
    assert (
        workdays_between(date(2098, 12, 31), date(2099, 1, 9), overrides, complete_years=complete)
        == 6
    )


supported_days = st.dates(min_value=date(2005, 1, 1), max_value=date(2026, 6, 30))


@given(supported_days, st.integers(min_value=0, max_value=60))
def test_workdays_between_inverts_add_workdays(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    if n:
        assert is_workday(end)


@given(supported_days, st.integers(min_value=1, max_value=60))
def test_add_workdays_backwards_lands_on_a_workday_before_the_start(start, n):
    earlier = add_workdays(start, -n)
    assert earlier < start
    assert is_workday(earlier)
    assert workdays_between(earlier, start) == n - 1 + is_workday(start)
