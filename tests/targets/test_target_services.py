"""Targets, plans, splits and the monitoring board, through the services, on numbers worked out
by hand in the comments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaimen.audit.models import AuditEvent
from kaimen.lib.errors import PermissionDenied, ValidationError
from kaimen.targets import board, selectors, services
from kaimen.targets.decomposition import GapStatus
from kaimen.targets.models import PlanMethod, ProjectAllocation, SplitBasis, Target, Tier
from kaimen.targets.monitoring import Light
from tests.targets.conftest import put_figures

pytestmark = pytest.mark.django_db
D = Decimal

# Three identical years: the year-end is 100 (× 10 in 2024) and these are the cumulative shares.
SHAPE = {2: 8, 3: 20, 4: 30, 5: 40, 6: 50, 7: 58, 8: 66, 9: 75, 10: 83, 11: 90, 12: 100}


def plan_of(target: Target) -> dict[int, Decimal]:
    return dict(target.plan_values.values_list("end_month", "value"))


def history(cat, unit, *, scale: int = 1) -> None:
    for year in (2022, 2023, 2024):
        factor = 10 if year == 2024 else 1
        put_figures(cat.fai, unit, year, {m: v * factor * scale for m, v in SHAPE.items()})


# --- value ↔ growth -----------------------------------------------------------------------


def test_a_growth_target_gets_its_value_from_last_years_actual(cat):
    put_figures(cat.fai, cat.cast.top, 2024, {12: 1000})
    # 1000 × (1 + 12%) = 1120.00
    target = services.target_set(
        actor=cat.cast.office,
        indicator=cat.fai,
        unit=cat.cast.top,
        year=2025,
        growth_pct=D("12"),
    )
    assert (target.value, target.growth_pct, target.base_value) == (D("1120"), D("12"), D("1000"))
    assert target.derived == "value"


def test_a_value_target_gets_its_growth_and_both_given_are_kept(cat):
    put_figures(cat.fai, cat.cast.top, 2024, {12: 1000})
    # (1125 / 1000 − 1) × 100 = 12.50
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.fai, unit=cat.cast.top, year=2025, value="1125"
    )
    assert (target.growth_pct, target.derived) == (D("12.50"), "growth_pct")
    both = services.target_set(
        actor=cat.cast.office,
        indicator=cat.gdp,
        unit=cat.cast.top,
        year=2025,
        value="1300",
        growth_pct="6",
    )
    assert (both.value, both.growth_pct, both.derived) == (D("1300"), D("6"), "")


def test_a_stretch_target_below_the_floor_is_refused(cat):
    services.target_set(
        actor=cat.cast.office, indicator=cat.fai, unit=cat.cast.top, year=2025, value="1200"
    )
    with pytest.raises(ValidationError, match="填反"):
        services.target_set(
            actor=cat.cast.office,
            indicator=cat.fai,
            unit=cat.cast.top,
            year=2025,
            tier=Tier.STRIVE,
            value="1100",
        )


def test_only_the_office_sets_targets(cat):
    for user in (cat.cast.leader, cat.cast.liaison_a, cat.cast.member_a, cat.cast.auditor):
        with pytest.raises(PermissionDenied):
            services.target_set(
                actor=user, indicator=cat.fai, unit=cat.cast.town_a, year=2025, value="1"
            )
    assert not Target.objects.exists()


# --- decomposition by period ---------------------------------------------------------------


def test_even_plan_of_a_merged_series_starts_at_1_2_and_ends_at_the_target(cat):
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.fai, unit=cat.cast.top, year=2025, value="1200"
    )
    plan = plan_of(target)
    # 1200 × 2/12 = 200, × 3/12 = 300, …; no January value (released as 1-2月)
    assert sorted(plan) == list(range(2, 13))
    assert (plan[2], plan[3], plan[6], plan[12]) == (D("200"), D("300"), D("600"), D("1200"))
    values = [plan[m] for m in sorted(plan)]
    assert values == sorted(values)


def test_seasonal_plan_follows_the_average_shares_of_history(cat):
    history(cat, cat.cast.top)
    # 2024 year-end 1000, +10% → 1100; 1-2月 share 8% → 88.00, 1-3月 20% → 220.00, 1-6月 550
    target = services.target_set(
        actor=cat.cast.office,
        indicator=cat.fai,
        unit=cat.cast.top,
        year=2025,
        growth_pct="10",
        method=PlanMethod.SEASONAL,
    )
    plan = plan_of(target)
    assert (plan[2], plan[3], plan[6], plan[12]) == (D("88"), D("220"), D("550"), D("1100"))
    assert "2022、2023、2024" in Target.objects.get(pk=target.pk).plan_notes


def test_manual_plan_is_validated_and_audited(cat):
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.projects, unit=cat.cast.top, year=2025, value="120"
    )
    shares = {f"1-{m}" if m > 1 else "1": D(m * 100 // 12) for m in range(1, 12)} | {"1-12": D(100)}
    shares |= {"1": D(5), "1-2": D(8), "1-3": D(10)}  # a slow first quarter, then on the line
    mark = AuditEvent.objects.count()
    services.target_decompose(
        actor=cat.cast.office,
        target=target,
        method=PlanMethod.MANUAL,
        shares_pct=shares,
        expected_version=target.version,
    )
    plan = plan_of(target)
    # 120 × 10% = 12; 120 × 8% = 9.6 → 10 whole projects; 1-4月 120 × 33% = 39.6 → 40
    assert (plan[2], plan[3], plan[4], plan[12]) == (D("10"), D("12"), D("40"), D("120"))
    assert AuditEvent.objects.filter(action="targets.target.decompose").count() == 1
    assert AuditEvent.objects.count() == mark + 1
    shares["1-12"] = D(95)
    with pytest.raises(ValidationError, match="应正好等于100%"):
        services.target_decompose(
            actor=cat.cast.office,
            target=target,
            method=PlanMethod.MANUAL,
            shares_pct=shares,
            expected_version=target.version,
        )


# --- down the unit tree, onto projects ------------------------------------------------------


def test_split_by_last_years_share_and_the_gap_when_a_child_is_changed(cat):
    history(cat, cat.cast.top)
    put_figures(cat.fai, cat.cast.town_a, 2024, {12: 600})
    put_figures(cat.fai, cat.cast.town_b, 2024, {12: 400})
    parent = services.target_set(
        actor=cat.cast.office,
        indicator=cat.fai,
        unit=cat.cast.top,
        year=2025,
        growth_pct="10",
        method=PlanMethod.SEASONAL,
    )
    split = services.target_split(
        actor=cat.cast.office,
        target=parent,
        units=[cat.cast.town_a, cat.cast.town_b],
        basis=SplitBasis.SHARE,
    )
    # 1100 × 600/1000 = 660, × 400/1000 = 440; each town +10% over its own 2024
    assert split.as_dict() == {cat.cast.town_a.pk: D("660"), cat.cast.town_b.pk: D("440")}
    a = Target.objects.get(unit=cat.cast.town_a)
    assert (a.value, a.growth_pct, a.parent_id) == (D("660"), D("10"), parent.pk)
    # A town with a one-row history takes the district's seasonal pattern: 660 × 8% = 52.80
    assert plan_of(a)[2] == D("52.8")
    detail = selectors.target_detail_for_user(user=cat.cast.office, target_id=parent.pk)
    assert detail.children_gap.status == GapStatus.BALANCED

    services.target_set(
        actor=cat.cast.office,
        indicator=cat.fai,
        unit=cat.cast.town_a,
        year=2025,
        value="700",
        method=PlanMethod.EVEN,
    )
    detail = selectors.target_detail_for_user(user=cat.cast.office, target_id=parent.pk)
    # 700 + 440 = 1140 against 1100: over by 40, shown not hidden
    assert detail.children_gap.status == GapStatus.OVER
    assert detail.children_gap.difference == D("-40")
    assert "1140" in detail.children_gap.message
    assert "多40" in detail.children_gap.message


def test_split_by_weights_and_a_missing_share_is_named(cat):
    parent = services.target_set(
        actor=cat.cast.office, indicator=cat.projects, unit=cat.cast.top, year=2025, value="100"
    )
    with pytest.raises(ValidationError, match="东城街道"):
        services.target_split(
            actor=cat.cast.office,
            target=parent,
            units=[cat.cast.town_a, cat.cast.town_b],
            basis=SplitBasis.SHARE,
        )
    split = services.target_split(
        actor=cat.cast.office,
        target=parent,
        units=[cat.cast.town_a, cat.cast.town_b],
        basis=SplitBasis.WEIGHTS,
        weights={cat.cast.town_a.pk: "1", cat.cast.town_b.pk: "3"},
    )
    # 100 × 1/4 = 25, × 3/4 = 75 whole projects
    assert split.as_dict() == {cat.cast.town_a.pk: D("25"), cat.cast.town_b.pk: D("75")}


def test_split_onto_projects_says_when_they_do_not_cover_the_target(cat):
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.fai, unit=cat.cast.top, year=2025, value="1100"
    )
    services.project_create(
        actor=cat.cast.office,
        name="甲项目",
        unit=cat.cast.town_a,
        year=2025,
        planned_investment="500",
    )
    services.project_create(
        actor=cat.cast.office,
        name="乙项目",
        unit=cat.cast.town_b,
        year=2025,
        planned_investment="300",
    )
    split = services.target_split_onto_projects(actor=cat.cast.office, target=target)
    # each project keeps its own plan (500, 300): 800 covers 72.73% of 1100, 300 to find
    assert sorted(split.as_dict().values()) == [D("300"), D("500")]
    stored = sorted(ProjectAllocation.objects.filter(target=target).values_list("value", flat=True))
    assert stored == [D("300"), D("500")]
    notes = Target.objects.get(pk=target.pk).split_notes
    assert "72.73%" in notes
    assert "缺口300" in notes
    detail = selectors.target_detail_for_user(user=cat.cast.office, target_id=target.pk)
    assert detail.projects_gap.status == GapStatus.SHORT
    assert detail.projects_gap.difference == D("300")
    assert "一致" not in detail.projects_gap.message
    assert "新增项目" in detail.projects_gap.message


# --- monitoring --------------------------------------------------------------------------


def board_row(user, target, month=3):
    rows = board.board_for_user(user=user, year=2025, end_month=month).rows
    return next(r for r in rows if r.target.pk == target.pk)


def test_completion_against_the_plan_lights_yellow_then_red(cat):
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.fai, unit=cat.cast.top, year=2025, value="1200"
    )
    put_figures(cat.fai, cat.cast.top, 2025, {3: 250})
    row = board_row(cat.cast.leader, target)
    # 250 / 1200 = 20.83%; the even plan expects 25.00% at 1-3月: 4.17 points behind → yellow
    assert (row.result.completion_pct, row.result.expected_pct) == (D("20.83"), D("25.00"))
    assert row.result.plan_to_date == D("300")
    assert row.result.calendar_progress_pct == D("24.66")  # 90 of 365 days
    assert row.light == Light.YELLOW
    services.actual_submit(
        actor=cat.cast.office,
        indicator=cat.fai,
        unit=cat.cast.top,
        year=2025,
        end_month=3,
        value="230",
        provenance="flash",
    )
    # the official 250 still wins over the flash report
    assert board_row(cat.cast.leader, target).result.actual == D("250")


def test_growth_light_uses_the_published_rate_and_shows_the_computed_one_beside_it(cat):
    put_figures(cat.retail, cat.cast.top, 2024, {2: 100, 3: 150, 12: 700})
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.retail, unit=cat.cast.top, year=2025, growth_pct="6"
    )
    put_figures(cat.retail, cat.cast.top, 2025, {3: "156"}, growth={3: D("3.5")})
    row = board_row(cat.cast.office, target)
    # published 3.5% against 6%: 2.5 points short, beyond the 2-point yellow band → red
    assert row.result.growth_pct == D("3.5")
    assert row.light == Light.RED
    # 156 / 150 − 1 = 4.00%: shown, never substituted for the published 3.5%
    assert row.computed_growth_pct == D("4.00")
    assert row.needs_explanation


def test_needed_pace_and_nowcast_for_the_focused_row(cat):
    put_figures(cat.retail, cat.cast.top, 2024, {2: 100, 3: 150, 12: 700})
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.retail, unit=cat.cast.top, year=2025, growth_pct="6"
    )
    put_figures(cat.retail, cat.cast.top, 2025, {3: "156"}, growth={3: D("3.5")})
    focus = board.focus_for_user(user=cat.cast.office, target=target, end_month=3)
    # comparable base 156 / 1.035 = 150.72; year-end base 700 × 150.72/150 = 703.38; target
    # 703.38 × 1.06 = 745.58; April–December must bring 745.58 − 156 = 589.58 against the
    # base's 703.38 − 150.72 = 552.66: +6.68%
    assert focus.pace.needed_rest_of_year_growth_pct == D("6.68")
    assert focus.pace.rest_of_year_label == "4-12月"
    # 2025's Spring Festival (29 Jan) is in January, 2024's (10 Feb) in February: 春节错月
    assert focus.spring is not None
    assert "春节错月" in focus.spring.note
    # one year of history: 156 / (150/700) = 728.00, without an interval
    assert focus.forecast.year_end.value == D("728.00")
    assert focus.forecast.year_end.low is None
    assert focus.chart["labels"][0] == "1-2月"
    assert focus.chart["series"][0]["data"][1] == "156"


def test_peers_rank_towns_with_towns_and_departments_with_departments(cat):
    parent = services.target_set(
        actor=cat.cast.office, indicator=cat.projects, unit=cat.cast.top, year=2025, value="240"
    )
    units = [cat.cast.town_a, cat.cast.town_b, cat.statistics, cat.commerce]
    services.target_split(
        actor=cat.cast.office,
        target=parent,
        units=units,
        basis=SplitBasis.WEIGHTS,
        weights={u.pk: 1 for u in units},
    )
    # every unit: 60, calendar 24.66% at 1-3月
    for unit, value in zip(units, [20, 10, 12, None], strict=True):
        if value is not None:
            put_figures(cat.projects, unit, 2025, {3: value})
    rows = {r.target.unit.name: r for r in board.board_rows(year=2025, end_month=3)}
    assert (rows["东城街道"].rank.rank, rows["西城街道"].rank.rank) == (1, 2)
    assert rows["东城街道"].rank.peers == 2
    assert (rows["区统计局"].rank.rank, rows["区商务局"].rank.rank) == (1, 2)
    assert rows["区商务局"].rank.missing  # no figure ranks last, flagged
    assert rows["区委区政府"].rank is None


def test_a_quarterly_series_shows_its_latest_release(cat):
    target = services.target_set(
        actor=cat.cast.office,
        indicator=cat.gdp,
        unit=cat.cast.top,
        year=2025,
        value="300",
        growth_pct="6",
    )
    put_figures(cat.gdp, cat.cast.top, 2025, {3: "70"}, growth={3: D("6.2")})
    row = board_row(cat.cast.office, target, month=5)
    assert row.period.label == "1-3月"
    assert row.light == Light.GREEN
    early = board_row(cat.cast.office, target, month=2)
    assert early.period is None
    assert early.light is None


def test_the_owner_department_explains_a_red_district_row(cat):
    put_figures(cat.retail, cat.cast.top, 2024, {3: 150, 12: 700})
    target = services.target_set(
        actor=cat.cast.office, indicator=cat.retail, unit=cat.cast.top, year=2025, growth_pct="6"
    )
    put_figures(cat.retail, cat.cast.top, 2025, {3: "150"}, growth={3: D("0.5")})
    with pytest.raises(PermissionDenied):
        services.explanation_write(
            actor=cat.cast.liaison_a, target=target, end_month=3, text="不是我们的指标"
        )
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    services.explanation_write(
        actor=cat.liaison_commerce,
        target=target,
        end_month=3,
        text="春节错月，3月客流回落；已组织促消费活动。",
        light="red",
    )
    row = board_row(cat.cast.leader, target)
    assert row.explanation.text.startswith("春节错月")
    assert not row.needs_explanation
    assert list(AuditEvent.objects.filter(id__gt=mark).values_list("action", flat=True)) == [
        "targets.explanation.write"
    ]


def test_a_town_sees_its_own_rows_and_its_rank_but_not_the_other_towns(cat):
    parent = services.target_set(
        actor=cat.cast.office, indicator=cat.projects, unit=cat.cast.top, year=2025, value="120"
    )
    services.target_split(
        actor=cat.cast.office,
        target=parent,
        units=[cat.cast.town_a, cat.cast.town_b],
        basis=SplitBasis.WEIGHTS,
        weights={cat.cast.town_a.pk: 1, cat.cast.town_b.pk: 1},
    )
    put_figures(cat.projects, cat.cast.town_a, 2025, {3: 10})
    put_figures(cat.projects, cat.cast.town_b, 2025, {3: 20})
    rows = board.board_for_user(user=cat.cast.liaison_a, year=2025, end_month=3).rows
    assert [r.target.unit.name for r in rows] == ["东城街道"]
    assert (rows[0].rank.rank, rows[0].rank.peers) == (2, 2)
