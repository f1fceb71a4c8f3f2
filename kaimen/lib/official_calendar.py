"""The official working-day calendar as the application uses it: the package's schedules plus
the office's override table (:mod:`kaimen.core.models`).

``OfficialCalendar`` itself is plain Python (pure modules such as ``ledger.lights`` take it as
an argument and tests build one by hand); :func:`load` asks core for the two tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import chinese_calendar

from kaimen.lib import workdays
from kaimen.lib.workdays import CalendarYearMissing


@dataclass(frozen=True)
class OfficialCalendar:
    overrides: Mapping[date, bool] = field(default_factory=dict)
    complete_years: frozenset[int] = frozenset()

    def is_workday(self, d: date) -> bool:
        return workdays.is_workday(d, self.overrides, complete_years=self.complete_years)

    def add_workdays(self, start: date, n: int) -> date:
        return workdays.add_workdays(start, n, self.overrides, complete_years=self.complete_years)

    def workdays_between(self, a: date, b: date) -> int:
        return workdays.workdays_between(a, b, self.overrides, complete_years=self.complete_years)

    def workdays_before(self, deadline: date, n: int) -> date:
        return workdays.workdays_before(
            deadline, n, self.overrides, complete_years=self.complete_years
        )

    def next_workday_on_or_after(self, d: date) -> date:
        """``d`` itself when it is a working day, else the first working day after it."""
        return d if self.is_workday(d) else self.add_workdays(d, 1)

    def require_year(self, year: int) -> None:
        """Raise CalendarYearMissing unless the package or the office covers ``year``."""
        if year not in self.complete_years and not package_covers(year):
            raise CalendarYearMissing(year)


def package_covers(year: int) -> bool:
    """Whether the installed ``chinese_calendar`` carries the State Council schedule of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def package_last_year(start: int = 2020) -> int | None:
    year = start
    if not package_covers(year):
        return None
    while package_covers(year + 1):
        year += 1
    return year


# The office's overrides live in core's tables; core names the function that reads them at
# start-up (CoreConfig.ready), so this module stays free of the database.
_overrides_source: Callable[[], tuple[Mapping[date, bool], frozenset[int]]] | None = None


def set_overrides_source(
    source: Callable[[], tuple[Mapping[date, bool], frozenset[int]]],
) -> None:
    global _overrides_source
    _overrides_source = source


def load() -> OfficialCalendar:
    """The calendar with the office's overrides (two small queries, made by core)."""
    if _overrides_source is None:
        raise RuntimeError(
            "The official calendar has no overrides source: is kaimen.core installed?"
        )
    overrides, years = _overrides_source()
    return OfficialCalendar(overrides=overrides, complete_years=years)
