from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.targets.decomposition import (
    GapStatus,
    Method,
    Tier,
    annual_target,
    decompose,
    end_month_of,
    gap,
    growth_from_target_value,
    plan_even,
    plan_manual,
    plan_seasonal,
    projects_gap,
    split_by_share,
    split_by_weights,
    split_onto_projects,
    target_tiers,
    target_value_from_growth,
    unfilled_by_projects,
)

D = Decimal


def values(plan):
    return [(p.period.label, p.value) for p in plan.points]


# --- value ↔ growth ---------------------------------------------------------------------------


def test_target_value_from_growth_applies_the_growth_to_last_years_actual():
    # 1000.00 × 1.12 = 1120.00
    assert target_value_from_growth(D("1000.00"), D("12")) == D("1120.00")


def test_target_value_from_growth_rounds_half_up_at_the_bases_precision():
    # 850.5 × 1.14 = 969.57 → 969.6 at the base's one decimal
    assert target_value_from_growth(D("850.5"), D("14")) == D("969.6")


def test_growth_from_target_value_is_the_inverse():
    # (1125 / 1000 − 1) × 100 = 12.5
    assert growth_from_target_value(D("1000"), D("1125")) == D("12.50")


def test_conversion_refuses_a_base_that_is_not_positive():
    with pytest.raises(ValidationError, match="上年实绩"):
        target_value_from_growth(D("0"), D("12"))


@given(
    base=st.decimals(min_value=100, max_value=100000, places=2),
    growth=st.decimals(min_value=-50, max_value=50, places=1),
)
def test_growth_to_value_and_back_loses_at_most_a_hundredth_of_a_point(base, growth):
    value = target_value_from_growth(base, growth)
    assert abs(growth_from_target_value(base, value) - growth) <= D("0.01")


def test_two_tiers_are_converted_from_their_growth_rates():
    # 500 × 1.12 = 560; 500 × 1.14 = 570
    tiers = target_tiers(base=D("500"), ensure_growth_pct=D("12"), strive_growth_pct=D("14"))
    assert (tiers.ensure.tier, tiers.ensure.value, tiers.ensure.derived) == (
        Tier.ENSURE,
        D("560"),
        "value",
    )
    assert tiers.strive is not None
    assert tiers.strive.value == D("570")
    assert "奋斗目标" in tiers.strive.label


def test_a_strive_tier_below_the_ensure_tier_is_refused():
    with pytest.raises(ValidationError, match="奋斗目标.*确保目标"):
        target_tiers(base=D("500"), ensure_growth_pct=D("12"), strive_growth_pct=D("10"))


def test_a_value_and_a_real_growth_given_together_are_kept_as_given():
    # GDP: a 6% real growth target beside a current-price value that is not 500 × 1.06.
    target = annual_target(base=D("500"), value=D("540"), growth_pct=D("6"))
    assert (target.value, target.growth_pct, target.derived) == (D("540"), D("6"), "")


def test_a_target_without_value_or_growth_is_refused():
    with pytest.raises(ValidationError, match="至少填写一项"):
        annual_target(base=D("500"))


# --- periods as written -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "month"),
    [("1-2月", 2), ("1-2", 2), ("1", 1), ("1月", 1), ("1-12", 12), ("一季度", 3), ("上半年", 6)],
)
def test_history_period_labels_are_read_as_cumulative_end_months(key, month):
    assert end_month_of(key, year=2024) == month


def test_a_single_month_other_than_january_is_not_a_cumulative_period():
    with pytest.raises(ValidationError, match="累计"):
        end_month_of("3月", year=2024)


# --- over the year ----------------------------------------------------------------------------


def test_even_plan_of_a_merged_series_starts_with_two_twelfths_at_jan_feb():
    # 120 / 12 = 10 a month; no January period, 1-2月 = 20.
    plan = plan_even(year=2025, target=D("120"), merged_jan_feb=True)
    assert values(plan)[:3] == [("1-2月", D("20")), ("1-3月", D("30")), ("1-4月", D("40"))]
    assert values(plan)[-1] == ("1-12月", D("120"))
    assert len(plan.points) == 11


