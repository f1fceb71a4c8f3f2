"""The official working-day calendar: statutory holidays and 调休 (swapped) workdays.

SLA clocks (appeals, supervision deadlines) count working days on the calendar the State
Council's General Office publishes each November for the next year. The ``chinese_calendar``
package carries those schedules; for a year it lacks, the campaign office enters the schedule in
an override table. We never fall back to "Monday to Friday": around the Spring Festival and
National Day that is wrong by a week.

``overrides`` maps a date to True (a workday, e.g. a 调休 Saturday) or False (a day off) and
always wins over the package. A year listed in ``complete_years`` is one whose whole schedule
the office has entered: every holiday and every 调休 workday of that year is in ``overrides``,
any other day follows the weekday rule, and the package is not consulted for that year.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from datetime import date, datetime, timedelta

import chinese_calendar
from lunardate import LunarDate

from kaimen.lib.errors import KaimenError, ValidationError

Overrides = Mapping[date, bool]


class CalendarYearMissing(KaimenError):
    default_code = "calendar_year_missing"

    def __init__(self, year: int, *, field: str | None = None) -> None:
        self.year = year
        super().__init__(
            f"系统没有{year}年的法定节假日和调休安排，无法按工作日计算期限。"
            f"请调度办在“节假日安排”表中录入{year}年的全部放假日和调休上班日，"
            f"并标记该年已录入完整后重试。",
            field=field,
        )


def _as_date(d: date) -> date:
    # datetime is a subclass of date; comparing one with a date key in the override table
    # would silently never match.
    return d.date() if isinstance(d, datetime) else d


def is_workday(
    d: date, overrides: Overrides | None = None, *, complete_years: Collection[int] = ()
) -> bool:
    """Whether ``d`` is an official working day. Raises CalendarYearMissing for an unknown year."""
    d = _as_date(d)
    if overrides and d in overrides:
        return bool(overrides[d])
    if d.year in complete_years:
        return d.weekday() < 5
    try:
        return _published_workday(d)
    except NotImplementedError as exc:
        raise CalendarYearMissing(d.year) from exc


@functools.lru_cache(maxsize=4096)
def _published_workday(d: date) -> bool:
    """The package's answer for one day, remembered: its schedule does not change while Kaimen
    runs, and a ledger's lights count the working days of every open task."""
    return bool(chinese_calendar.is_workday(d))


def add_workdays(
    start: date,
    n: int,
    overrides: Overrides | None = None,
    *,
    complete_years: Collection[int] = (),
) -> date:
    """The n-th working day after ``start`` (before it when n < 0); ``start`` itself is not counted.

    民法典 第201条: a period counted in days starts on the day after the event, so an appeal
    received on a Friday with a 5-working-day SLA is due on the fifth working day after it.
    n == 0 returns ``start`` unchanged.
    """
    current = _as_date(start)
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        current += step
        if is_workday(current, overrides, complete_years=complete_years):
            remaining -= 1
    return current


def workdays_between(
    a: date, b: date, overrides: Overrides | None = None, *, complete_years: Collection[int] = ()
) -> int:
    """Working days elapsed from ``a`` to ``b``: those in (a, b], negative when b is before a.

    The inverse of add_workdays: ``workdays_between(a, add_workdays(a, n)) == n`` for n >= 0.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -workdays_between(b, a, overrides, complete_years=complete_years)
    count = 0
    current = a
    while current < b:
        current += timedelta(days=1)
        if is_workday(current, overrides, complete_years=complete_years):
            count += 1
    return count


def workdays_before(
    deadline: date,
    n: int,
    overrides: Overrides | None = None,
    *,
    complete_years: Collection[int] = (),
) -> date:
    """The working day n working days before ``deadline`` (when to send a reminder)."""
    if n < 0:
        raise ValueError("n must not be negative")
    return add_workdays(deadline, -n, overrides, complete_years=complete_years)


def spring_festival(year: int) -> date:
    """The lunar new year's day (春节) of ``year`` in the Gregorian calendar."""
    new_year = LunarDate(year, 1, 1)
    # lunardate 0.3 renamed toSolarDate (now deprecated); pyproject still admits 0.2.
    to_solar = getattr(new_year, "to_solar_date", None) or new_year.toSolarDate
    try:
        return to_solar()
    except ValueError as exc:
        raise ValidationError(
            f"农历数据只覆盖1900–2099年，无法计算{year}年的春节日期。", field="year"
        ) from exc
