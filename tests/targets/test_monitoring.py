from decimal import Decimal

import pytest

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.targets.decomposition import plan_even, plan_manual
from kaimen.targets.monitoring import (
    GROWTH_RULE,
    Expectation,
    Light,
    LightBasis,
    LightRule,
    PriceBasis,
    monitor,
    rank_peers,
)

D = Decimal
Q1_2025 = Period.cumulative(2025, 3)
# Even plan of 1000 for a merged series: 1-3月 = 3/12 × 1000 = 250, i.e. 25.00%.
EVEN_PLAN = plan_even(year=2025, target=D("1000"), merged_jan_feb=True)


def completion(actual: str, **kwargs):
    return monitor(
        period=Q1_2025, actual=D(actual), annual_target=D("1000"), plan=EVEN_PLAN, **kwargs
    )


def test_completion_on_plan_is_green_at_the_edge():
    # 250 / 1000 = 25.00%, expected 25.00%: shortfall 0 → green
    result = completion("250")
    assert (result.completion_pct, result.expected_pct, result.light) == (
        D("25.00"),
        D("25.00"),
        Light.GREEN,
    )
    assert result.gap_to_plan == D("0")


def test_completion_five_points_behind_is_yellow_at_the_edge():
    # 200 / 1000 = 20.00% vs 25.00%: shortfall 5.00, within the 5-point yellow band
    result = completion("200")
    assert result.light == Light.YELLOW
    assert result.gap_to_plan == D("-50")
    assert "落后5.00个百分点" in result.explanation
    assert "亮黄灯" in result.explanation


def test_completion_just_beyond_five_points_behind_is_red():
    # 199.9 / 1000 = 19.99% vs 25.00%: shortfall 5.01
    assert completion("199.9").light == Light.RED


def test_completion_ahead_of_plan_is_green_and_says_so():
    result = completion("300")
    assert result.light == Light.GREEN
    assert "领先5.00个百分点" in result.explanation


def test_both_time_progresses_are_shown():
    # calendar: 1 January – 31 March 2025 = 90 of 365 days = 24.66%; seasonal (plan) 25.00%
    result = completion("250")
    assert result.calendar_progress_pct == D("24.66")
    assert result.seasonal_progress_pct == D("25.00")
    assert "时间进度24.66%" in result.explanation


def test_light_follows_the_seasonal_plan_rather_than_the_calendar():
    # A back-loaded plan: 1-3月 only 15% of the year. 160 / 1000 = 16% is ahead of the plan,
    # though far behind the calendar's 24.66%.
    shares = {f"1-{m}": D(m * 5) for m in range(2, 12)} | {"1-3": D("15"), "1-12": D("100")}
    plan = plan_manual(year=2025, target=D("1000"), merged_jan_feb=True, shares_pct=shares)
    seasonal = monitor(period=Q1_2025, actual=D("160"), annual_target=D("1000"), plan=plan)
    calendar = monitor(
        period=Q1_2025,
        actual=D("160"),
        annual_target=D("1000"),
        plan=plan,
        rule=LightRule(expectation=Expectation.CALENDAR),
    )
    assert seasonal.light == Light.GREEN
    # 24.66 − 16.00 = 8.66 points behind the calendar → red
    assert calendar.light == Light.RED
    assert "季节性预期15.00%" in calendar.explanation


def test_without_a_plan_the_calendar_is_the_expectation_and_the_explanation_says_so():
    result = monitor(period=Q1_2025, actual=D("230"), annual_target=D("1000"))
    # 23.00 vs 24.66: 1.66 behind → yellow
    assert (result.expected_pct, result.light) == (D("24.66"), Light.YELLOW)
    assert "尚无分解计划" in result.explanation


def test_thresholds_are_configurable_per_indicator():
    # 24.00% vs 25.00%: 1 point behind; green within 1 point under this rule
    rule = LightRule(green_within_pts=D("1"), yellow_within_pts=D("3"))
    assert completion("240", rule=rule).light == Light.GREEN
    # 21.90% is 3.10 behind: beyond the 3-point yellow band
    assert completion("219", rule=rule).light == Light.RED


def test_lower_is_better_inverts_the_light():
    rule = LightRule(higher_is_better=False)
    # a ceiling of 1000: 300 is 30.00% against 25.00% expected, 5.00 over → yellow
    assert completion("300", rule=rule).light == Light.YELLOW
    assert completion("301", rule=rule).light == Light.RED
    assert completion("100", rule=rule).light == Light.GREEN
    assert "越低越好" in completion("300", rule=rule).explanation


