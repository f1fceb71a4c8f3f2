"""Nowcast: where the quarter and the year will end, judged from the actuals to date.

"一季度经济是全年经济的风向标." The projection scales the cumulative actual by the seasonal
profile, the average cumulative share at this point of the year over the last three years
(``SHARE_YEARS``, the window of the plan's seasonal split; profiles drift):
``year_end = actual / share(t)`` and ``quarter_end = actual × share(q) / share(t)``.

The interval comes from the history's own errors at the same point of the year, as they would
have been made in real time: each past year is projected from its own cumulative at this period
with the profile of the (up to three) years *before* it (the first year has none and gives no
error), and the last five (``ERROR_YEARS``) log errors ``e_i = ln(actual / projected)`` are
kept: how far off the method has been lately. With ``n`` such errors and their root
mean square ``r = sqrt(Σ e_i² / n)``, the ~80% interval is ``projected × exp(± t(0.90, n) × r)``,
where ``t(0.90, n)`` is the 90% quantile of Student's t with ``n`` degrees of freedom (3.078 for
n = 1 … 1.638 for n = 3 … 1.282 for many years). If the errors are independent normal errors
around zero, ``e_new / r`` follows t with n degrees of freedom, so this interval is exact for that
model; the t quantile is the small-sample correction that widens it when few years are known (the
empirical 10%–90% quantiles of three to ten errors are far too narrow). Real-time errors rather
than leave-one-year-out ones: when the seasonal profile drifts (a bureau revising its year-end
totals, a reform of the statistics), a year left out is projected partly from later years that
already know the drift, so its error understates what the office meets; a real-time error keeps
the drift's sign and size. With fewer than three errors (four past years) there is no interval:
we say so instead of inventing one. What the intervals still miss on real series is measured by
the backtest and reported in README (Performance, Forecasts).

The probability of meeting a target is a normal approximation on the same log errors:
``P = 1 − Φ((ln(target / projected) − mean) / stdev)``. With three to seven errors this is
rough; it is shown as a rounded percentage and the backtest says how good the intervals were.

The naive baseline is the time-progress projection leaders use in their heads: the cumulative
actual divided by the elapsed share of the calendar year (days-based, ``periods.py``).

Floats are used only for logarithms and quantiles; every result is a Decimal.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import statistics
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import MAX_YEAR, MIN_YEAR, Period, check_release_period
from kaimen.lib.periods import elapsed_share_of_year as calendar_share
from kaimen.lib.quantities import parse_decimal
from kaimen.targets.decomposition import (
    PCT_QUANTUM,
    SHARE_QUANTUM,
    VALUE_QUANTUM,
    History,
    check_amount,
    cumulative_shares,
    end_month_of,
    history_table,
    months_label,
    quantize,
)

INTERVAL_LEVEL = Decimal("0.8")
MIN_ERRORS_FOR_INTERVAL = 3
# The first year has no earlier year to be projected from, so three errors take four years.
MIN_YEARS_FOR_INTERVAL = MIN_ERRORS_FOR_INTERVAL + 1
MIN_PRIOR_YEARS_FOR_BACKTEST = 3
# The seasonal pattern is the average of the last three years, as the plan's seasonal split
# takes it (decomposition.seasonal_plan): patterns drift (December's share of the national
# fixed-asset investment fell from 9–10% to 3–4% between 2013 and 2020), and older years pull
# every projection the same way.
SHARE_YEARS = 3
# The interval is sized from the method's last five real-time errors: how far off the same
# projection has been lately, not in a regime the pattern has since left.
ERROR_YEARS = 5
_PRECISION = 40
_PROBABILITY_QUANTUM = Decimal("0.01")
_ERROR_QUANTUM = Decimal("0.0001")
_MAX_LISTED_ERRORS = 20


# ---------------------------------------------------------------------------------------------
# The projection and its real-time errors


@dataclass(frozen=True)
class _Fit:
    ratio: Decimal  # mean share at the horizon / mean share at the period
    years: tuple[int, ...]
    log_errors: tuple[float, ...]  # real-time errors: one per year that had earlier years


def _mean(values: list[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return sum(values, Decimal(0)) / len(values)


def _ratio(
    shares: Mapping[int, Mapping[int, Decimal]], years: list[int], t: int, h: int
) -> Decimal:
    at_t = _mean([shares[y][t] for y in years])
    at_h = _mean([shares[y][h] for y in years])
    if at_t <= 0:
        raise ValidationError(
            f"历史上{months_label(1, t)}的累计数平均为0，无法据此推算，请核对历史数据。",
            field="history",
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return at_h / at_t


def _fit(shares: Mapping[int, Mapping[int, Decimal]], t: int, h: int) -> _Fit:
    """The ratio from the last ``SHARE_YEARS`` years, and the real-time errors of the same
    method: each year projected from the ``SHARE_YEARS`` years before it (what was known while
    it was under way), the last ``ERROR_YEARS`` of them kept."""
    years = sorted(shares)
    ratio = _ratio(shares, years[-SHARE_YEARS:], t, h)
    errors: list[float] = []
    for i, y in enumerate(years):
        earlier = years[max(0, i - SHARE_YEARS) : i]
        if not earlier or shares[y][t] <= 0:
            continue
        projected = float(shares[y][t] * _ratio(shares, earlier, t, h))
        errors.append(math.log(float(shares[y][h]) / projected))
    return _Fit(ratio, tuple(years), tuple(errors[-ERROR_YEARS:]))


def _betacf(a: float, b: float, x: float) -> float:
    # Continued fraction of the regularised incomplete beta function (modified Lentz).
    tiny = 1e-300

    def guard(v: float) -> float:
        return v if abs(v) > tiny else tiny

    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 / guard(1.0 - qab * x / qap)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 / guard(1.0 + aa * d)
        c = guard(1.0 + aa / c)
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 / guard(1.0 + aa * d)
        c = guard(1.0 + aa / c)
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def student_t_cdf(x: float, df: int) -> float:
    """P(T ≤ x) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / (df + x * x))
    return 1.0 - tail if x >= 0 else tail


