"""The growth still needed to reach a growth target, and the Spring Festival's shadow on Q1.

After every release leaders ask "后面几个月要增长多少才能完成全年目标?" This module answers it
for a growth-rate target on a cumulative series, over the rest of the year and over the rest
of the current quarter, with 1-2月 as one period for the series released that way.

The comparable base (可比口径). The bureau's cumulative growth is computed on a comparable
base — units entering and leaving 规上, reclassification and de-duplication — so it cannot be
recomputed from last year's published level. We take the base that this year's published growth
implies, ``base_implied = actual / (1 + g_published)``, and assume the same adjustment holds for
the rest of the year: last year's published cumulative values are scaled by
``base_implied / last_year_published`` at the current period. For real (可比价) indicators (GDP,
规上工业增加值) the implied base is in this year's prices, and the needed growth is real growth
on the assumption that prices move little within the year.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, localcontext

import chinese_calendar

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period, check_release_period
from kaimen.lib.workdays import spring_festival
from kaimen.targets.decomposition import (
    HUNDRED,
    ONE,
    PCT_QUANTUM,
    SHARE_QUANTUM,
    VALUE_QUANTUM,
    PeriodKey,
    check_amount,
    end_month_of,
    months_label,
    quantize,
)
from kaimen.targets.monitoring import PriceBasis

_PRECISION = 40
# The official holiday around the festival is at most 9 days; looking 10 days either side
# finds all of it without reaching another holiday.
_HOLIDAY_SEARCH_DAYS = 10
# Quarterly cumulative releases are named this way (GDP: 一季度, 上半年, 前三季度).
_QUARTER_END_NAMES = {3: "一季度", 6: "上半年", 9: "前三季度", 12: "全年"}


# ---------------------------------------------------------------------------------------------
# 春节错月


@dataclass(frozen=True)
class SpringFestivalShift:
    year: int
    festival: date
    previous_festival: date
    holiday: tuple[date, date] | None  # the official days off, when the calendar package has them
    previous_holiday: tuple[date, date] | None
    shifted: bool  # the festival is in a different month than the year before (春节错月)
    distorted_periods: tuple[Period, ...]
    note: str

    def distorts(self, period: Period) -> bool:
        """Whether a year-on-year comparison for ``period`` is distorted by the shift."""
        return any(period.span == p.span for p in self.distorted_periods)


@functools.lru_cache(maxsize=64)  # the calendar package's data does not change while running
def official_spring_festival_holiday(year: int) -> tuple[date, date] | None:
    """First and last official day off of the Spring Festival holiday, or None if not published."""
    festival = spring_festival(year)
    days: list[date] = []
    for offset in range(-_HOLIDAY_SEARCH_DAYS, _HOLIDAY_SEARCH_DAYS + 1):
        day = festival + timedelta(days=offset)
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:
            # The State Council publishes next year's schedule each November; before that
            # the package has no data and we say so rather than guess.
            return None
        if on_holiday and name == chinese_calendar.Holiday.spring_festival.value:
            days.append(day)
    return (min(days), max(days)) if days else None


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _holiday_text(holiday: tuple[date, date] | None) -> str:
    if holiday is None:
        return "（放假安排尚未收录）"
    return f"（假期{_day(holiday[0])}–{_day(holiday[1])}）"


@functools.lru_cache(maxsize=64)
def spring_festival_shift(year: int) -> SpringFestivalShift:
    """Whether the Spring Festival falls in a different month than the year before (春节错月).

    When it does, output and spending move between January, February and March, so year-on-year
    comparisons of 1月, 2月, 1-2月 and 一季度 (1-3月) are marked distorted. The merged 1-2月
    release absorbs most of the shift, not all of it: the working days lost and the slow
    restart after the holiday land in different months.
    """
    festival = spring_festival(year)
    previous = spring_festival(year - 1)
    holiday = official_spring_festival_holiday(year)
    previous_holiday = official_spring_festival_holiday(year - 1)
    shifted = festival.month != previous.month
    this_text = f"{year}年春节在{_day(festival)}{_holiday_text(holiday)}"
    previous_text = f"{year - 1}年春节在{_day(previous)}{_holiday_text(previous_holiday)}"
    if shifted:
        distorted: tuple[Period, ...] = (
            Period.month(year, 1),
            Period.month(year, 2),
            Period.cumulative(year, 2),
            Period.cumulative(year, 3),
        )
        note = (
            f"{this_text}，{previous_text}，春节错月：1月、2月单月及1-2月、一季度（1-3月）"
            "的同比受春节因素扭曲，可比性差，应结合两年春节前后的走势判断，不宜据此亮灯问责。"
        )
    else:
        distorted = ()
        note = f"{this_text}，{previous_text}，两年春节在同一月份，不存在春节错月。"
    return SpringFestivalShift(
        year, festival, previous, holiday, previous_holiday, shifted, distorted, note
    )


# ---------------------------------------------------------------------------------------------
# Needed pace


@dataclass(frozen=True)
class NeededPace:
    period: Period
    target_growth_pct: Decimal
    published_growth_pct: Decimal | None
    actual_to_date: Decimal
    base_to_date: Decimal  # the comparable base at the period: actual / (1 + published growth)
    base_adjustment: Decimal  # base_to_date / last year's published value at the period
    base_year_end: Decimal  # last year's full year on this year's comparable base
    target_year_end: Decimal  # base_year_end × (1 + target growth)
    rest_of_year_label: str | None  # "3-12月"; None at year end
    needed_rest_of_year_value: Decimal | None
    needed_rest_of_year_growth_pct: Decimal | None
    quarter_end: Period | None  # None when the period is itself a quarter end
    rest_of_quarter_label: str | None
    needed_rest_of_quarter_value: Decimal | None
    needed_rest_of_quarter_growth_pct: Decimal | None
    spring_festival: SpringFestivalShift | None  # set when this period's comparison is distorted
    notes: tuple[str, ...]
    explanation: str


def _needed(
    target_level: Decimal, actual: Decimal, base_end: Decimal, base_now: Decimal, label: str
) -> tuple[Decimal, Decimal]:
    """(value still needed, growth % that value is over the same months last year)."""
    rest_base = base_end - base_now
    if rest_base <= 0:
        raise ValidationError(
            f"上年{label}的可比基数为{rest_base}（不大于0），无法计算所需增速："
            "请核对上年各期累计数是否逐期递增。",
            field="last_year",
        )
    rest_value = target_level - actual
    return rest_value, (rest_value / rest_base - ONE) * HUNDRED


def needed_pace(
    *,
    period: Period,
    actual_to_date: Decimal,
    published_growth_pct: Decimal | None,
    target_growth_pct: Decimal,
    last_year: Mapping[PeriodKey, Decimal],
    merged_jan_feb: bool,
    quarterly_only: bool = False,
    price_basis: PriceBasis | None = None,
) -> NeededPace:
    """The growth needed over the rest of the year (and quarter) to reach ``target_growth_pct``.

    ``last_year`` holds last year's published cumulative values by period ("1-2月", ...,
    "1-12月"); it needs the current period, the current quarter's end and the year end. The base
    is the one implied by this year's published growth (see the module docstring); without a
    published growth, last year's published value is used and the result is marked as not on a
    comparable base.

    The rest-of-quarter figure is the growth needed over the quarter's remaining months for the
    cumulative growth at the quarter's end to stand at the annual target growth.
    """
    year = period.year
    if quarterly_only:
        if not (period.is_cumulative and period.end_month % 3 == 0):
            raise ValidationError(
                f"该指标按季度发布，“{period.label}”不是发布期间，请选择一季度、上半年、"
                "前三季度或全年。",
                field="period",
            )
    else:
        check_release_period(
            Period.cumulative(year, period.end_month) if period.is_cumulative else period,
            merged_jan_feb=merged_jan_feb,
            field="period",
        )
    actual = check_amount(actual_to_date, what="累计实绩", field="actual_to_date")
    target_growth = check_amount(target_growth_pct, what="目标增速", field="target_growth_pct")
    if actual < 0:
        raise ValidationError(f"累计实绩为{actual}，是负数，请核对。", field="actual_to_date")

    last: dict[int, Decimal] = {}
    for key, raw in last_year.items():
        month = end_month_of(key, year=year - 1, field="last_year")
        last[month] = check_amount(raw, what=f"上年“{key}”的累计数", field="last_year")
    t = period.end_month
    q = (t + 2) // 3 * 3
    needed_months = sorted({t, q, 12})
    missing = [months_label(1, m) for m in needed_months if m not in last]
    if missing:
        raise ValidationError(
            f"缺少上年{'、'.join(missing)}的累计数，无法计算所需增速，请先录入上年同期数据。",
            field="last_year",
        )
    for m in needed_months:
        if last[m] <= 0:
            raise ValidationError(
                f"上年{months_label(1, m)}的累计数为{last[m]}，不大于0，无法作为增速的基数，请核对。",
                field="last_year",
            )

    notes: list[str] = []
    quantum = VALUE_QUANTUM
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if published_growth_pct is not None:
            growth = check_amount(
                published_growth_pct, what="公布增速", field="published_growth_pct"
            )
            if growth <= -HUNDRED:
                raise ValidationError(
                    f"公布增速为{growth}%，不大于-100%，无法倒推基数，请核对。",
                    field="published_growth_pct",
                )
            base_now = actual / (ONE + growth / HUNDRED)
            adjustment = base_now / last[t]
            notes.append(
                f"可比基数按今年公布增速倒推：{actual}÷(1+{growth}%)="
                f"{quantize(base_now, quantum)}，上年同期公布数{last[t]}，"
                f"口径调整系数{quantize(adjustment, SHARE_QUANTUM)}，并假定全年口径调整一致。"
            )
        else:
            growth = None
            base_now = last[t]
            adjustment = ONE
            notes.append(
                "尚无今年公布的累计增速，基数直接采用上年公布数，结果不是可比口径，仅供参考。"
            )
        base_year_end = last[12] * adjustment
        target_year_end = base_year_end * (ONE + target_growth / HUNDRED)

        rest_year_label = rest_year_value = rest_year_growth = None
        if t < 12:
            rest_year_label = months_label(t + 1, 12)
            rest_year_value, rest_year_growth = _needed(
                target_year_end, actual, base_year_end, base_now, rest_year_label
            )

        quarter_end = rest_q_label = rest_q_value = rest_q_growth = None
        if q != t:
            quarter_end = Period.cumulative(year, q)
            rest_q_label = months_label(t + 1, q)
            base_q = last[q] * adjustment
            target_q = base_q * (ONE + target_growth / HUNDRED)
            rest_q_value, rest_q_growth = _needed(target_q, actual, base_q, base_now, rest_q_label)

    shift: SpringFestivalShift | None = None
    if t <= 3:
        candidate = spring_festival_shift(year)
        if candidate.distorts(period):
            shift = candidate
            notes.append(candidate.note)

    basis = f"（{price_basis.label}）" if price_basis is not None else ""
    so_far = f"，同比增长{growth}%{basis}" if growth is not None else ""
    parts = [f"{period.label}累计{actual}{so_far}。全年目标增长{target_growth}%{basis}"]
    if rest_year_label is not None:
        assert rest_year_growth is not None
        assert rest_year_value is not None
        parts.append(
            f"，{rest_year_label}需增长{quantize(rest_year_growth, PCT_QUANTUM)}%"
            f"（需完成{quantize(rest_year_value, quantum)}）"
        )
    else:
        parts.append("，全年已结束")
    if rest_q_label is not None and quarter_end is not None:
        assert rest_q_growth is not None
        assert rest_q_value is not None
        parts.append(
            f"；要在{_QUARTER_END_NAMES[q]}累计达到目标增速，{rest_q_label}需增长"
            f"{quantize(rest_q_growth, PCT_QUANTUM)}%（需完成{quantize(rest_q_value, quantum)}）"
        )
    explanation = "".join(parts) + "。"

    return NeededPace(
        period=period,
        target_growth_pct=target_growth,
        published_growth_pct=growth,
        actual_to_date=actual,
        base_to_date=quantize(base_now, quantum),
        base_adjustment=quantize(adjustment, SHARE_QUANTUM),
        base_year_end=quantize(base_year_end, quantum),
        target_year_end=quantize(target_year_end, quantum),
        rest_of_year_label=rest_year_label,
        needed_rest_of_year_value=None
        if rest_year_value is None
        else quantize(rest_year_value, quantum),
        needed_rest_of_year_growth_pct=None
        if rest_year_growth is None
        else quantize(rest_year_growth, PCT_QUANTUM),
        quarter_end=quarter_end,
        rest_of_quarter_label=rest_q_label,
        needed_rest_of_quarter_value=None
        if rest_q_value is None
        else quantize(rest_q_value, quantum),
        needed_rest_of_quarter_growth_pct=None
        if rest_q_growth is None
        else quantize(rest_q_growth, PCT_QUANTUM),
        spring_festival=shift,
        notes=tuple(notes),
        explanation=explanation,
    )