def test_even_plan_with_january_released_has_a_january_value():
    plan = plan_even(year=2025, target=D("120"), merged_jan_feb=False)
    assert values(plan)[0] == ("1月", D("10"))
    assert len(plan.points) == 12


def test_even_plan_rounds_each_period_at_the_targets_precision():
    # 100.0 × 2/12 = 16.666… → 16.7; 100.0 × 5/12 = 41.666… → 41.7
    plan = plan_even(year=2025, target=D("100.0"), merged_jan_feb=True)
    assert plan.point_at("1-2月").value == D("16.7")
    assert plan.point_at("1-5月").value == D("41.7")
    assert plan.point_at("1-2月").share == D("0.1667")


def test_quarterly_plan_gives_quarter_ends_and_single_quarter_amounts():
    plan = plan_even(year=2025, target=D("120"), merged_jan_feb=True, quarterly_only=True)
    assert values(plan) == [
        ("1-3月", D("30")),
        ("1-6月", D("60")),
        ("1-9月", D("90")),
        ("1-12月", D("120")),
    ]
    assert [v for _, v in plan.quarter_values()] == [D("30")] * 4
    assert plan.quarter_values()[1][0] == Period.quarter_of(2025, 2)


def test_monthly_plan_reports_its_quarter_ends():
    plan = plan_even(year=2025, target=D("120"), merged_jan_feb=True)
    assert [p.value for p in plan.quarter_ends()] == [D("30"), D("60"), D("90"), D("120")]


QUARTERLY_HISTORY = {
    # shares 0.20 / 0.45 / 0.70 / 1
    2023: {"1-3": D("20"), "1-6": D("45"), "1-9": D("70"), "1-12": D("100")},
    # shares 0.25 / 0.50 / 0.75 / 1
    2024: {"一季度": D("30"), "上半年": D("60"), "前三季度": D("90"), "全年": D("120")},
}


def test_seasonal_plan_uses_the_average_cumulative_share_of_past_years():
    # average shares 0.225 / 0.475 / 0.725 / 1 → × 200 = 45 / 95 / 145 / 200
    plan = plan_seasonal(
        year=2025,
        target=D("200"),
        history=QUARTERLY_HISTORY,
        merged_jan_feb=True,
        quarterly_only=True,
    )
    assert [p.value for p in plan.points] == [D("45"), D("95"), D("145"), D("200")]
    assert plan.years_used == (2023, 2024)
    assert plan.method == Method.SEASONAL


def merged_year(scale: int, *, jan: int | None = None) -> dict[str, Decimal]:
    # 1-2月 = 2 × scale, then scale a month: year end = 12 × scale.
    row = {f"1-{m}": D(scale * m) for m in range(2, 13)}
    if jan is not None:
        row["1"] = D(jan)
    return row


def test_seasonal_plan_of_a_merged_series_needs_no_january_history():
    plan = plan_seasonal(
        year=2025,
        target=D("1200"),
        history={2023: merged_year(10), 2024: merged_year(20)},
        merged_jan_feb=True,
    )
    assert plan.points[0].period.label == "1-2月"
    assert plan.points[0].value == D("200")


def test_seasonal_plan_with_january_refuses_a_history_without_january():
    with pytest.raises(ValidationError, match="1月"):
        plan_seasonal(
            year=2025,
            target=D("1200"),
            history={2023: merged_year(10), 2024: merged_year(20)},
            merged_jan_feb=False,
        )


def test_seasonal_plan_skips_an_incomplete_year_with_a_note():
    incomplete = merged_year(10)
    del incomplete["1-7"]
    plan = plan_seasonal(
        year=2025,
        target=D("1200"),
        history={2023: incomplete, 2024: merged_year(20)},
        merged_jan_feb=True,
    )
    assert plan.years_used == (2024,)
    assert any("2023年缺少1-7月" in note for note in plan.notes)


