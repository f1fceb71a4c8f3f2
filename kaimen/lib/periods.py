"""Statistics periods within a year: "3月", "1-2月", "一季度", "全年".

Statistics bureaus publish cumulative figures (累计值, 累计增速) as "1-N月", quarterly figures
(GDP) as "一季度" / "上半年" / "前三季度" / "全年", and a few series by single month. A Period
remembers which of these spellings it is, because "一季度" and "1-3月" cover the same months
but name different releases; compare coverage with ``span``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import total_ordering

from kaimen.lib.errors import ValidationError
from kaimen.lib.text import normalize_fullwidth, preview_for_message


class PeriodKind(StrEnum):
    MONTH = "month"  # a single month, "3月"; January alone is also the first cumulative period
    CUMULATIVE = "cumulative"  # from January, "1-2月" … "1-12月"
    QUARTER = "quarter"  # a single quarter, "一季度"
    YEAR = "year"  # the whole year, "全年"


_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
_KIND_RANK = {
    PeriodKind.MONTH: 0,
    PeriodKind.QUARTER: 1,
    PeriodKind.CUMULATIVE: 2,
    PeriodKind.YEAR: 3,
}
MIN_YEAR = 1900
MAX_YEAR = 2100


@total_ordering
@dataclass(frozen=True)
class Period:
    """A statistics period of one year, identified by its kind and its last month.

    Build one with the class methods (``Period.cumulative(2025, 2)``) or ``parse_period``.
    Periods order by end date, then shorter before longer, so a sorted list reads the way
    releases come out.
    """

    year: int
    kind: PeriodKind
    end_month: int

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year {self.year} outside {MIN_YEAR}..{MAX_YEAR}")
        valid = {
            PeriodKind.MONTH: 1 <= self.end_month <= 12,
            # "1-1月" is just January: Period.cumulative() returns a MONTH for it, so that one
            # span has one spelling and parse/format round-trips.
            PeriodKind.CUMULATIVE: 2 <= self.end_month <= 12,
            PeriodKind.QUARTER: self.end_month in (3, 6, 9, 12),
            PeriodKind.YEAR: self.end_month == 12,
        }[PeriodKind(self.kind)]
        if not valid:
            raise ValueError(f"end_month {self.end_month} is not valid for a {self.kind} period")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(year, PeriodKind.MONTH, month)

    @classmethod
    def cumulative(cls, year: int, end_month: int) -> Period:
        if end_month == 1:
            return cls(year, PeriodKind.MONTH, 1)
        return cls(year, PeriodKind.CUMULATIVE, end_month)

    @classmethod
    def quarter_of(cls, year: int, quarter: int) -> Period:
        if quarter not in _QUARTER_NAMES:
            raise ValueError(f"quarter {quarter} is not 1..4")
        return cls(year, PeriodKind.QUARTER, quarter * 3)

    @classmethod
    def full_year(cls, year: int) -> Period:
        return cls(year, PeriodKind.YEAR, 12)

    @property
    def start_month(self) -> int:
        if self.kind == PeriodKind.MONTH:
            return self.end_month
        if self.kind == PeriodKind.QUARTER:
            return self.end_month - 2
        return 1

    @property
    def months(self) -> tuple[int, ...]:
        return tuple(range(self.start_month, self.end_month + 1))

    @property
    def quarter(self) -> int | None:
        return self.end_month // 3 if self.kind == PeriodKind.QUARTER else None

    @property
    def is_cumulative(self) -> bool:
        """True when the period runs from January, so its figure is a 累计值."""
        return self.start_month == 1

    @property
    def span(self) -> tuple[int, int, int]:
        """(year, first month, last month): equal for "一季度" and "1-3月"."""
        return (self.year, self.start_month, self.end_month)

    @property
    def start_date(self) -> date:
        return date(self.year, self.start_month, 1)

    @property
    def end_date(self) -> date:
        return date(self.year, self.end_month, calendar.monthrange(self.year, self.end_month)[1])

    @property
    def label(self) -> str:
        """The period without its year, as bureaus write it: "1-2月", "3月", "一季度", "全年"."""
        if self.kind == PeriodKind.MONTH:
            return f"{self.end_month}月"
        if self.kind == PeriodKind.CUMULATIVE:
            return f"1-{self.end_month}月"
        if self.kind == PeriodKind.QUARTER:
            return f"{_QUARTER_NAMES[self.end_month // 3]}季度"
        return "全年"

    def with_year(self, year: int) -> Period:
        """The same period in another year (same period last year is ``p.with_year(p.year - 1)``)."""
        return Period(year, self.kind, self.end_month)

    def _sort_key(self) -> tuple[int, int, int, int]:
        return (self.year, self.end_month, -self.start_month, _KIND_RANK[PeriodKind(self.kind)])

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    def __str__(self) -> str:
        return f"{self.year}年{self.label}"


# Dashes and range words as they turn up in bureau spreadsheets and typed input: ASCII hyphen,
# en/em dashes (often doubled, "1——2月"), the minus sign, the tildes and 至/到.
_RANGE = re.compile("[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212~\u301c至到]+")
_YEAR_PREFIX = re.compile(r"(?P<year>[0-9]{4})(?:年度|年|-|/|\.)?")
_MONTH_RANGE = re.compile(r"(?P<start>[0-9]{1,2})月?-(?P<end>[0-9]{1,2})月份?")
_SINGLE_MONTH = re.compile(r"(?P<month>[0-9]{1,2})月份?")
_QUARTER = re.compile(r"第?(?P<q>[一二三四1-4])季度?|Q(?P<qq>[1-4])", re.IGNORECASE)
_QUARTER_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# Quarterly cumulative releases (GDP) have their own names.
_NAMED_CUMULATIVE = {"上半年": 6, "前三季度": 9, "1-3季度": 9, "一-三季度": 9}
_WHOLE_YEAR = {"全年", "年度", "全年度"}

_HELP = "可以写成“1-2月”“3月”“一季度”“2025Q1”“上半年”“前三季度”或“全年”，前面可带年份，如“2025年1-2月”。"


def parse_period(text: str, *, year: int | None = None, field: str | None = None) -> Period:
    """Read a period as users and bureaus write it.

    ``year`` is the year of the sheet or form; a year written in ``text`` must agree with it.
    Raises ValidationError, saying what was not understood and how to write it.
    """
    raw = preview_for_message(text)
    s = _RANGE.sub("-", "".join(normalize_fullwidth(text).split()))
    if not s:
        raise ValidationError(f"统计期间不能为空。{_HELP}", field=field)

    written_year: int | None = None
    m = _YEAR_PREFIX.match(s)
    if m:
        written_year = int(m["year"])
        s = s[m.end() :]
    if written_year is not None and year is not None and written_year != year:
        raise ValidationError(
            f"统计期间“{raw}”写的是{written_year}年，但这里填报的是{year}年的数据，请核对年份。",
            field=field,
        )
    the_year = written_year if written_year is not None else year
    if the_year is None:
        raise ValidationError(
            f"统计期间“{raw}”没有写年份，请写成“2025年1-2月”这样的形式。", field=field
        )
    if not MIN_YEAR <= the_year <= MAX_YEAR:
        raise ValidationError(
            f"统计期间“{raw}”的年份{the_year}不在{MIN_YEAR}–{MAX_YEAR}年之间，请核对。",
            field=field,
        )

    if s == "" or s in _WHOLE_YEAR:
        return Period.full_year(the_year)
    if s in _NAMED_CUMULATIVE:
        return Period.cumulative(the_year, _NAMED_CUMULATIVE[s])
    if m := _QUARTER.fullmatch(s):
        return Period.quarter_of(the_year, _QUARTER_DIGIT[m["q"] or m["qq"]])
    if m := _SINGLE_MONTH.fullmatch(s):
        month = _check_month(int(m["month"]), raw, field)
        return Period.month(the_year, month)
    if m := _MONTH_RANGE.fullmatch(s):
        start = _check_month(int(m["start"]), raw, field)
        end = _check_month(int(m["end"]), raw, field)
        if start == end:
            return Period.month(the_year, start)
        if start == 1 and end > 1:
            return Period.cumulative(the_year, end)
        if end - start == 2 and start % 3 == 1:
            hint = f"单个季度请写成“{_QUARTER_NAMES[end // 3]}季度”"
        else:
            hint = "累计期间须从1月开始，如“1-5月”"
        raise ValidationError(
            f"统计期间“{raw}”不是统计部门发布的期间：{hint}。{_HELP}", field=field
        )
    raise ValidationError(f"看不懂统计期间“{raw}”。{_HELP}", field=field)


def _check_month(month: int, raw: str, field: str | None) -> int:
    if not 1 <= month <= 12:
        raise ValidationError(f"统计期间“{raw}”中的月份{month}不在1到12之间，请核对。", field=field)
    return month


def release_periods(year: int, *, merged_jan_feb: bool) -> list[Period]:
    """The cumulative periods in which a monthly indicator is published, in release order.

    规上工业, 固定资产投资 and 社会消费品零售总额 have no January figure: the bureau publishes
    January and February together as "1-2月" (``merged_jan_feb=True``).
    """
    first = [] if merged_jan_feb else [Period.month(year, 1)]
    return first + [Period.cumulative(year, m) for m in range(2, 13)]


def check_release_period(
    period: Period, *, merged_jan_feb: bool, field: str | None = None
) -> Period:
    """Refuse a period in which a monthly cumulative indicator is not published."""
    if period in release_periods(period.year, merged_jan_feb=merged_jan_feb):
        return period
    if merged_jan_feb and period.kind == PeriodKind.MONTH and period.end_month == 1:
        message = f"该指标1月不单独发布，1月和2月合并为“1-2月”发布：请填写{period.year}年“1-2月”的累计数。"
    else:
        instead = Period.cumulative(period.year, period.end_month)
        message = (
            f"该指标按“1-N月”累计发布，没有“{period.label}”这一期：请填写{period.year}年"
            f"“{instead.label}”的累计数。"
        )
    raise ValidationError(message, field=field)


def elapsed_share_of_year_on(day: date) -> Decimal:
    """Share of the calendar year elapsed at the end of ``day`` (时间进度), days-based."""
    days_in_year = 366 if calendar.isleap(day.year) else 365
    return Decimal(day.timetuple().tm_yday) / Decimal(days_in_year)


def elapsed_share_of_year(period: Period) -> Decimal:
    """Time progress (时间进度) at the end of ``period``: 1-2月 of 2025 is 59/365.

    Completion of an annual target is judged against this share, so it counts days rather than
    months (February is shorter than March).
    """
    return elapsed_share_of_year_on(period.end_date)
