"""When the demo district's story happens.

The story (the speech, the campaign, its reports, reminders, rankings and the statistics bureau's
releases) is written in the dates of 2025's first quarter. ``kaimen demo`` tells it in the latest
year whose first quarter is over, so that a fresh demo reads like this year's screen: the
campaign is this year's, the year's figures run to the last completed quarter, and time
progress and overdue counts are those an office would see today.

Every written date moves by whole years. A date that was a working day in 2025 and falls on a
weekend or a holiday in the story's year moves on to the next working day, so a report or a
meeting is not dated on a Sunday or in the Spring Festival holiday.

``KAIMEN_DEMO_TODAY`` (ISO date) pins the day the story is told from; the test settings pin it
to 20 April 2025, the day the story was written for.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings

from kaimen.lib import clock, workdays

WRITTEN_YEAR = 2025


def today() -> date:
    pinned = getattr(settings, "KAIMEN_DEMO_TODAY", "")
    return date.fromisoformat(pinned) if pinned else clock.today()


def story_year(on: date | None = None) -> int:
    """The latest year whose first quarter is over on ``on`` (default: today)."""
    on = on or today()
    return on.year if on >= date(on.year, 4, 1) else on.year - 1


def latest_month(on: date | None = None) -> int:
    """The last month of the last completed quarter of the story's year: 3, 6, 9 or 12."""
    on = on or today()
    year = story_year(on)
    if on.year > year:
        return 12
    return 3 * ((on.month - 1) // 3)


def shift_year(year: int, on: date | None = None) -> int:
    """A year of the written story (2025, or 2017–2024 of its history) in the story's years."""
    return year + story_year(on) - WRITTEN_YEAR


def _workday(d: date) -> bool | None:
    try:
        return workdays.is_workday(d)
    except workdays.CalendarYearMissing:
        return None


def moved(written: date, on: date | None = None) -> date:
    """``written`` (a date of the 2025 story) in the story's year, on a working day if it was one."""
    offset = story_year(on) - WRITTEN_YEAR
    if not offset:
        return written
    try:
        day = written.replace(year=written.year + offset)
    except ValueError:  # 29 February
        day = written.replace(year=written.year + offset, day=28)
    if _workday(written) and _workday(day) is False:
        for _ in range(30):
            day += timedelta(days=1)
            if _workday(day) is not False:
                break
    return day


def day(month: int, dom: int, on: date | None = None) -> date:
    """The story's date written as ``month``/``dom`` of 2025."""
    return moved(date(WRITTEN_YEAR, month, dom), on)