def test_seasonal_plan_looks_only_at_the_last_n_years_before_the_plan_year():
    history = {
        2021: {"1-3": D("10"), "1-6": D("40"), "1-9": D("70"), "1-12": D("100")},
        **QUARTERLY_HISTORY,
        2025: {"1-3": D("90"), "1-6": D("95"), "1-9": D("99"), "1-12": D("100")},
    }
    plan = plan_seasonal(
        year=2025,
        target=D("200"),
        history=history,
        merged_jan_feb=True,
        quarterly_only=True,
        last_n_years=2,
    )
    assert plan.years_used == (2023, 2024)


def test_seasonal_plan_without_usable_history_is_a_clear_error():
    with pytest.raises(ValidationError, match="没有可用的历史数据.*手工分解"):
        plan_seasonal(
            year=2025,
            target=D("200"),
            history={2024: {"1-3": D("30")}},
            merged_jan_feb=True,
            quarterly_only=True,
        )


def test_decompose_dispatches_by_method():
    plan = decompose(
        method=Method.EVEN, year=2025, target=D("12"), merged_jan_feb=True, quarterly_only=True
    )
    assert plan.points[0].value == D("3")


QUARTER_SHARES = {"1-3": D("20"), "1-6": D("45"), "1-9": D("70"), "1-12": D("100")}


def test_manual_plan_by_shares():
    # 400 × 20% = 80, × 45% = 180, × 70% = 280
    plan = plan_manual(
        year=2025,
        target=D("400"),
        merged_jan_feb=True,
        quarterly_only=True,
        shares_pct=QUARTER_SHARES,
    )
    assert [p.value for p in plan.points] == [D("80"), D("180"), D("280"), D("400")]


def test_manual_plan_by_values_keeps_the_values():
    plan = plan_manual(
        year=2025,
        target=D("400"),
        merged_jan_feb=True,
        quarterly_only=True,
        values={"1-3": D("90"), "1-6": D("190"), "1-9": D("300"), "1-12": D("400")},
    )
    assert plan.point_at("1-6月").value == D("190")
    assert plan.point_at("1-6月").share == D("0.4750")


def test_manual_plan_that_decreases_names_the_period():
    shares = {**QUARTER_SHARES, "1-9": D("40")}
    with pytest.raises(ValidationError, match="“1-9月”.*小于“1-6月”"):
        plan_manual(
            year=2025,
            target=D("400"),
            merged_jan_feb=True,
            quarterly_only=True,
            shares_pct=shares,
        )


def test_manual_plan_that_does_not_end_at_the_target_is_refused():
    shares = {**QUARTER_SHARES, "1-12": D("98")}
    with pytest.raises(ValidationError, match="100%"):
        plan_manual(
            year=2025,
            target=D("400"),
            merged_jan_feb=True,
            quarterly_only=True,
            shares_pct=shares,
        )


def test_manual_plan_missing_a_period_names_it():
    shares = {k: v for k, v in QUARTER_SHARES.items() if k != "1-6"}
    with pytest.raises(ValidationError, match="缺少1-6月"):
        plan_manual(
            year=2025,
            target=D("400"),
            merged_jan_feb=True,
            quarterly_only=True,
            shares_pct=shares,
        )


def test_manual_plan_of_a_merged_series_refuses_a_january_value():
    shares = {f"1-{m}": D(100 * m) / 12 for m in range(2, 13)} | {"1": D("5")}
    with pytest.raises(ValidationError, match="并入“1-2月”"):
        plan_manual(year=2025, target=D("400"), merged_jan_feb=True, shares_pct=shares)


def test_manual_plan_wants_shares_or_values_not_both():
    with pytest.raises(ValidationError, match="二选一"):
        plan_manual(
            year=2025,
            target=D("400"),
            merged_jan_feb=True,
            quarterly_only=True,
            shares_pct=QUARTER_SHARES,
            values=QUARTER_SHARES,
        )