def test_growth_indicator_is_lit_against_the_target_growth():
    def lit(growth: str):
        return monitor(
            period=Q1_2025,
            actual=D("250"),
            growth_pct=D(growth),
            target_growth_pct=D("12"),
            rule=GROWTH_RULE,
            price_basis=PriceBasis.REAL,
        )

    # 12.0 vs 12: green; 10.0 is 2.0 below (yellow band 2); 9.9 is 2.1 below → red
    assert lit("12.0").light == Light.GREEN
    assert lit("10.0").light == Light.YELLOW
    assert lit("9.9").light == Light.RED
    assert lit("10.5").growth_gap_pts == D("-1.5")
    assert "（可比价）" in lit("10.5").explanation


def test_lower_is_better_growth_inverts_too():
    # 能耗 growth with a ceiling of 0%: +1.0 is 1 point over, within a 2-point yellow band
    rule = LightRule(basis=LightBasis.GROWTH, yellow_within_pts=D("2"), higher_is_better=False)
    result = monitor(
        period=Q1_2025, actual=None, growth_pct=D("1.0"), target_growth_pct=D("0"), rule=rule
    )
    assert result.light == Light.YELLOW


def test_ratio_indicator_compares_the_level_with_the_target():
    rule = LightRule(basis=LightBasis.LEVEL, yellow_within_pts=D("0.3"))
    # 研发投入强度 3.0 vs target 3.2: 0.2 below → yellow
    result = monitor(period=Q1_2025, actual=D("3.0"), annual_target=D("3.2"), rule=rule)
    assert result.light == Light.YELLOW


def test_missing_actual_gives_no_light_and_says_why():
    result = monitor(period=Q1_2025, actual=None, annual_target=D("1000"), plan=EVEN_PLAN)
    assert result.light is None
    assert "尚无1-3月实绩" in result.explanation


def test_missing_published_growth_gives_no_light():
    result = monitor(period=Q1_2025, actual=D("250"), target_growth_pct=D("12"), rule=GROWTH_RULE)
    assert result.light is None
    assert "不自行推算" in result.explanation


def test_quarterly_period_name_is_accepted_for_a_quarterly_plan():
    plan = plan_even(year=2025, target=D("1000"), merged_jan_feb=True, quarterly_only=True)
    result = monitor(
        period=Period.quarter_of(2025, 1), actual=D("250"), annual_target=D("1000"), plan=plan
    )
    assert result.plan_to_date == D("250")


def test_a_single_quarter_is_refused_because_monitoring_is_cumulative():
    with pytest.raises(ValidationError, match="累计"):
        monitor(period=Period.quarter_of(2025, 2), actual=D("250"))


def test_yellow_band_narrower_than_green_is_refused():
    with pytest.raises(ValidationError, match="黄灯阈值"):
        LightRule(green_within_pts=D("3"), yellow_within_pts=D("1"))


def test_peer_ranking_uses_competition_ranking_for_ties():
    ranks = rank_peers({"a": D("10"), "b": D("12"), "c": D("12"), "e": D("8")})
    assert [(r.key, r.rank) for r in ranks] == [("b", 1), ("c", 1), ("a", 3), ("e", 4)]
    assert ranks[0].note == "并列第1名"


def test_peer_ranking_puts_missing_values_last_and_flags_them():
    ranks = rank_peers({"a": D("10"), "d": None, "b": D("12"), "f": None})
    assert [(r.key, r.rank, r.missing) for r in ranks] == [
        ("b", 1, False),
        ("a", 2, False),
        ("d", 3, True),
        ("f", 3, True),
    ]
    assert "无数据" in ranks[-1].note
    assert all(r.peers == 4 for r in ranks)


def test_peer_ranking_lower_is_better():
    ranks = rank_peers({"a": D("10"), "b": D("12"), "c": None}, higher_is_better=False)
    assert [(r.key, r.rank) for r in ranks] == [("a", 1), ("b", 2), ("c", 3)]


def test_a_yellow_verdict_with_no_green_band_names_only_the_yellow_edge():
    """ "落后0.00个百分点以上、2个百分点以内" reads as a slip; offices write "落后2个百分点以内"."""
    from kaimen.targets.monitoring import Light, LightRule, _verdict

    rule = LightRule(green_within_pts=Decimal("0.00"), yellow_within_pts=Decimal("2"))
    text = _verdict(Light.YELLOW, Decimal("0.80"), rule, "个百分点")
    assert text == "落后0.80个百分点，按规则（落后2个百分点以内为黄灯）亮黄灯。"
    banded = LightRule(green_within_pts=Decimal("1"), yellow_within_pts=Decimal("3"))
    assert "落后1个百分点以上、3个百分点以内为黄灯" in _verdict(
        Light.YELLOW, Decimal("2"), banded, "个百分点"
    )
