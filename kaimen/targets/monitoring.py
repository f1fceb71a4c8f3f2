"""Where an indicator stands for a unit at a period: completion, time progress, light, rank.

"时间过半、任务过半" is how leaders talk, so both kinds of time progress are shown: the calendar
share of the year elapsed (时间进度, days-based, from ``kaimen.lib.periods``) and the seasonal
expectation, which is the plan's cumulative share at that period (固投 is back-loaded, so being
at 20% at 1-6月 can be on plan while far behind the calendar). The light is decided on one of
them, chosen per indicator, and the explanation says which and how.

Pure Python, Decimal in and out.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period, elapsed_share_of_year
from kaimen.targets.decomposition import (
    HUNDRED,
    PCT_QUANTUM,
    Plan,
    check_amount,
    quantize,
)


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return {Light.GREEN: "绿灯", Light.YELLOW: "黄灯", Light.RED: "红灯"}[self]


class LightBasis(StrEnum):
    COMPLETION = "completion"  # cumulative amounts and counts: completion vs expected progress
    GROWTH = "growth"  # growth-rate targets: published cumulative growth vs target growth
    LEVEL = "level"  # ratios (e.g. 研发投入强度): the value itself vs the target value


class Expectation(StrEnum):
    PLAN = "plan"  # the plan's cumulative share at the period (seasonal expectation)
    CALENDAR = "calendar"  # the elapsed share of the year


class PriceBasis(StrEnum):
    # GDP and 规上工业增加值 growth is real (可比价), the rest nominal (现价): every growth
    # figure on screen says which.
    REAL = "real"
    NOMINAL = "nominal"

    @property
    def label(self) -> str:
        return {PriceBasis.REAL: "可比价", PriceBasis.NOMINAL: "现价"}[self]


@dataclass(frozen=True)
class LightRule:
    """Thresholds of one indicator, in percentage points (or the value's unit for LEVEL).

    With ``higher_is_better`` the shortfall is reference − measured: green when the shortfall
    is at most ``green_within_pts`` (0: on or ahead of the expectation), yellow when it is at
    most ``yellow_within_pts``, red beyond. Edges count toward the better light. With
    ``higher_is_better=False`` (a ceiling, e.g. 能耗, 安全事故) the excess over the reference is
    judged the same way.
    """

    basis: LightBasis = LightBasis.COMPLETION
    expectation: Expectation = Expectation.PLAN
    green_within_pts: Decimal = Decimal(0)
    yellow_within_pts: Decimal = Decimal(5)
    higher_is_better: bool = True

    def __post_init__(self) -> None:
        if self.green_within_pts < 0 or self.yellow_within_pts < 0:
            raise ValidationError("亮灯阈值不能为负数，请核对指标的亮灯设置。", field="thresholds")
        if self.yellow_within_pts < self.green_within_pts:
            raise ValidationError(
                f"黄灯阈值（{self.yellow_within_pts}）小于绿灯阈值（{self.green_within_pts}）："
                "黄灯范围应包含绿灯范围，请把黄灯阈值改为不小于绿灯阈值。",
                field="thresholds",
            )


COMPLETION_RULE = LightRule()
# Five points of growth would be a different economy; growth lights need a narrower band.
GROWTH_RULE = LightRule(basis=LightBasis.GROWTH, yellow_within_pts=Decimal(2))


# The rule as the “如何亮灯” page and the README state it (one paragraph a line).
LIGHT_RULE_TEXT: tuple[tuple[str, str], ...] = (
    (
        "目标为增速的指标",
        "按统计部门公布的累计增速（可比口径）对比目标增速亮灯：不低于目标为绿灯，低于目标在黄灯"
        "阈值以内为黄灯，超过为红灯。旁边显示后几个月所需增速；完成率只按历史季节进度参考，"
        "不按时间进度判断。目标按数值下达、增速由数值推算的，按完成率亮灯。",
    ),
    (
        "目标为总量的指标",
        "按累计完成率对比此时应完成的进度亮灯：有分解计划的按计划的季节性进度（来自历史规律），"
        "没有分解计划（没有历史）的才按时间进度。",
    ),
    (
        "只公布增速的指标",
        "统计部门在本级只公布增速的指标（如区级规模以上工业增加值）不显示水平值、完成率和"
        "水平值预测，只显示累计增速、目标增速和所需增速，按增速亮灯。",
    ),
    (
        "比率类指标",
        "研发投入强度、调查失业率等比率按数值对比目标值亮灯；越低越好的指标目标为上限。",
    ),
    (
        "阈值",
        "指标目录中设定的绿灯、黄灯阈值按该指标的亮灯依据使用；规则选用的依据与目录设定不同时"
        "（如目录按完成率、目标却是增速），采用该依据的标准阈值：增速落后2个百分点以内为黄灯，"
        "完成率落后5个百分点以内为黄灯。",
    ),
    (
        "春节错月",
        "春节与上年不在同一月份时，1-2月和一季度（以及1月、2月单月）的同比受春节因素扭曲："
        "照常亮灯并附春节说明，但在开启“春节错月期间不据以问责”的战役中（默认开启），不据此"
        "提出问责建议，也不计入红灯说明率考核。",
    ),
    (
        "数据缺失",
        "缺少实绩、增速或目标时不亮灯，并说明缺什么；不推算、不猜测。",
    ),
)


def rule_for(configured: LightRule, *, growth_only: bool, growth_target: bool) -> LightRule:
    """The one rule deciding what a row is lit on (README, “如何亮灯”).

    * a ratio (LEVEL, e.g. 研发投入强度, 失业率) is lit by its value against the target value;
    * a growth-only indicator (published as a rate at this level, e.g. 区级规上工业增加值) and a
      target set as a growth rate (``growth_target``) are lit by the published cumulative growth
      against the target growth — never by a completion rate, even when a level is stored;
    * an amount target is lit by completion against the expected progress (the plan's seasonal
      share; time progress where there is no plan).

    The indicator's bands are kept when it is configured on the basis the rule picks; otherwise
    the standard bands of that basis apply (a 5-point completion band is not a growth band).
    """
    if configured.basis == LightBasis.LEVEL:
        return configured
    basis = LightBasis.GROWTH if growth_only or growth_target else LightBasis.COMPLETION
    if basis == configured.basis:
        return configured
    standard = GROWTH_RULE if basis == LightBasis.GROWTH else COMPLETION_RULE
    return replace(
        standard, expectation=configured.expectation, higher_is_better=configured.higher_is_better
    )


@dataclass(frozen=True)
class MonitorResult:
    period: Period
    actual: Decimal | None  # cumulative actual (累计值)
    annual_target: Decimal | None
    plan_to_date: Decimal | None
    completion_pct: Decimal | None  # actual / annual target × 100
    calendar_progress_pct: Decimal  # elapsed share of the year × 100 (时间进度)
    seasonal_progress_pct: Decimal | None  # the plan's cumulative share × 100
    expected_pct: Decimal | None  # the one of the two the light was judged against
    gap_to_plan: Decimal | None  # actual − plan to date
    growth_pct: Decimal | None  # cumulative growth as published (可比口径)
    target_growth_pct: Decimal | None
    growth_gap_pts: Decimal | None  # growth − target growth
    price_basis: PriceBasis | None
    light: Light | None
    explanation: str
    basis: LightBasis = LightBasis.COMPLETION  # what the light was judged on


def _pct(value: Decimal) -> Decimal:
    return quantize(value * HUNDRED, PCT_QUANTUM)


def _judge(measured: Decimal, reference: Decimal, rule: LightRule) -> tuple[Light, Decimal]:
    """The light and the shortfall (positive = worse than the reference)."""
    shortfall = reference - measured if rule.higher_is_better else measured - reference
    if shortfall <= rule.green_within_pts:
        return Light.GREEN, shortfall
    if shortfall <= rule.yellow_within_pts:
        return Light.YELLOW, shortfall
    return Light.RED, shortfall


def _verdict(light: Light, shortfall: Decimal, rule: LightRule, unit: str) -> str:
    ahead, behind = ("领先", "落后") if rule.higher_is_better else ("低于", "超出")
    if shortfall < 0:
        position = f"{ahead}{-shortfall}{unit}"
    elif shortfall == 0:
        position = "持平"
    else:
        position = f"{behind}{shortfall}{unit}"
    green, yellow = rule.green_within_pts, rule.yellow_within_pts
    if light == Light.GREEN:
        band = f"不{behind}即为绿灯" if green == 0 else f"{behind}{green}{unit}以内为绿灯"
    elif light == Light.YELLOW:
        band = (
            f"{behind}{yellow}{unit}以内为黄灯"
            if green == 0
            else f"{behind}{green}{unit}以上、{yellow}{unit}以内为黄灯"
        )
    else:
        band = f"{behind}{yellow}{unit}以上为红灯"
    return f"{position}，按规则（{band}）亮{light.label}。"


def monitor(
    *,
    period: Period,
    actual: Decimal | None,
    annual_target: Decimal | None = None,
    plan: Plan | None = None,
    growth_pct: Decimal | None = None,
    target_growth_pct: Decimal | None = None,
    rule: LightRule = COMPLETION_RULE,
    price_basis: PriceBasis | None = None,
) -> MonitorResult:
    """One indicator × unit × period: the figures a monitoring row shows and its light.

    ``actual`` is the cumulative value at ``period``; ``growth_pct`` the cumulative growth as
    the bureau published it (可比口径 — never recomputed from levels). A missing input gives
    no light and an explanation saying what is missing, never a guessed light.
    """
    if not period.is_cumulative:
        raise ValidationError(
            f"监测按累计值（1-N月）进行，“{period.label}”不是累计期间，请选择“1-{period.end_month}月”。",
            field="period",
        )
    actual = None if actual is None else check_amount(actual, what="累计实绩", field="actual")
    if annual_target is not None:
        annual_target = check_amount(annual_target, what="全年目标", field="annual_target")
    label = period.label
    calendar_pct = _pct(elapsed_share_of_year(period))

    plan_to_date = seasonal_pct = None
    if plan is not None:
        if plan.year != period.year:
            raise ValidationError(
                f"计划是{plan.year}年的，监测期间是{period.year}年，请选择同一年的计划。",
                field="plan",
            )
        point = plan.point_at(period)
        plan_to_date = point.value
        seasonal_pct = _pct(point.share)

    completion_pct = None
    if actual is not None and annual_target is not None and annual_target > 0:
        completion_pct = _pct(actual / annual_target)
    gap_to_plan = actual - plan_to_date if actual is not None and plan_to_date is not None else None
    growth_gap = (
        growth_pct - target_growth_pct
        if growth_pct is not None and target_growth_pct is not None
        else None
    )
    basis_label = f"（{price_basis.label}）" if price_basis is not None else ""

    light: Light | None = None
    expected_pct: Decimal | None = None
    if rule.basis == LightBasis.COMPLETION:
        if rule.expectation == Expectation.PLAN and plan is not None and seasonal_pct is not None:
            expected_pct = seasonal_pct
            expected_text = (
                f"按分解计划（{plan.method.label}）此时应完成{seasonal_pct}%"
                f"（时间进度{calendar_pct}%）"
            )
        else:
            expected_pct = calendar_pct
            if seasonal_pct is not None:
                aside = f"（季节性预期{seasonal_pct}%）"
            elif rule.expectation == Expectation.PLAN:
                aside = "（尚无分解计划，按时间进度判断）"
            else:
                aside = ""
            expected_text = f"按时间进度此时应完成{calendar_pct}%{aside}"
        if actual is None:
            explanation = f"尚无{label}实绩，暂不亮灯。"
        elif annual_target is None:
            explanation = f"{label}累计{actual}，但未设定全年目标，无法计算完成率，暂不亮灯。"
        elif annual_target <= 0:
            explanation = f"全年目标为{annual_target}，无法计算完成率，暂不亮灯。"
        else:
            assert completion_pct is not None
            light, shortfall = _judge(completion_pct, expected_pct, rule)
            ceiling = "" if rule.higher_is_better else "（该指标越低越好，目标为上限）"
            explanation = (
                f"{label}累计{actual}，为全年目标{annual_target}的{completion_pct}%{ceiling}；"
                f"{expected_text}，" + _verdict(light, shortfall, rule, "个百分点")
            )
    elif rule.basis == LightBasis.GROWTH:
        if actual is None and growth_pct is None:
            explanation = f"尚无{label}实绩和增速，暂不亮灯。"
        elif growth_pct is None:
            explanation = f"尚未取得{label}公布的累计增速，暂不亮灯（增速以统计部门公布的可比口径为准，不自行推算）。"
        elif target_growth_pct is None:
            explanation = f"{label}累计增长{growth_pct}%{basis_label}，但未设定目标增速，暂不亮灯。"
        else:
            light, shortfall = _judge(growth_pct, target_growth_pct, rule)
            explanation = (
                f"{label}累计增长{growth_pct}%{basis_label}，目标增长{target_growth_pct}%，"
                + _verdict(light, shortfall, rule, "个百分点")
            )
    else:
        if actual is None:
            explanation = f"尚无{label}实绩，暂不亮灯。"
        elif annual_target is None:
            explanation = f"{label}为{actual}，但未设定目标值，暂不亮灯。"
        else:
            light, shortfall = _judge(actual, annual_target, rule)
            explanation = f"{label}为{actual}，目标{annual_target}，" + _verdict(
                light, shortfall, rule, ""
            )

    return MonitorResult(
        period=period,
        actual=actual,
        annual_target=annual_target,
        plan_to_date=plan_to_date,
        completion_pct=completion_pct,
        calendar_progress_pct=calendar_pct,
        seasonal_progress_pct=seasonal_pct,
        expected_pct=expected_pct,
        gap_to_plan=gap_to_plan,
        growth_pct=growth_pct,
        target_growth_pct=target_growth_pct,
        growth_gap_pts=growth_gap,
        price_basis=price_basis,
        light=light,
        explanation=explanation,
        basis=rule.basis,
    )


@dataclass(frozen=True)
class PeerRank:
    key: Hashable
    value: Decimal | None
    rank: int
    peers: int
    missing: bool
    note: str


def rank_peers(
    values: Mapping[Hashable, Decimal | None], *, higher_is_better: bool = True
) -> tuple[PeerRank, ...]:
    """Competition ranking ("1224") among peers: towns with towns, departments with departments.

    Equal values share a rank and the next rank is skipped. A unit without a value ranks after
    every unit with one (all such units share that last rank) and is flagged, so a missing
    report never looks like a good result.
    """
    present = {
        k: check_amount(v, what=f"“{k}”的排名数值") for k, v in values.items() if v is not None
    }
    peers = len(values)
    order = {k: i for i, k in enumerate(values)}
    ranks: list[PeerRank] = []
    for key, value in present.items():
        better = sum(
            1
            for other in present.values()
            if (other > value if higher_is_better else other < value)
        )
        tied = sum(1 for other in present.values() if other == value) - 1
        rank = better + 1
        note = f"并列第{rank}名" if tied else f"第{rank}名"
        ranks.append(PeerRank(key, value, rank, peers, False, note))
    last = len(present) + 1
    for key, value in values.items():
        if value is None:
            ranks.append(
                PeerRank(key, None, last, peers, True, f"无数据，排在最后（第{last}名），请补报")
            )
    ranks.sort(key=lambda r: (r.rank, order[r.key]))
    return tuple(ranks)
