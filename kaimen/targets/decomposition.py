"""Annual targets and their decomposition: by period, down the unit tree, onto projects.

"全年目标细化分解到每个季度、每个月、每个项目": an annual target becomes a cumulative plan curve
(the value that should stand at the end of each release period), and a parent unit's target is
split among its children and its projects. Pure Python, Decimal in and out.

Conventions that shape the arithmetic:

- Plans are cumulative (累计值), like the bureau's figures, so a plan value can be compared
  directly with the "1-N月" actual. A plan never decreases and ends exactly at the target.
- Series that the bureau publishes with January and February together ("1-2月": 规上工业,
  固投, 社零) have no January plan value; GDP is quarterly ("一季度", "上半年", ...).
- Splits round at the target's precision and hand out the rounding remainder by the
  largest-remainder method, so the parts always add up to the parent exactly; where targets set
  by hand do not add up, ``gap`` says by how much instead of hiding it.
- Projects are never scaled: each gets its own annual plan as its target, and what the plans
  leave of the target is the gap new projects must fill (``projects_gap``).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period, parse_period, release_periods
from kaimen.lib.text import normalize_fullwidth

# Rates in percentage points are kept to two decimals (the bureau publishes one; the extra
# digit keeps a recomputation from drifting), shares of a year to four (= 0.01 percent).
PCT_QUANTUM = Decimal("0.01")
SHARE_QUANTUM = Decimal("0.0001")
# Derived amounts (projections, bases, amounts still to do) are shown to 0.01 of the series'
# unit whatever the precision of the inputs: 亿元 figures are published to two decimals.
VALUE_QUANTUM = Decimal("0.01")
HUNDRED = Decimal(100)
ONE = Decimal(1)
_QUARTER_END_MONTHS = (3, 6, 9, 12)
# Decimal arithmetic here never depends on the caller's context.
_PRECISION = 40

PeriodKey = Period | str
# {year: {period: cumulative value}}, periods as Period or as bureaus write them ("1-2月", "1-3").
History = Mapping[int, Mapping[PeriodKey, Decimal]]


# ---------------------------------------------------------------------------------------------
# Numbers


def quantize(value: Decimal, quantum: Decimal) -> Decimal:
    """Round half up (四舍五入), as statistical tables do."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return value.quantize(quantum, rounding=ROUND_HALF_UP)


def quantum_of(value: Decimal) -> Decimal:
    """The precision a figure was written at: 120.50 → 0.01, 3000 → 1."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValidationError(f"“{value}”不是有限数字，请填写普通数字。")
    return Decimal(1).scaleb(min(exponent, 0))


def check_amount(value: object, *, what: str, field: str | None = None) -> Decimal:
    """A finite Decimal; int is accepted, float is a programming error (it would lose digits)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValidationError(f"{what}“{amount}”不是有限数字，请填写普通数字。", field=field)
    return amount