def test_plan_refuses_a_period_it_does_not_have():
    plan = plan_even(year=2025, target=D("120"), merged_jan_feb=True, quarterly_only=True)
    with pytest.raises(ValidationError, match="没有“1-4月”"):
        plan.point_at("1-4月")


cumulative_history = st.lists(
    st.integers(min_value=0, max_value=1000), min_size=11, max_size=11
).map(lambda flows: [sum(flows[: i + 1]) + 1 for i in range(11)])


@given(
    target=st.decimals(min_value=0, max_value=10**7, places=2),
    years=st.lists(cumulative_history, min_size=1, max_size=5),
    merged=st.booleans(),
)
def test_seasonal_plans_never_decrease_and_end_exactly_at_the_target(target, years, merged):
    history = {
        2015 + i: {
            Period.cumulative(2015 + i, m): D(v) for m, v in zip(range(2, 13), cum, strict=True)
        }
        | {Period.month(2015 + i, 1): D(cum[0]) / 2}
        for i, cum in enumerate(years)
    }
    plan = plan_seasonal(year=2025, target=target, history=history, merged_jan_feb=merged)
    planned = [p.value for p in plan.points]
    assert planned == sorted(planned)
    assert planned[-1] == target
    assert all(v >= 0 for v in planned)


@given(
    target=st.decimals(min_value=0, max_value=10**7, places=3),
    merged=st.booleans(),
    quarterly=st.booleans(),
)
def test_even_plans_never_decrease_and_end_exactly_at_the_target(target, merged, quarterly):
    plan = plan_even(year=2025, target=target, merged_jan_feb=merged, quarterly_only=quarterly)
    planned = [p.value for p in plan.points]
    assert planned == sorted(planned)
    assert planned[-1] == target


# --- down the unit tree and onto projects ------------------------------------------------------


def test_split_by_last_years_share_is_proportional():
    # last year 50 / 30 / 20 of 100 → 50% / 30% / 20% of 100.00
    split = split_by_share(D("100.00"), {"城关街道": D("50"), "东湖镇": D("30"), "西山镇": D("20")})
    assert split.as_dict() == {"城关街道": D("50.00"), "东湖镇": D("30.00"), "西山镇": D("20.00")}
    assert split.allocations[1].share == D("0.3000")


def test_split_gives_the_rounding_remainder_to_the_largest_remainder():
    # 10.00 by 2:1 → 6.666… and 3.333… → floors 6.66 + 3.33 = 9.99; the 0.01 left goes to the
    # larger remainder (0.666 > 0.333): 6.67 + 3.33 = 10.00
    assert split_by_weights(D("10.00"), {"a": D(2), "b": D(1)}).as_dict() == {
        "a": D("6.67"),
        "b": D("3.33"),
    }


def test_split_breaks_equal_remainders_in_the_order_given():
    # 100 by 1:1:1 → 33.33… each; floors 33 × 3 = 99; the one left goes to the first
    assert list(split_by_weights(D("100"), {"a": 1, "b": 1, "c": 1}).as_dict().values()) == [
        D("34"),
        D("33"),
        D("33"),
    ]


def test_split_refuses_a_negative_weight_naming_the_unit():
    with pytest.raises(ValidationError, match="“东湖镇”.*负数"):
        split_by_weights(D("100"), {"城关街道": D("1"), "东湖镇": D("-1")})


def test_split_refuses_all_zero_weights():
    with pytest.raises(ValidationError, match="合计为0"):
        split_by_share(D("100"), {"a": D("0"), "b": D("0")})


def test_split_refuses_a_quantum_coarser_than_the_parent():
    with pytest.raises(ValidationError, match="整数倍"):
        split_by_weights(D("100.5"), {"a": 1, "b": 1}, quantum=D("1"))