@functools.lru_cache(maxsize=128)
def student_t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (0.5 < p < 1), by bisection."""
    low, high = 0.0, 1.0
    while student_t_cdf(high, df) < p:
        high *= 2.0
    for _ in range(200):
        mid = (low + high) / 2.0
        if student_t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


_UPPER = 0.5 + float(INTERVAL_LEVEL) / 2  # 0.9: the upper cut of a central 80% interval


def interval_half_width(errors: tuple[float, ...]) -> float | None:
    """Half-width of the ~80% interval on the log scale: ``t(0.90, n) × rms(errors)``.

    None with fewer than ``MIN_ERRORS_FOR_INTERVAL`` errors.
    """
    n = len(errors)
    if n < MIN_ERRORS_FOR_INTERVAL:
        return None
    rms = math.sqrt(math.fsum(e * e for e in errors) / n)
    return student_t_quantile(_UPPER, n) * rms


def _interval(point: Decimal, errors: tuple[float, ...]) -> tuple[float, float] | None:
    half = interval_half_width(errors)
    if half is None:
        return None
    return float(point) * math.exp(-half), float(point) * math.exp(half)


def _probability(point: Decimal, target: Decimal, errors: tuple[float, ...]) -> Decimal | None:
    if len(errors) < MIN_ERRORS_FOR_INTERVAL or point <= 0 or target <= 0:
        return None
    mu = statistics.fmean(errors)
    sigma = statistics.stdev(errors)
    gap = math.log(float(target) / float(point))
    if sigma == 0:
        p = 1.0 if mu >= gap else 0.0
    else:
        p = 1.0 - statistics.NormalDist(mu, sigma).cdf(gap)
    return quantize(Decimal(repr(p)), _PROBABILITY_QUANTUM)


def _to_decimal(x: float, quantum: Decimal) -> Decimal:
    return quantize(Decimal(repr(x)), quantum)


# ---------------------------------------------------------------------------------------------
# Nowcast


@dataclass(frozen=True)
class Projection:
    horizon: Period  # 1-12月, or the end of the current quarter
    value: Decimal  # the seasonal-profile projection
    naive: Decimal  # the time-progress projection (YTD ÷ elapsed share)
    low: Decimal | None  # ~80% interval; None when history is too short
    high: Decimal | None
    interval_note: str


@dataclass(frozen=True)
class Nowcast:
    period: Period
    actual_to_date: Decimal
    profile_share: Decimal  # the history's average cumulative share at the period, 0..1
    calendar_share: Decimal  # elapsed share of the year, 0..1
    year_end: Projection
    quarter_end: Projection | None  # None when the period is itself a quarter end
    years_used: tuple[int, ...]
    log_errors: tuple[Decimal, ...]  # year-end real-time errors (see _fit), for the record
    target: Decimal | None
    probability_of_target: Decimal | None  # 0..1, normal approximation on the log errors
    notes: tuple[str, ...]
    explanation: str


def _check_period(period: Period, *, merged_jan_feb: bool, quarterly_only: bool) -> int:
    if not period.is_cumulative:
        raise ValidationError(
            f"推算按累计值进行，“{period.label}”不是累计期间，请选择“1-{period.end_month}月”。",
            field="period",
        )
    if quarterly_only:
        if period.end_month % 3:
            raise ValidationError(
                f"该指标按季度发布，“{period.label}”不是发布期间，请选择季度末的累计期间。",
                field="period",
            )
    else:
        check_release_period(
            Period.cumulative(period.year, period.end_month),
            merged_jan_feb=merged_jan_feb,
            field="period",
        )
    return period.end_month


def _projection(
    *,
    horizon: Period,
    actual: Decimal,
    fit: _Fit,
    naive: Decimal,
    quantum: Decimal,
) -> Projection:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        point = actual * fit.ratio
    bounds = _interval(point, fit.log_errors)
    if bounds is None:
        note = (
            f"历史年份只有{len(fit.years)}年，少于{MIN_YEARS_FOR_INTERVAL}年，"
            "无法根据历史误差给出可信区间。"
        )
        low = high = None
    else:
        low, high = (_to_decimal(b, quantum) for b in bounds)
        note = (
            f"约{int(INTERVAL_LEVEL * 100)}%区间，由{len(fit.log_errors)}个历史年份在同一时点"
            "按其以前年份推算的误差（均方根）乘以t分布分位数得出，年份少时区间相应放宽。"
        )
    return Projection(horizon, quantize(point, quantum), quantize(naive, quantum), low, high, note)


def nowcast(
    *,
    history: History,
    period: Period,
    actual_to_date: Decimal,
    merged_jan_feb: bool,
    quarterly_only: bool = False,
    target: Decimal | None = None,
    last_n_years: int | None = None,
) -> Nowcast:
    """Project the year-end (and the quarter-end) value from the cumulative actual to date.

    ``history`` is {year: {period: cumulative value}}; only years before ``period.year`` are
    used, the last ``last_n_years`` of them when given. Years lacking this period, the quarter
    end or the year end are skipped with a note. ``target`` is a year-end value (for a growth
    target, convert it on the comparable base first).
    """
    year = period.year
    t = _check_period(period, merged_jan_feb=merged_jan_feb, quarterly_only=quarterly_only)
    actual = check_amount(actual_to_date, what="累计实绩", field="actual_to_date")
    if actual <= 0:
        raise ValidationError(
            f"{period.label}累计实绩为{actual}，不大于0，无法按季节规律推算全年，请核对。",
            field="actual_to_date",
        )
    if target is not None:
        target = check_amount(target, what="全年目标", field="target")
    q = (t + 2) // 3 * 3
    table = history_table(history)
    years = sorted(y for y in table if y < year)
    if last_n_years is not None:
        years = years[-last_n_years:]
    shares, notes = cumulative_shares({y: table[y] for y in years}, end_months=[t, q])
    if not shares:
        raise ValidationError(
            f"没有可用的历史数据来推算{year}年：需要{year}年以前至少一个年份同时有"
            f"{months_label(1, t)}和1-12月的累计数。" + "".join(notes) + "请补录历史数据。",
            field="history",
        )
    quantum = VALUE_QUANTUM
    share_now = _mean([shares[y][t] for y in shares])
    elapsed = calendar_share(Period.cumulative(year, t))

    year_fit = _fit(shares, t, 12)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        naive_year = actual / elapsed
    year_end = _projection(
        horizon=Period.cumulative(year, 12),
        actual=actual,
        fit=year_fit,
        naive=naive_year,
        quantum=quantum,
    )
    quarter_end = None
    if q != t:
        quarter_period = Period.cumulative(year, q)
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            naive_quarter = actual * calendar_share(quarter_period) / elapsed
        quarter_end = _projection(
            horizon=quarter_period,
            actual=actual,
            fit=_fit(shares, t, q),
            naive=naive_quarter,
            quantum=quantum,
        )

    probability = None
    if target is not None:
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            point = actual * year_fit.ratio
        probability = _probability(point, target, year_fit.log_errors)

    used = "、".join(str(y) for y in year_fit.years)
    text = [
        f"按{used}年的平均季节规律，{period.label}累计一般占全年的"
        f"{quantize(share_now * 100, PCT_QUANTUM)}%，据此预计全年{year_end.value}"
    ]
    if year_end.low is not None:
        text.append(f"（约80%区间{year_end.low}–{year_end.high}）")
    else:
        text.append(f"（{year_end.interval_note}）")
    text.append(f"；按时间进度{quantize(elapsed * 100, PCT_QUANTUM)}%简单外推为{year_end.naive}。")
    if quarter_end is not None:
        text.append(f"预计{quarter_end.horizon.label}累计{quarter_end.value}。")
    if target is not None:
        if probability is None:
            text.append(f"历史年份不足{MIN_YEARS_FOR_INTERVAL}年，无法估计完成目标{target}的概率。")
        else:
            text.append(
                f"完成全年目标{target}的概率约{quantize(probability * 100, Decimal(1))}%"
                "（按历史预测误差的正态近似）。"
            )
    return Nowcast(
        period=period,
        actual_to_date=actual,
        profile_share=quantize(share_now, SHARE_QUANTUM),
        calendar_share=quantize(elapsed, SHARE_QUANTUM),
        year_end=year_end,
        quarter_end=quarter_end,
        years_used=year_fit.years,
        log_errors=tuple(_to_decimal(e, _ERROR_QUANTUM) for e in year_fit.log_errors),
        target=target,
        probability_of_target=probability,
        notes=tuple(notes),
        explanation="".join(text),
    )


# ---------------------------------------------------------------------------------------------
# Backtest


@dataclass(frozen=True)
class BacktestCase:
    year: int
    period: Period
    actual_year_end: Decimal
    projected: Decimal
    naive: Decimal
    low: Decimal | None
    high: Decimal | None

    @property
    def covered(self) -> bool | None:
        if self.low is None or self.high is None:
            return None
        return self.low <= self.actual_year_end <= self.high


@dataclass(frozen=True)
class BacktestRow:
    end_month: int
    label: str  # "1-3月"
    years: int  # test years replayed at this period
    mape_pct: Decimal  # mean absolute percentage error of the seasonal projection
    naive_mape_pct: Decimal  # the same for the time-progress projection
    intervals: int  # test years that had an interval
    coverage: Decimal | None  # share of those whose actual fell inside it, 0..1


@dataclass(frozen=True)
class Backtest:
    rows: tuple[BacktestRow, ...]
    cases: tuple[BacktestCase, ...]
    notes: tuple[str, ...]
    overall: BacktestRow | None = None  # every case of every period together


OVERALL_LABEL = "合计"


def _summary_row(cases: list[BacktestCase], *, end_month: int, label: str) -> BacktestRow:
    """Mean absolute percentage errors of both projections and the interval coverage of cases."""
    with_interval = [c for c in cases if c.covered is not None]
    coverage = (
        quantize(
            Decimal(sum(1 for c in with_interval if c.covered)) / len(with_interval),
            SHARE_QUANTUM,
        )
        if with_interval
        else None
    )
    return BacktestRow(
        end_month=end_month,
        label=label,
        years=len(cases),
        mape_pct=quantize(
            _mean([_ape(c.projected, c.actual_year_end) for c in cases]), PCT_QUANTUM
        ),
        naive_mape_pct=quantize(
            _mean([_ape(c.naive, c.actual_year_end) for c in cases]), PCT_QUANTUM
        ),
        intervals=len(with_interval),
        coverage=coverage,
    )


def pooled(results: list[Backtest]) -> BacktestRow:
    """One summary row over the cases of several backtests (several series): each replayed year
    and period counts once, whatever its series."""
    cases = [c for r in results for c in r.cases]
    if not cases:
        raise ValidationError("没有可以汇总的回测结果。", field="series")
    return _summary_row(cases, end_month=0, label=OVERALL_LABEL)


def improvement_pct(row: BacktestRow) -> Decimal | None:
    """How much smaller our mean error is than the time-progress one, in percent (None when the
    time-progress error is zero)."""
    if row.naive_mape_pct <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return quantize((1 - row.mape_pct / row.naive_mape_pct) * 100, PCT_QUANTUM)


def _ape(projected: Decimal, actual: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return abs(projected - actual) / actual * 100


def backtest(
    series_by_year: History,
    *,
    merged_jan_feb: bool,
    min_prior_years: int = MIN_PRIOR_YEARS_FOR_BACKTEST,
    last_n_years: int | None = None,
) -> Backtest:
    """Replay history: project each year's year-end at each release period from prior years only.

    Series with gaps are accepted: a year counts for a period when it has that period's value
    and its 1-12月 value, whatever else is missing, so a published series with missing months
    is replayed wherever it can be. A year is replayed at a period when at least
    ``min_prior_years`` earlier years count there. The release periods are those present in the
    series (a quarterly series is replayed at quarter ends). Errors are against the year's own
    1-12月 value; ``overall`` pools every replayed year and period.
    """
    table = history_table(series_by_year, field="series")
    months_present = sorted({m for row in table.values() for m in row})
    if merged_jan_feb and 1 in months_present:
        with_jan = "、".join(str(y) for y in sorted(table) if 1 in table[y])
        raise ValidationError(
            f"该序列按“1-2月”合并发布，但{with_jan}年有1月数据：请删去1月的行，"
            "或按1月单独发布的指标回测（merged_jan_feb=False）。",
            field="series",
        )
    periods = [m for m in months_present if m != 12]
    cases: list[BacktestCase] = []
    notes: list[str] = []
    for year in sorted(table):
        row = table[year]
        if 12 not in row:
            notes.append(f"{year}年没有1-12月的累计数，未参与回测。")
            continue
        if row[12] <= 0:
            notes.append(f"{year}年1-12月累计数不大于0，未参与回测。")
            continue
        prior = sorted(y for y in table if y < year)
        if last_n_years is not None:
            prior = prior[-last_n_years:]
        for t in periods:
            if t not in row or row[t] <= 0:
                continue
            shares, _ = cumulative_shares({y: table[y] for y in prior}, end_months=[t])
            if len(shares) < min_prior_years:
                continue
            fit = _fit(shares, t, 12)
            period = Period.cumulative(year, t)
            quantum = VALUE_QUANTUM
            with localcontext() as ctx:
                ctx.prec = _PRECISION
                naive = row[t] / calendar_share(period)
            projection = _projection(
                horizon=Period.cumulative(year, 12),
                actual=row[t],
                fit=fit,
                naive=naive,
                quantum=quantum,
            )
            cases.append(
                BacktestCase(
                    year,
                    period,
                    row[12],
                    projection.value,
                    projection.naive,
                    projection.low,
                    projection.high,
                )
            )
    if not cases:
        counts = "；".join(
            f"{months_label(1, t)}有{sum(1 for y in table if t in table[y] and 12 in table[y])}年"
            for t in periods
        )
        raise ValidationError(
            f"没有可以回测的年份：某一期间要回测，需要在某一年之前至少有{min_prior_years}个年份"
            f"同时有该期间和1-12月的累计数（其他月份缺失不影响）。"
            f"现有年份：{'、'.join(str(y) for y in sorted(table)) or '无'}；"
            f"同时有该期间和1-12月的年数：{counts or '无'}。请补充更多年份的数据。",
            field="series",
        )
    rows: list[BacktestRow] = []
    for t in periods:
        at_t = [c for c in cases if c.period.end_month == t]
        if not at_t:
            notes.append(
                f"{months_label(1, t)}：之前同时有该期间和1-12月的年份不足{min_prior_years}个，未回测。"
            )
            continue
        rows.append(_summary_row(at_t, end_month=t, label=months_label(1, t)))
    overall = _summary_row(cases, end_month=0, label=OVERALL_LABEL)
    return Backtest(tuple(rows), tuple(cases), tuple(notes), overall)


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int, *, left: bool = False) -> str:
    padding = " " * max(width - _width(text), 0)
    return text + padding if left else padding + text


def backtest_table(result: Backtest) -> str:
    """A plain-text table of a backtest, for the command line."""
    widths = (8, 6, 14, 18, 18)

    def line(cells: tuple[str, ...]) -> str:
        return "".join(
            _cell(c, w, left=i == 0) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    lines = [line(("期间", "次数", "季节法MAPE%", "时间进度法MAPE%", "80%区间覆盖率"))]
    rows = list(result.rows)
    if result.overall is not None:
        rows.append(result.overall)
    for row in rows:
        lines.append(
            line(
                (
                    row.label,
                    str(row.years),
                    str(row.mape_pct),
                    str(row.naive_mape_pct),
                    coverage_text(row),
                )
            )
        )
    return "\n".join(lines)


def coverage_text(row: BacktestRow) -> str:
    if row.coverage is None:
        return "—"
    return f"{row.coverage * 100:.0f}%（{row.intervals}次）"


def summary_line(row: BacktestRow) -> str:
    """One sentence on a summary row: both errors, how much better, and the coverage."""
    better = improvement_pct(row)
    text = (
        f"季节法平均误差{row.mape_pct}%，时间进度法{row.naive_mape_pct}%"
        + (f"，误差小{better}%" if better is not None and better >= 0 else "")
        + (f"，误差大{-better}%" if better is not None and better < 0 else "")
        + f"；80%区间覆盖{coverage_text(row)}（共{row.years}次回测）。"
    )
    return text


# ---------------------------------------------------------------------------------------------
# CSV


Series = dict[int, dict[Period, Decimal]]


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Excel on a Chinese Windows saves "CSV" in GBK; GB18030 is its superset.
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"文件“{name}”既不是UTF-8也不是GBK编码，无法读取：请在Excel中另存为“CSV UTF-8”后重试。",
            field="file",
        ) from exc


def _read_csv(
    path: str | Path, *, with_indicator: bool, gaps: list[str] | None = None
) -> dict[str, Series]:
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"无法读取文件“{path}”：{exc.strerror}。", field="file") from exc
    text = _decode(raw, name)
    if not text.strip():
        raise ValidationError(f"文件“{name}”是空的，请提供含 year,period,value 列的数据。")

    required = ["year", "period", "value"]
    if with_indicator:
        required.insert(0, "indicator_code")
    errors: list[str] = []
    result: dict[str, Series] = {}
    seen: dict[tuple[str, int, int], int] = {}
    header: dict[str, int] | None = None
    for line_no, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not cells or not "".join(cells).strip():
            continue
        if cells[0].lstrip().startswith("#"):
            continue  # comment lines, e.g. the demo file's provenance header
        if header is None:
            names = [c.strip().lower() for c in cells]
            missing = [c for c in required if c not in names]
            if missing:
                raise ValidationError(
                    f"文件“{name}”第{line_no}行（表头）缺少列：{'、'.join(missing)}。"
                    f"表头应为 {','.join(required)}，现为：{','.join(c.strip() for c in cells)}。",
                    field="file",
                )
            header = {c: names.index(c) for c in required}
            continue
        where = f"第{line_no}行"
        if len(cells) <= max(header.values()):
            errors.append(f"{where}：列数不足（应有{len(required)}列），请补齐。")
            continue
        fields = {column: cells[index].strip() for column, index in header.items()}
        code = fields["indicator_code"] if with_indicator else ""
        if with_indicator and not code:
            errors.append(f"{where}indicator_code列：指标代码为空，请填写。")
            continue
        year_text = fields["year"]
        if not year_text.isdigit() or not MIN_YEAR <= int(year_text) <= MAX_YEAR:
            errors.append(f"{where}year列：“{year_text}”不是{MIN_YEAR}–{MAX_YEAR}之间的年份。")
            continue
        year = int(year_text)
        try:
            month = end_month_of(fields["period"], year=year)
        except ValidationError as exc:
            errors.append(
                f"{where}period列：{exc.message}（累计期间写作“1-2”“1-3”…“1-12”，1月写作“1”）"
            )
            continue
        try:
            value = parse_decimal(fields["value"], required=gaps is None)
        except ValidationError as exc:
            errors.append(f"{where}value列：{exc.message}")
            continue
        if value is None:
            # A published series with a month not released (blank, "—"): a gap, not an error.
            assert gaps is not None
            gaps.append(f"{year}年{months_label(1, month)}")
            continue
        key = (code, year, month)
        if key in seen:
            errors.append(
                f"{where}：{year}年{months_label(1, month)}与第{seen[key]}行重复，请只保留一行。"
            )
            continue
        seen[key] = line_no
        result.setdefault(code, {}).setdefault(year, {})[Period.cumulative(year, month)] = value
    if header is None:
        raise ValidationError(f"文件“{name}”只有注释，没有表头和数据。", field="file")
    if errors:
        shown = errors[:_MAX_LISTED_ERRORS]
        more = len(errors) - len(shown)
        raise ValidationError(
            f"文件“{name}”有{len(errors)}处错误，请改正后重新导入：\n"
            + "\n".join(shown)
            + (f"\n……另有{more}处错误未列出。" if more else ""),
            field="file",
        )
    if not result:
        raise ValidationError(f"文件“{name}”只有表头，没有数据行。", field="file")
    for series in result.values():
        for year in series:
            series[year] = dict(sorted(series[year].items()))
    return result


def load_series_csv(path: str | Path) -> Series:
    """Read a cumulative series from a CSV with columns year,period,value.

    Periods are "1-2", "1-3", … "1-12" (also "1-2月", "一季度", "上半年"), and "1" or "1月"
    for January when it is released on its own. Lines starting with "#" are comments; other
    columns (e.g. ``source``, the address each figure was read from) are ignored. A row whose
    value is empty or "—" is a month that was not published: it is left out (see
    ``read_series_csv`` for the list). Every bad row is reported with its line number and
    column; nothing is returned until all are fixed.
    """
    return read_series_csv(path)[0]


def read_series_csv(path: str | Path) -> tuple[Series, tuple[str, ...]]:
    """``load_series_csv`` and the periods left out because their value is empty or "—"."""
    gaps: list[str] = []
    series = _read_csv(path, with_indicator=False, gaps=gaps)[""]
    return series, tuple(gaps)


def load_indicator_history_csv(path: str | Path) -> dict[str, Series]:
    """Read several indicators' series from a CSV with columns indicator_code,year,period,value."""
    return _read_csv(path, with_indicator=True)