def _divide(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return a / b


# ---------------------------------------------------------------------------------------------
# Periods as they are written in history tables

_BARE_RANGE = re.compile(r"\s*(\d{1,2})\s*(?:[-\u2013\u2014~\uff5e至到]+\s*(\d{1,2}))?\s*")


def end_month_of(key: PeriodKey | int, *, year: int, field: str | None = None) -> int:
    """The last month of a cumulative period ("1-N月") written as a Period or as a label.

    Accepts what bureau tables and CSV exports contain: "1-2月", "1-2", "1月", "1", "一季度",
    "上半年", "前三季度", "全年". A period that does not start in January ("3月", "二季度") is
    refused: plans and histories here are cumulative (累计值).
    """
    if isinstance(key, bool):
        raise TypeError("a period key cannot be a bool")
    if isinstance(key, int):
        period = Period.cumulative(year, key) if 1 <= key <= 12 else None
        if period is None:
            raise ValidationError(f"月份{key}不在1到12之间，请核对。", field=field)
    elif isinstance(key, Period):
        period = key
    else:
        text = normalize_fullwidth(str(key))
        bare = _BARE_RANGE.fullmatch(text)
        if bare:
            # CSV exports drop the 月: "1-3" and "1" are "1-3月" and "1月".
            text = f"{bare[1]}-{bare[2]}月" if bare[2] else f"{bare[1]}月"
        period = parse_period(text, year=year, field=field)
    if period.start_month != 1:
        raise ValidationError(
            f"“{period.label}”不是从1月开始的累计期间：这里需要累计值（1-N月），"
            f"请改为“1-{period.end_month}月”的累计数。",
            field=field,
        )
    return period.end_month


def plan_periods(year: int, *, merged_jan_feb: bool, quarterly_only: bool = False) -> list[Period]:
    """The cumulative periods a plan has values for: every release month, or quarter ends."""
    if quarterly_only:
        return [Period.cumulative(year, m) for m in _QUARTER_END_MONTHS]
    return release_periods(year, merged_jan_feb=merged_jan_feb)


def months_label(first: int, last: int) -> str:
    """The label of months first..last: "4-12月", or "12月" for a single month."""
    return f"{first}月" if first == last else f"{first}-{last}月"


# ---------------------------------------------------------------------------------------------
# Annual targets: value ↔ growth over the base year


class Tier(StrEnum):
    # Districts set two tiers: the floor they must reach and the higher one they aim for.
    ENSURE = "ensure"
    STRIVE = "strive"

    @property
    def label(self) -> str:
        return {Tier.ENSURE: "确保目标", Tier.STRIVE: "奋斗目标"}[self]


@dataclass(frozen=True)
class AnnualTarget:
    tier: Tier
    base: Decimal  # the base year's actual (上年实绩)
    value: Decimal
    growth_pct: Decimal
    derived: str  # "value" or "growth_pct": which one was computed from the other, "" if neither

    @property
    def label(self) -> str:
        sign = "+" if self.growth_pct >= 0 else ""
        return f"{self.tier.label}：{self.value}（{sign}{self.growth_pct}%）"


def _check_base(base: Decimal) -> Decimal:
    base = check_amount(base, what="上年实绩", field="base")
    if base <= 0:
        raise ValidationError(
            f"上年实绩为{base}，不大于0，无法在目标值和增速之间换算。"
            "请先核对并录入上年实绩，或直接同时填写目标值和目标增速。",
            field="base",
        )
    return base


def target_value_from_growth(
    base: Decimal, growth_pct: Decimal, *, quantum: Decimal | None = None
) -> Decimal:
    """The target value base × (1 + g%), at the base's precision unless ``quantum`` is given.

    For GDP and 规上工业增加值 the growth target is real (可比价) while values are at current
    prices, so a value computed this way ignores price change: show it as an approximation.
    """
    base = _check_base(base)
    growth_pct = check_amount(growth_pct, what="目标增速", field="growth_pct")
    if growth_pct <= -HUNDRED:
        raise ValidationError(
            f"目标增速{growth_pct}%不大于-100%，目标值会为0或负数，请核对增速。",
            field="growth_pct",
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        value = base * (ONE + growth_pct / HUNDRED)
    return quantize(value, quantum or quantum_of(base))


def growth_from_target_value(
    base: Decimal, value: Decimal, *, quantum: Decimal = PCT_QUANTUM
) -> Decimal:
    """The growth in percentage points that takes ``base`` to ``value``: (value / base − 1) × 100."""
    base = _check_base(base)
    value = check_amount(value, what="目标值", field="value")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        growth = (value / base - ONE) * HUNDRED
    return quantize(growth, quantum)


def annual_target(
    *,
    base: Decimal,
    tier: Tier = Tier.ENSURE,
    value: Decimal | None = None,
    growth_pct: Decimal | None = None,
    quantum: Decimal | None = None,
) -> AnnualTarget:
    """A target given as a value, a growth rate, or both.

    When both are given they are kept as given and not checked against each other: a real
    (可比价) growth target and a current-price value legitimately disagree.
    """
    if value is None and growth_pct is None:
        raise ValidationError(
            f"{tier.label}既没有目标值也没有目标增速，请至少填写一项。", field="value"
        )
    if value is not None and growth_pct is not None:
        return AnnualTarget(
            tier,
            check_amount(base, what="上年实绩"),
            check_amount(value, what="目标值"),
            check_amount(growth_pct, what="目标增速"),
            "",
        )
    if value is None:
        assert growth_pct is not None
        computed = target_value_from_growth(base, growth_pct, quantum=quantum)
        return AnnualTarget(tier, base, computed, growth_pct, "value")
    return AnnualTarget(tier, base, value, growth_from_target_value(base, value), "growth_pct")


@dataclass(frozen=True)
class TargetTiers:
    ensure: AnnualTarget
    strive: AnnualTarget | None = None


def target_tiers(
    *,
    base: Decimal,
    ensure_growth_pct: Decimal | None = None,
    ensure_value: Decimal | None = None,
    strive_growth_pct: Decimal | None = None,
    strive_value: Decimal | None = None,
    higher_is_better: bool = True,
    quantum: Decimal | None = None,
) -> TargetTiers:
    """确保目标 and, where the district sets one, 奋斗目标 (e.g. +12% and +14%)."""
    ensure = annual_target(
        base=base,
        tier=Tier.ENSURE,
        value=ensure_value,
        growth_pct=ensure_growth_pct,
        quantum=quantum,
    )
    if strive_value is None and strive_growth_pct is None:
        return TargetTiers(ensure)
    strive = annual_target(
        base=base,
        tier=Tier.STRIVE,
        value=strive_value,
        growth_pct=strive_growth_pct,
        quantum=quantum,
    )
    less_ambitious = (
        strive.value < ensure.value if higher_is_better else strive.value > ensure.value
    )
    if less_ambitious:
        direction = "不低于" if higher_is_better else "不高于"
        raise ValidationError(
            f"奋斗目标（{strive.value}）比确保目标（{ensure.value}）还保守：奋斗目标应{direction}"
            "确保目标，请核对两档目标是否填反。",
            field="strive_value",
        )
    return TargetTiers(ensure, strive)


# ---------------------------------------------------------------------------------------------
# Seasonal profile from history


@dataclass(frozen=True)
class SeasonalProfile:
    """Average cumulative share of the year-end value at each period's end month."""

    shares: tuple[tuple[int, Decimal], ...]  # (end month, share 0..1), unrounded, month 12 → 1
    years: tuple[int, ...]
    notes: tuple[str, ...] = ()

    def share(self, end_month: int) -> Decimal:
        for month, share in self.shares:
            if month == end_month:
                return share
        raise KeyError(end_month)


def history_table(history: History, *, field: str = "history") -> dict[int, dict[int, Decimal]]:
    """Normalise a history to {year: {end month: value}}, refusing ambiguous or bad entries."""
    table: dict[int, dict[int, Decimal]] = {}
    for year, series in history.items():
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValidationError(f"历史数据的年份“{year}”不是整数年份，请核对。", field=field)
        row: dict[int, Decimal] = {}
        for key, raw in series.items():
            month = end_month_of(key, year=year, field=field)
            value = check_amount(raw, what=f"{year}年“{key}”的历史值", field=field)
            if month in row:
                raise ValidationError(
                    f"{year}年的历史数据中“{months_label(1, month)}”出现了两次，请只保留一个。",
                    field=field,
                )
            row[month] = value
        table[year] = row
    return table


def cumulative_shares(
    table: Mapping[int, Mapping[int, Decimal]], *, end_months: Iterable[int]
) -> tuple[dict[int, dict[int, Decimal]], list[str]]:
    """Each usable year's cumulative share at ``end_months`` of its own year-end value.

    A year lacking one of the months or the year end, or with a year end that is not positive,
    is skipped with a note: an average over years with different gaps would not be one profile.
    """
    months = sorted(set(end_months) | {12})
    shares: dict[int, dict[int, Decimal]] = {}
    notes: list[str] = []
    for year in sorted(table):
        row = table[year]
        missing = [m for m in months if m not in row]
        if missing:
            labels = "、".join(months_label(1, m) for m in missing)
            notes.append(f"{year}年缺少{labels}的累计数，未用于季节规律。")
            continue
        year_end = row[12]
        if year_end <= 0:
            notes.append(f"{year}年全年累计数为{year_end}，不大于0，未用于季节规律。")
            continue
        shares[year] = {m: _divide(row[m], year_end) for m in months}
    return shares, notes


def seasonal_profile(
    history: History,
    *,
    year: int,
    end_months: Iterable[int],
    last_n_years: int | None = 3,
) -> SeasonalProfile:
    """Average cumulative share at each end month over the last N usable years before ``year``.

    Only years before ``year`` count, and only the last ``last_n_years`` of them (all when None);
    years inside that window with missing periods are skipped with a note rather than replaced
    by older ones, so "the last three years" means what it says.
    """
    table = history_table(history)
    notes: list[str] = []
    months = sorted(set(end_months) | {12})
    candidates = sorted(y for y in table if y < year)
    if last_n_years is not None:
        if last_n_years < 1:
            raise ValidationError("参考的历史年数至少为1年。", field="last_n_years")
        candidates = candidates[-last_n_years:]
    shares, skipped = cumulative_shares({y: table[y] for y in candidates}, end_months=months)
    notes.extend(skipped)
    if not shares:
        wanted = "、".join(months_label(1, m) for m in months)
        raise ValidationError(
            f"没有可用的历史数据来计算{year}年的季节规律：需要{year}年以前至少一个完整年份"
            f"（{wanted}的累计数都齐全、全年数大于0）。"
            + (f"已检查：{''.join(notes)}" if notes else "历史数据为空。")
            + "请补录历史数据，或改用“按时间均分”或“手工分解”。",
            field="history",
        )
    used = tuple(sorted(shares))
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        averaged = [(m, sum(shares[y][m] for y in used) / len(used)) for m in months]
    # Averages of cumulative curves are cumulative curves; revisions in the history can still
    # make a share dip or pass 100%, which a plan must not do.
    profile: list[tuple[int, Decimal]] = []
    running = Decimal(0)
    adjusted = False
    for m, share in averaged:
        capped = min(max(share, running), ONE) if m != 12 else ONE
        adjusted = adjusted or capped != share
        running = capped
        profile.append((m, capped))
    if adjusted:
        notes.append("历史累计占比出现回落或超过全年，已按不减少、不超过100%调整。")
    return SeasonalProfile(tuple(profile), used, tuple(notes))


# ---------------------------------------------------------------------------------------------
# Decomposition over the year


class Method(StrEnum):
    EVEN = "even"
    SEASONAL = "seasonal"
    MANUAL = "manual"

    @property
    def label(self) -> str:
        return {
            Method.EVEN: "按时间均分",
            Method.SEASONAL: "按历史季节规律",
            Method.MANUAL: "手工分解",
        }[self]


@dataclass(frozen=True)
class PlanPoint:
    period: Period
    share: Decimal  # cumulative share of the annual target, 0..1, four places
    value: Decimal  # cumulative planned value


@dataclass(frozen=True)
class Plan:
    """A cumulative plan curve: the value that should stand at the end of each period."""

    year: int
    target: Decimal
    method: Method
    points: tuple[PlanPoint, ...]
    years_used: tuple[int, ...] = ()
    notes: tuple[str, ...] = ()

    def point_at(self, period: PeriodKey) -> PlanPoint:
        month = end_month_of(period, year=self.year, field="period")
        for point in self.points:
            if point.period.end_month == month:
                return point
        available = "、".join(p.period.label for p in self.points)
        raise ValidationError(
            f"{self.year}年的计划没有“{months_label(1, month)}”这一期，计划期间为：{available}。",
            field="period",
        )

    def quarter_ends(self) -> tuple[PlanPoint, ...]:
        """The cumulative plan at 1-3月, 1-6月, 1-9月 and 1-12月."""
        return tuple(self.point_at(Period.cumulative(self.year, m)) for m in _QUARTER_END_MONTHS)

    def quarter_values(self) -> tuple[tuple[Period, Decimal], ...]:
        """Each single quarter's planned amount (一季度 … 四季度), from the cumulative plan."""
        result: list[tuple[Period, Decimal]] = []
        previous = Decimal(0)
        for q, point in enumerate(self.quarter_ends(), start=1):
            result.append((Period.quarter_of(self.year, q), point.value - previous))
            previous = point.value
        return tuple(result)


def _check_target(target: Decimal) -> Decimal:
    target = check_amount(target, what="全年目标", field="target")
    if target < 0:
        raise ValidationError(
            f"全年目标为{target}，是负数：累计目标应不小于0，请核对。", field="target"
        )
    return target


def _points_from_shares(
    year: int,
    target: Decimal,
    shares: list[tuple[Period, Decimal]],
    quantum: Decimal,
) -> tuple[PlanPoint, ...]:
    points: list[PlanPoint] = []
    last = len(shares) - 1
    for i, (period, share) in enumerate(shares):
        if i == last:
            value = target
        else:
            with localcontext() as ctx:
                ctx.prec = _PRECISION
                exact = target * share
            # Rounding is monotone, so a non-decreasing curve stays non-decreasing; the clamp
            # keeps a coarse quantum from pushing an earlier period above the target.
            value = min(quantize(exact, quantum), target)
        points.append(PlanPoint(period, quantize(share, SHARE_QUANTUM), value))
    return tuple(points)


def plan_even(
    *,
    year: int,
    target: Decimal,
    merged_jan_feb: bool,
    quarterly_only: bool = False,
    quantum: Decimal | None = None,
) -> Plan:
    """The target spread by months elapsed: 1-2月 is 2/12 of it, 1-3月 3/12, and so on."""
    target = _check_target(target)
    periods = plan_periods(year, merged_jan_feb=merged_jan_feb, quarterly_only=quarterly_only)
    shares = [(p, _divide(Decimal(p.end_month), Decimal(12))) for p in periods]
    points = _points_from_shares(year, target, shares, quantum or quantum_of(target))
    return Plan(year, target, Method.EVEN, points)


def plan_seasonal(
    *,
    year: int,
    target: Decimal,
    history: History,
    merged_jan_feb: bool,
    quarterly_only: bool = False,
    last_n_years: int | None = 3,
    quantum: Decimal | None = None,
) -> Plan:
    """The target spread by each period's average cumulative share over the last N years.

    With ``merged_jan_feb`` the first period is 1-2月 and a history without January figures is
    complete; without it every year must have its January figure.
    """
    target = _check_target(target)
    periods = plan_periods(year, merged_jan_feb=merged_jan_feb, quarterly_only=quarterly_only)
    profile = seasonal_profile(
        history, year=year, end_months=[p.end_month for p in periods], last_n_years=last_n_years
    )
    shares = [(p, profile.share(p.end_month)) for p in periods]
    points = _points_from_shares(year, target, shares, quantum or quantum_of(target))
    years = "、".join(str(y) for y in profile.years)
    notes = (f"季节规律取{years}年的平均累计占比。", *profile.notes)
    return Plan(year, target, Method.SEASONAL, points, profile.years, notes)


def plan_manual(
    *,
    year: int,
    target: Decimal,
    merged_jan_feb: bool,
    quarterly_only: bool = False,
    shares_pct: Mapping[PeriodKey, Decimal] | None = None,
    values: Mapping[PeriodKey, Decimal] | None = None,
    quantum: Decimal | None = None,
) -> Plan:
    """A plan entered by hand, as cumulative percentages of the target or cumulative values.

    Every plan period must be given; the curve must not decrease and must end at 100% (or at
    the target exactly). Errors name the period at fault.
    """
    target = _check_target(target)
    if (shares_pct is None) == (values is None):
        raise ValidationError(
            "手工分解请二选一：填写各期累计占全年目标的百分比，或填写各期累计计划值。",
            field="shares_pct",
        )
    periods = plan_periods(year, merged_jan_feb=merged_jan_feb, quarterly_only=quarterly_only)
    by_values = values is not None
    given = values if values is not None else shares_pct
    assert given is not None
    field = "values" if by_values else "shares_pct"
    what = "累计计划值" if by_values else "累计占比"
    unit = "" if by_values else "%"

    entered: dict[int, Decimal] = {}
    wanted = {p.end_month for p in periods}
    expected_labels = "、".join(p.label for p in periods)
    for key, raw in given.items():
        month = end_month_of(key, year=year, field=field)
        label = months_label(1, month)
        if month not in wanted:
            hint = (
                "该指标1月和2月合并为“1-2月”发布，请把1月的数并入“1-2月”。"
                if month == 1 and merged_jan_feb
                else f"计划期间为：{expected_labels}。"
            )
            raise ValidationError(f"“{label}”不是该指标的计划期间。{hint}", field=field)
        if month in entered:
            raise ValidationError(f"“{label}”填了两次，请只保留一个。", field=field)
        amount = check_amount(raw, what=f"“{label}”的{what}", field=field)
        if amount < 0:
            raise ValidationError(
                f"“{label}”的{what}为{amount}{unit}，是负数，请改为不小于0的数。", field=field
            )
        entered[month] = amount
    missing = [p.label for p in periods if p.end_month not in entered]
    if missing:
        raise ValidationError(
            f"手工分解缺少{'、'.join(missing)}的{what}，请把每一期都填上（累计数，从1月算起）。",
            field=field,
        )

    previous: tuple[str, Decimal] | None = None
    for p in periods:
        amount = entered[p.end_month]
        if previous is not None and amount < previous[1]:
            raise ValidationError(
                f"“{p.label}”的{what}（{amount}{unit}）小于“{previous[0]}”（{previous[1]}{unit}）："
                f"计划是从1月起的累计数，不能减少。请把“{p.label}”改为不小于{previous[1]}{unit}的数。",
                field=field,
            )
        previous = (p.label, amount)
    final = entered[12]
    end = target if by_values else HUNDRED
    if final != end:
        raise ValidationError(
            f"“1-12月”的{what}为{final}{unit}，应正好等于"
            + (f"全年目标{target}" if by_values else "100%")
            + "：分解后的累计计划必须在年底达到全年目标，请调整。",
            field=field,
        )

    if by_values:
        points = tuple(
            PlanPoint(
                p,
                quantize(_divide(entered[p.end_month], target), SHARE_QUANTUM)
                if target
                else Decimal(0),
                entered[p.end_month],
            )
            for p in periods
        )
    else:
        shares = [(p, _divide(entered[p.end_month], HUNDRED)) for p in periods]
        points = _points_from_shares(year, target, shares, quantum or quantum_of(target))
    return Plan(year, target, Method.MANUAL, points)


def decompose(
    *,
    method: Method,
    year: int,
    target: Decimal,
    merged_jan_feb: bool,
    quarterly_only: bool = False,
    history: History | None = None,
    last_n_years: int | None = 3,
    shares_pct: Mapping[PeriodKey, Decimal] | None = None,
    values: Mapping[PeriodKey, Decimal] | None = None,
    quantum: Decimal | None = None,
) -> Plan:
    """Dispatch to ``plan_even``, ``plan_seasonal`` or ``plan_manual``."""
    method = Method(method)
    if method == Method.EVEN:
        return plan_even(
            year=year,
            target=target,
            merged_jan_feb=merged_jan_feb,
            quarterly_only=quarterly_only,
            quantum=quantum,
        )
    if method == Method.SEASONAL:
        if history is None:
            raise ValidationError(
                "按历史季节规律分解需要历史数据，请先录入往年各期累计数。", field="history"
            )
        return plan_seasonal(
            year=year,
            target=target,
            history=history,
            merged_jan_feb=merged_jan_feb,
            quarterly_only=quarterly_only,
            last_n_years=last_n_years,
            quantum=quantum,
        )
    return plan_manual(
        year=year,
        target=target,
        merged_jan_feb=merged_jan_feb,
        quarterly_only=quarterly_only,
        shares_pct=shares_pct,
        values=values,
        quantum=quantum,
    )


# ---------------------------------------------------------------------------------------------
# Down the unit tree and onto projects


@dataclass(frozen=True)
class Allocation:
    key: Hashable
    weight: Decimal
    share: Decimal  # weight / total weight, four places
    value: Decimal


@dataclass(frozen=True)
class Split:
    parent: Decimal
    basis: str
    weight_total: Decimal
    allocations: tuple[Allocation, ...]
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((a.value for a in self.allocations), Decimal(0))

    def as_dict(self) -> dict[Hashable, Decimal]:
        return {a.key: a.value for a in self.allocations}


def largest_remainder(
    total: Decimal, weights: list[Decimal], quantum: Decimal, *, field: str = "quantum"
) -> list[Decimal]:
    """Parts of ``total`` proportional to ``weights``, multiples of ``quantum``, summing exactly.

    Each part is floored to the quantum; the quanta left over go one each to the parts with the
    largest remainders (ties to the earlier part), the Hamilton method.
    """
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        units_total = total / quantum
        if units_total != units_total.to_integral_value():
            raise ValidationError(
                f"上级目标{total}不是取整单位{quantum}的整数倍，无法分解到这个精度，"
                "请使用与上级目标相同或更细的精度。",
                field=field,
            )
        weight_sum = sum(weights, Decimal(0))
        exact_units = [units_total * w / weight_sum for w in weights]
        floors = [u.to_integral_value(rounding=ROUND_FLOOR) for u in exact_units]
        left = int(units_total - sum(floors, Decimal(0)))
        order = sorted(
            (i for i, w in enumerate(weights) if w > 0),
            key=lambda i: (-(exact_units[i] - floors[i]), i),
        )
        if not 0 <= left <= len(order):
            raise AssertionError(f"largest remainder: {left} quanta left for {len(order)} parts")
        for i in order[:left]:
            floors[i] += 1
        return [(f * quantum).quantize(quantum) for f in floors]


def _split(
    parent: Decimal,
    weights: Mapping[Hashable, Decimal],
    *,
    basis: str,
    what: str,
    quantum: Decimal | None,
) -> Split:
    parent = check_amount(parent, what="上级目标", field="parent")
    if not weights:
        raise ValidationError(f"没有可分解的对象：请先列出要分解到的{what}。", field="weights")
    checked: dict[Hashable, Decimal] = {}
    for key, raw in weights.items():
        weight = check_amount(raw, what=f"“{key}”的{basis}", field="weights")
        if weight < 0:
            raise ValidationError(
                f"“{key}”的{basis}为{weight}，是负数，不能作为分解依据，请核对后改为不小于0的数。",
                field="weights",
            )
        checked[key] = weight
    weight_total = sum(checked.values(), Decimal(0))
    if weight_total <= 0:
        raise ValidationError(
            f"所有{what}的{basis}合计为0，无法按比例分解，请改用手工权重。", field="weights"
        )
    keys = list(checked)
    values = largest_remainder(
        parent, [checked[k] for k in keys], quantum or quantum_of(parent), field="quantum"
    )
    allocations = tuple(
        Allocation(k, checked[k], quantize(_divide(checked[k], weight_total), SHARE_QUANTUM), v)
        for k, v in zip(keys, values, strict=True)
    )
    return Split(parent, basis, weight_total, allocations)


def split_by_share(
    parent_target: Decimal,
    last_year_actuals: Mapping[Hashable, Decimal],
    *,
    quantum: Decimal | None = None,
) -> Split:
    """Split a parent's target among its children in proportion to last year's actuals."""
    return _split(
        parent_target, last_year_actuals, basis="上年实绩", what="下级单位", quantum=quantum
    )


def split_by_weights(
    parent_target: Decimal,
    weights: Mapping[Hashable, Decimal],
    *,
    quantum: Decimal | None = None,
) -> Split:
    """Split a parent's target among its children by weights set by hand (any scale)."""
    return _split(parent_target, weights, basis="分解权重", what="下级单位", quantum=quantum)


def split_onto_projects(
    parent_target: Decimal,
    planned_investment: Mapping[Hashable, Decimal],
    *,
    quantum: Decimal | None = None,
) -> Split:
    """Give each project its own annual plan (年度计划投资) as its target, never more.

    A project cannot be made to invest more than it plans by writing a bigger number next to
    it, so a target the projects do not cover is not scaled onto them: the difference stays
    visible as the gap (``Split.unfilled``) that new projects (项目储备, the investment module)
    must fill, and the note says so. Projects planning more than the target keep their own
    plans too; the note says by how much they exceed it. ``share`` is each plan's share of the
    parent target. ``quantum`` is accepted for the other splits' signature and not used: the
    plans are the targets as entered.
    """
    del quantum
    parent = check_amount(parent_target, what="上级目标", field="parent")
    if parent <= 0:
        raise ValidationError(
            f"上级目标为{parent}，不是正数，无法分解到项目，请先设定目标值。", field="parent"
        )
    if not planned_investment:
        raise ValidationError("没有可分解的对象：请先列出要分解到的项目。", field="weights")
    allocations: list[Allocation] = []
    for key, raw in planned_investment.items():
        plan = check_amount(raw, what=f"“{key}”的年度计划投资", field="weights")
        if plan < 0:
            raise ValidationError(
                f"“{key}”的年度计划投资为{plan}，是负数，不能作为项目目标，"
                "请核对后改为不小于0的数。",
                field="weights",
            )
        share = quantize(_divide(plan, parent), SHARE_QUANTUM)
        allocations.append(Allocation(key, plan, share, plan))
    total = sum((a.value for a in allocations), Decimal(0))
    coverage = quantize(_divide(total, parent) * HUNDRED, PCT_QUANTUM)
    notes: list[str] = []
    if total < parent:
        notes.append(
            f"项目年度计划投资合计{total}，只覆盖目标{parent}的{coverage}%。"
            f"各项目以自身年度计划为目标，不按比例放大；缺口{parent - total}需要新增项目来补足。"
        )
    elif total > parent:
        notes.append(
            f"项目年度计划投资合计{total}，为目标{parent}的{coverage}%，"
            f"超出{total - parent}；各项目仍以自身年度计划为目标。"
        )
    return Split(parent, "年度计划投资", total, tuple(allocations), tuple(notes))


def unfilled_by_projects(split: Split) -> Decimal:
    """What the projects' own plans leave of the target: the gap new projects must fill."""
    return max(split.parent - split.total, Decimal(0))


class GapStatus(StrEnum):
    BALANCED = "balanced"
    SHORT = "short"  # the children's targets add up to less than the parent's
    OVER = "over"


@dataclass(frozen=True)
class TargetGap:
    parent: Decimal
    children_total: Decimal
    difference: Decimal  # parent − children_total: positive when the children fall short
    status: GapStatus
    missing: tuple[Hashable, ...]
    message: str


def gap(
    parent_target: Decimal,
    children_targets: Mapping[Hashable, Decimal | None] | Iterable[Decimal],
) -> TargetGap:
    """The difference between a parent's target and the sum of its children's, to be shown.

    Children without a target (None) are listed, not counted as zero silently.
    """
    parent = check_amount(parent_target, what="上级目标", field="parent")
    items: list[tuple[Hashable, Decimal | None]]
    if isinstance(children_targets, Mapping):
        items = list(children_targets.items())
    else:
        items = list(enumerate(children_targets))
    missing = tuple(k for k, v in items if v is None)
    total = sum(
        (check_amount(v, what=f"“{k}”的目标") for k, v in items if v is not None), Decimal(0)
    )
    difference = parent - total
    if difference == 0:
        status = GapStatus.BALANCED
        message = f"下级目标合计{total}，与上级目标{parent}一致。"
    elif difference > 0:
        status = GapStatus.SHORT
        message = f"下级目标合计{total}，比上级目标{parent}少{difference}，缺口尚未分解落实。"
    else:
        status = GapStatus.OVER
        message = f"下级目标合计{total}，比上级目标{parent}多{-difference}（超额分解）。"
    if missing:
        names = "、".join(str(k) for k in missing)
        message += f"以下单位尚未设定目标，未计入合计：{names}。"
    return TargetGap(parent, total, difference, status, missing, message)


def projects_gap(
    parent_target: Decimal, project_targets: Mapping[Hashable, Decimal | None]
) -> TargetGap:
    """``gap`` in the words of projects: a shortfall is the investment still to be found in new
    projects, never "consistent" while any of it is missing."""
    result = gap(parent_target, project_targets)
    if result.status == GapStatus.SHORT:
        message = (
            f"项目目标合计{result.children_total}（各项目自身年度计划），"
            f"比上级目标{result.parent}少{result.difference}：缺口{result.difference}"
            "需要新增项目来补足。"
        )
    elif result.status == GapStatus.OVER:
        message = (
            f"项目目标合计{result.children_total}（各项目自身年度计划），"
            f"超过上级目标{result.parent}{-result.difference}。"
        )
    else:
        message = f"项目目标合计{result.children_total}，与上级目标{result.parent}一致。"
    return TargetGap(
        result.parent,
        result.children_total,
        result.difference,
        result.status,
        result.missing,
        message,
    )