@given(
    parent=st.decimals(min_value=-(10**6), max_value=10**9, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=10**6, places=3), min_size=1, max_size=30),
)
def test_splits_always_sum_exactly_to_the_parent(parent, weights):
    if sum(weights) == 0:
        weights = [*weights[:-1], D("1")]
    split = split_by_weights(parent, dict(enumerate(weights)))
    assert split.total == parent
    quantum = D("0.01")
    for allocation in split.allocations:
        exact = parent * allocation.weight / sum(weights)
        assert abs(allocation.value - exact) < quantum
        assert allocation.value == allocation.value.quantize(quantum)


def test_projects_get_their_own_plans_and_the_gap_stays_visible():
    # planned 4 + 4 = 8 for a target of 10: each project keeps its 4, the 2 left need new projects
    split = split_onto_projects(D("10"), {"新能源项目": D("4"), "物流园项目": D("4")})
    assert split.as_dict() == {"新能源项目": D("4"), "物流园项目": D("4")}
    assert [a.share for a in split.allocations] == [D("0.4000"), D("0.4000")]
    assert unfilled_by_projects(split) == D("2")
    assert "80.00%" in split.notes[0]
    assert "缺口2" in split.notes[0]
    assert "新增项目" in split.notes[0]


def test_the_issue_case_no_project_is_scaled_beyond_its_own_plan():
    # 固定资产投资 683.19亿 onto five projects planning 104.7亿 in all: the 38.5亿 project was
    # given 251.22亿 under "与上级目标一致"
    plans = {
        "城东智能制造产业园一期": D("38.5"),
        "南湖新能源电池材料项目": D("26.0"),
        "北山物流枢纽": D("18.2"),
        "城关老旧小区改造": D("9.6"),
        "河口水环境综合治理": D("12.4"),
    }
    split = split_onto_projects(D("683.19"), plans)
    assert split.as_dict() == plans
    assert all(a.value <= plans[a.key] for a in split.allocations)
    assert unfilled_by_projects(split) == D("578.49")
    result = projects_gap(D("683.19"), split.as_dict())
    assert result.status == GapStatus.SHORT
    assert result.difference == D("578.49")
    assert "一致" not in result.message
    assert "缺口578.49" in result.message
    assert "新增项目" in result.message


def test_projects_planning_more_than_the_target_keep_their_plans_and_say_so():
    split = split_onto_projects(D("10"), {"甲": D("8"), "乙": D("4")})
    assert split.as_dict() == {"甲": D("8"), "乙": D("4")}
    assert unfilled_by_projects(split) == 0
    assert "超出2" in split.notes[0]
    assert projects_gap(D("10"), split.as_dict()).status == GapStatus.OVER


def test_projects_exactly_covering_the_target_are_consistent():
    split = split_onto_projects(D("12"), {"甲": D("8"), "乙": D("4")})
    assert split.notes == ()
    result = projects_gap(D("12"), split.as_dict())
    assert result.status == GapStatus.BALANCED
    assert "一致" in result.message


@pytest.mark.parametrize(
    ("parent", "plans", "field"),
    [
        (D("10"), {}, "weights"),
        (D("10"), {"甲": D("-1")}, "weights"),
        (D("0"), {"甲": D("1")}, "parent"),
    ],
)
def test_projects_split_refuses_what_cannot_be_a_target(parent, plans, field):
    with pytest.raises(ValidationError) as exc:
        split_onto_projects(parent, plans)
    assert exc.value.field == field


def test_gap_shows_a_shortfall_of_the_childrens_targets():
    result = gap(D("100"), {"a": D("40"), "b": D("50")})
    assert (result.difference, result.status) == (D("10"), GapStatus.SHORT)
    assert "少10" in result.message


def test_gap_shows_an_over_allocation():
    result = gap(D("100"), [D("60"), D("50")])
    assert (result.difference, result.status) == (D("-10"), GapStatus.OVER)


def test_gap_lists_children_without_a_target():
    result = gap(D("100"), {"a": D("100"), "西山镇": None})
    assert result.status == GapStatus.BALANCED
    assert result.missing == ("西山镇",)
    assert "西山镇" in result.message
