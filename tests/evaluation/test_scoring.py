"""Scorecards on hand-computed fixtures: weights, normalisation, minimum sample, ties, movement."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.evaluation.scoring import (
    REGISTRY,
    Aggregate,
    Band,
    DataPoint,
    Dimension,
    Explanation,
    Method,
    MetricKind,
    MetricRegistry,
    MetricSpec,
    MetricStatus,
    MissingPolicy,
    Normalisation,
    Scheme,
    SchemeDimension,
    SchemeMetric,
    UnitRef,
    band_points,
    min_max_points,
    rank_points,
    ratio_points,
    register_metric,
    score_period,
)
from kaimen.lib.errors import ValidationError

D = Decimal

# ---------------------------------------------------------------------------------------------
# The fixture: one month of four towns and three departments.
#
# Scheme: 比速度 50% (指标完成进度 60%: ratio to target, CityScore cap 1.25; 任务按时完成率 40%:
# bands ≥90→100, ≥75→80, ≥60→60, else 0), 比质量 30% (进展按时报送并通过率 100%: ratio to a
# target of 100 with cap 1, so points = the rate), 比创新 20% (创新举措评分 100%: min-max in
# the peer group). Minimum sample 2, missing data re-weighted.
#
# 东城街道 (A)
#   指标完成进度: (20 vs 16), (15 vs 16) → mean 17.5 / mean 16 = 1.09375 → 1.09375/1.25×100 = 87.50
#   任务按时: 100,100,100,0 → 75 → band ≥75 → 80
#   比速度 = 87.50×60% + 80×40% = 52.50 + 32 = 84.50
#   进展报送: 100,100,50,50 → 75 → 75.00
#   创新: 8 + 7 = 15
# 西城街道 (B)
#   指标完成进度: (16 vs 16) ×2 → 1 → 80.00;  任务按时: 100,100 → 100 → 100
#   比速度 = 48 + 40 = 88.00;  进展报送: 100, 90 → 95;  创新: 5 + 5 = 10
# 南湖镇 (C)
#   指标完成进度: (24 vs 16) ×2 → 1.5, capped 1.25 → 100;  任务按时: 100, 0 → 50 → below 60 → 0
#   比速度 = 60 + 0 = 60.00;  进展报送: 100,100 → 100;  创新: 5 + 10 = 15
# 北山镇 (D) — one indicator only: below the minimum sample of 2
#   指标完成进度: 1 point → not scored, its 60% goes to 任务按时 (100%);  任务按时: 100×3 → 100
#   比速度 = 100;  进展报送: 100,100 → 100;  创新: 9 + 9 = 18
# 创新 min-max among the towns (all have ≥ 2 practices): low 10 (B), high 18 (D)
#   A: (15−10)/8×100 = 62.50;  B: 0;  C: 62.50;  D: 100
# Totals (50/30/20):
#   A: 84.50×.5 + 75×.3 + 62.50×.2 = 42.25 + 22.50 + 12.50 = 77.25
#   B: 88×.5 + 95×.3 + 0×.2        = 44.00 + 28.50 +  0.00 = 72.50
#   C: 60×.5 + 100×.3 + 62.50×.2   = 30.00 + 30.00 + 12.50 = 72.50   (tie with B)
#   D: 100×.5 + 100×.3 + 100×.2    = 100.00, but short of samples: it may come level with the
#      best fully-sampled town (A, 77.25) and then ranks after it → 2nd.
# Ranks: A 1, D 2, B and C 并列第3 ("1224": nobody is 4th).
#
# 区商务局 (E) — a department without indicators
#   指标完成进度: no data → left out, 任务按时 takes 比速度's whole weight
#   任务按时: 100,100,0,100 → 75 → 80 → 比速度 = 80;  进展报送: 100,100 → 100;  创新: 6 + 6 = 12
# 区发展改革委 (F)
#   指标完成进度: (16 vs 16), (20 vs 16) → 18/16 = 1.125 → 90.00;  任务按时: 100,100 → 100
#   比速度 = 54 + 40 = 94;  进展报送: 100, 50 → 75;  创新: 4 + 4 = 8
# 区统计局 (G) — no data at all: not ranked
# 创新 min-max among departments: E 12 → 100, F 8 → 0
#   E: 80×.5 + 100×.3 + 100×.2 = 40 + 30 + 20 = 90.00
#   F: 94×.5 + 75×.3 + 0×.2   = 47 + 22.50    = 69.50

RATIO = Normalisation(Method.RATIO_TO_TARGET)  # cap 1.25
RATE = Normalisation(Method.RATIO_TO_TARGET, target=D(100), cap=D(1))
BANDS = Normalisation(
    Method.BANDS, bands=(Band(D(90), D(100)), Band(D(75), D(80)), Band(D(60), D(60)))
)
MIN_MAX = Normalisation(Method.MIN_MAX)


def make_scheme(**overrides) -> Scheme:
    kwargs = {
        "name": "2025年一季度开门红月度考核",
        "dimensions": (
            SchemeDimension(
                Dimension.SPEED,
                D(50),
                (
                    SchemeMetric("speed.indicator_progress", D(60), RATIO),
                    SchemeMetric("speed.tasks_on_time", D(40), BANDS),
                ),
            ),
            SchemeDimension(
                Dimension.QUALITY, D(30), (SchemeMetric("quality.reports_accepted", D(100), RATE),)
            ),
            SchemeDimension(
                Dimension.INNOVATION,
                D(20),
                (SchemeMetric("innovation.practice_rating", D(100), MIN_MAX),),
            ),
        ),
        "min_samples": 2,
    }
    kwargs.update(overrides)
    return Scheme(**kwargs)


UNITS = (
    UnitRef("A", "东城街道", "town"),
    UnitRef("B", "西城街道", "town"),
    UnitRef("C", "南湖镇", "town"),
    UnitRef("D", "北山镇", "town"),
    UnitRef("E", "区商务局", "department"),
    UnitRef("F", "区发展改革委", "department"),
    UnitRef("G", "区统计局", "department"),
)


def points(unit: str, metric: str, *pairs) -> list[DataPoint]:
    out = []
    for i, pair in enumerate(pairs, start=1):
        value, target = pair if isinstance(pair, tuple) else (pair, None)
        out.append(
            DataPoint(unit, metric, D(value), None if target is None else D(target), f"第{i}项")
        )
    return out


IND, TASK, REP, INNO = (
    "speed.indicator_progress",
    "speed.tasks_on_time",
    "quality.reports_accepted",
    "innovation.practice_rating",
)


def fixture_data() -> list[DataPoint]:
    return [
        *points("A", IND, (20, 16), (15, 16)),
        *points("A", TASK, 100, 100, 100, 0),
        *points("A", REP, 100, 100, 50, 50),
        *points("A", INNO, 8, 7),
        *points("B", IND, (16, 16), (16, 16)),
        *points("B", TASK, 100, 100),
        *points("B", REP, 100, 90),
        *points("B", INNO, 5, 5),
        *points("C", IND, (24, 16), (24, 16)),
        *points("C", TASK, 100, 0),
        *points("C", REP, 100, 100),
        *points("C", INNO, 5, 10),
        *points("D", IND, (20, 16)),
        *points("D", TASK, 100, 100, 100),
        *points("D", REP, 100, 100),
        *points("D", INNO, 9, 9),
        *points("E", TASK, 100, 100, 0, 100),
        *points("E", REP, 100, 100),
        *points("E", INNO, 6, 6),
        *points("F", IND, (16, 16), (20, 16)),
        *points("F", TASK, 100, 100),
        *points("F", REP, 100, 50),
        *points("F", INNO, 4, 4),
    ]


@pytest.fixture
def board():
    return score_period(make_scheme(), period="2025年2月", units=UNITS, data=fixture_data())


def test_totals_match_the_hand_computation(board):
    totals = {u.unit: u.total for u in board.units}
    assert totals == {
        "A": D("77.25"),
        "B": D("72.50"),
        "C": D("72.50"),
        "D": D("100.00"),
        "E": D("90.00"),
        "F": D("69.50"),
        "G": None,
    }


def test_metric_and_dimension_points_match_the_hand_computation(board):
    a = board.unit("A")
    assert a.metric(IND).points == D("87.50")
    assert a.metric(IND).value == D("17.5")
    assert a.metric(IND).target == D(16)
    assert a.metric(TASK).points == D("80.00")
    assert a.metric(REP).points == D("75.00")
    assert a.metric(INNO).points == D("62.50")
    assert [d.points for d in a.dimensions] == [D("84.50"), D("75.00"), D("62.50")]
    assert [d.contribution for d in a.dimensions] == [D("42.25"), D("22.50"), D("12.50")]
    assert board.unit("C").metric(IND).points == D("100.00")  # capped at 1.25
    assert board.unit("C").metric(TASK).points == D("0.00")  # below every band
    assert board.unit("B").metric(INNO).points == D("0.00")  # the group's lowest


def test_peer_groups_are_ranked_separately_with_shared_ranks(board):
    towns = board.group("town")
    assert towns.label == "镇街"
    assert [(u.unit, u.rank, u.tied) for u in towns.units] == [
        ("A", 1, False),
        ("D", 2, False),
        ("B", 3, True),
        ("C", 3, True),
    ]
    assert all(u.peers == 4 for u in towns.units)
    assert board.unit("B").rank_text == "并列第3名"
    departments = board.group("department")
    assert [(u.unit, u.rank) for u in departments.units] == [("E", 1), ("F", 2), ("G", None)]
    assert departments.units[0].peers == 2


def test_minimum_sample_keeps_a_unit_off_the_top_and_says_why(board):
    d = board.unit("D")
    assert d.limited
    assert d.held_off_top
    assert d.total == D("100.00")
    assert d.rank == 2
    ind = d.metric(IND)
    assert ind.status == MetricStatus.INSUFFICIENT
    assert ind.points is None
    assert d.metric(TASK).share == D(100)  # the indicator's 60% went to the task metric
    text = d.explanation.render()
    assert "最少样本规则" in text
    assert "只有1个数据点，少于方案要求的2个" in text
    assert "不能排在本组第一名" in text
    assert "最高分77.25分" in text
    assert "为第2名" in text


def test_a_limited_unit_below_the_top_keeps_its_place():
    data = [p for p in fixture_data() if p.unit != "D"] + [
        *points("D", IND, (20, 16)),
        *points("D", TASK, 0, 0),
        *points("D", REP, 50, 50),
        *points("D", INNO, 9, 9),
    ]
    # D: 比速度 = band(0) = 0; 比质量 = 50; 创新 = 100 → 0 + 15 + 20 = 35.00, last of the towns.
    board = score_period(make_scheme(), period="2025年2月", units=UNITS, data=data)
    d = board.unit("D")
    assert d.total == D("35.00")
    assert d.limited
    assert not d.held_off_top
    assert d.rank == 4
    assert "名次未受影响" in d.explanation.render()


def test_a_unit_without_indicators_is_scored_on_what_it_has(board):
    e = board.unit("E")
    ind = e.metric(IND)
    assert ind.status == MetricStatus.MISSING
    assert ind.points is None
    assert e.metric(TASK).share == D(100)
    assert e.metric(TASK).effective_weight == D(50)
    assert not e.limited  # no data is not "too few data"
    text = e.explanation.render()
    assert "本期无数据" in text
    assert "重新分配为100%" in text


def test_a_unit_with_no_data_at_all_is_not_ranked(board):
    g = board.unit("G")
    assert g.total is None
    assert g.rank is None
    assert "不参与本期排名" in g.explanation.text


def test_missing_data_scored_zero_when_the_scheme_says_so():
    board = score_period(
        make_scheme(missing=MissingPolicy.ZERO),
        period="2025年2月",
        units=UNITS,
        data=fixture_data(),
    )
    e = board.unit("E")
    # 比速度 = 0×60% + 80×40% = 32 → 32×.5 + 100×.3 + 100×.2 = 16 + 30 + 20 = 66.00
    assert e.metric(IND).points == D("0.00")
    assert e.total == D("66.00")
    assert "按缺项计0分" in e.explanation.render()
    g = board.unit("G")  # nothing at all: 0 on every metric, ranked last
    assert g.total == D("0.00")
    assert g.rank == 3
    # The minimum-sample rule still leaves D's single indicator out rather than scoring it 0.
    assert board.unit("D").metric(IND).status == MetricStatus.INSUFFICIENT
    assert board.unit("D").total == D("100.00")


def test_a_metric_with_no_data_this_period_is_reweighted_and_noted():
    data = [p for p in fixture_data() if p.metric != INNO]
    board = score_period(make_scheme(), period="2025年2月", units=UNITS, data=data)
    a = board.unit("A")
    # 比创新 has nothing: 50/30 become 62.5%/37.5% → 84.50×.625 + 75×.375 = 52.8125 + 28.125
    # = 80.9375 → 80.94
    assert a.total == D("80.94")
    assert a.dimensions[0].effective_weight == D("62.5")
    assert a.dimensions[2].points is None
    assert any("创新举措评分" in note and "没有任何单位的数据" in note for note in board.notes)
    assert "按比例分给其他维度" in a.explanation.render()


def test_explanation_goes_down_to_inputs_normalisation_and_weight(board):
    a = board.unit("A").explanation
    assert a.kind == "total"
    assert "东城街道（镇街）2025年2月总分77.25分（= 42.25 + 22.50 + 12.50）" in a.text
    assert "在镇街组4个参与排名的单位中第1名" in a.text
    ind = next(m for m in a.find("metric") if m.text.startswith("指标完成进度"))
    kinds = [c.kind for c in ind.children]
    assert kinds == ["inputs", "normalisation", "weight"]
    inputs, norm, weight = (c.text for c in ind.children)
    assert "2个数据点" in inputs
    assert "平均值17.5%" in inputs
    assert "实际17.5 ÷ 目标16 = 1.0938" in norm
    assert "封顶1.25" in norm
    assert "= 87.50分" in norm
    assert "本项实际占总分30%" in weight
    assert "87.50 × 30% = 26.25分" in weight
    rendered = board.unit("A").explanation.render()
    assert rendered.count("\n") > 10
    assert "≥90得100分；≥75得80分；≥60得60分" in rendered
    assert "组内极差法" in rendered


def test_explanation_round_trips_as_a_dict(board):
    e = board.unit("D").explanation
    assert Explanation.from_dict(e.to_dict()) == e


def test_rank_movement_against_the_previous_period():
    scheme = make_scheme()
    first = score_period(scheme, period="2025年1月", units=UNITS, data=fixture_data())
    # Next month C does all its tasks on time: 任务按时 100 → band 100 → 比速度 = 60 + 40 = 100
    # → 50 + 30 + 12.50 = 92.50, the new best fully-sampled town.
    data = [p for p in fixture_data() if not (p.unit == "C" and p.metric == TASK)]
    data += points("C", TASK, 100, 100)
    second = score_period(scheme, period="2025年2月", units=UNITS, data=data, previous=first)
    c, a = second.unit("C"), second.unit("A")
    assert c.total == D("92.50")
    assert (c.previous_rank, c.rank, c.movement) == (3, 1, 2)
    assert c.movement_text == "较上期（第3名）上升2位"
    # D (100, short of samples) is held level with C's 92.50 and ranks after it: 2nd, as
    # before. A (77.25) drops from 1st to 3rd; B (72.50) is 4th.
    assert (second.unit("D").previous_rank, second.unit("D").rank) == (2, 2)
    assert second.unit("D").movement_text == "与上期（第2名）持平"
    assert (a.previous_rank, a.rank, a.movement) == (1, 3, -2)
    assert a.movement_text == "较上期（第1名）下降2位"
    assert second.unit("B").rank == 4
    assert second.unit("G").movement is None
    fresh = score_period(scheme, period="2025年2月", units=UNITS, data=data)
    assert fresh.unit("C").movement_text == "上期未参与排名"


def test_rank_normalisation_shares_ranks():
    scheme = make_scheme(
        dimensions=(
            SchemeDimension(
                Dimension.SPEED,
                D(100),
                (SchemeMetric(TASK, D(100), Normalisation(Method.RANK)),),
            ),
        ),
        min_samples=1,
    )
    units = [UnitRef(k, k, "town") for k in "WXYZ"]
    data = [
        DataPoint("W", TASK, D(10)),
        DataPoint("X", TASK, D(20)),
        DataPoint("Y", TASK, D(20)),
        DataPoint("Z", TASK, D(30)),
    ]
    board = score_period(scheme, period="第10周", units=units, data=data)
    # ranks 4, 2, 2, 1 of 4 → (4−r)/(4−1)×100 = 0, 66.67, 66.67, 100
    assert [board.unit(k).total for k in "WXYZ"] == [
        D("0.00"),
        D("66.67"),
        D("66.67"),
        D("100.00"),
    ]
    assert "排第2名（并列者同名次）" in board.unit("X").explanation.render()


def test_lower_is_better_metrics_invert_the_ratio():
    registry = MetricRegistry()
    register_metric(
        MetricSpec(
            "appeals.overdue_days",
            "诉求平均超期天数",
            Dimension.QUALITY,
            "天",
            kind=MetricKind.RESULT,
            higher_is_better=False,
        ),
        registry=registry,
    )
    scheme = Scheme(
        "诉求考核",
        (
            SchemeDimension(
                Dimension.QUALITY,
                D(100),
                (
                    SchemeMetric(
                        "appeals.overdue_days",
                        D(100),
                        Normalisation(Method.RATIO_TO_TARGET, target=D(2)),
                    ),
                ),
            ),
        ),
        min_samples=1,
    )
    units = [UnitRef("A", "东城街道", "town"), UnitRef("B", "西城街道", "town")]
    data = [
        DataPoint("A", "appeals.overdue_days", D(4)),
        DataPoint("B", "appeals.overdue_days", D(0)),
    ]
    board = score_period(scheme, period="3月", units=units, data=data, registry=registry)
    # A: target 2 ÷ actual 4 = 0.5 → 0.5/1.25×100 = 40.00; B: no overdue days → 100
    assert board.unit("A").total == D("40.00")
    assert board.unit("B").total == D("100.00")
    assert "该指标越低越好" in board.unit("A").explanation.render()


# ---------------------------------------------------------------------------------------------
# Weights


def test_dimension_weights_that_do_not_sum_to_100_are_refused_with_the_gap():
    dims = make_scheme().dimensions
    bad = (
        SchemeDimension(Dimension.SPEED, D(45), dims[0].metrics),
        dims[1],
        dims[2],
    )
    with pytest.raises(ValidationError) as info:
        make_scheme(dimensions=bad)
    message = info.value.message
    assert "各维度的权重合计为95%，应为100%，少5个百分点" in message
    assert "比速度45%、比质量30%、比创新20%" in message
    assert info.value.field == "weights"


def test_metric_weights_within_a_dimension_must_sum_to_100():
    dims = make_scheme().dimensions
    speed = SchemeDimension(
        Dimension.SPEED,
        D(50),
        (
            SchemeMetric(IND, D(70), RATIO),
            SchemeMetric(TASK, D(40), BANDS),
        ),
    )
    with pytest.raises(ValidationError) as info:
        make_scheme(dimensions=(speed, dims[1], dims[2]))
    assert "“比速度”下各指标的权重合计为110%，应为100%，多10个百分点" in info.value.message
    assert "指标完成进度70%、任务按时完成率40%" in info.value.message


@given(st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=3, unique=True))
def test_any_dimension_weights_are_accepted_exactly_when_they_sum_to_100(weights):
    dims = [
        SchemeDimension(dim, D(w), make_scheme().dimensions[i].metrics)
        for i, (dim, w) in enumerate(zip(Dimension, weights, strict=False))
    ]
    if sum(weights) == 100:
        assert Scheme("s", tuple(dims)).dimensions
    else:
        with pytest.raises(ValidationError, match=f"合计为{sum(weights)}%"):
            Scheme("s", tuple(dims))


def test_duplicate_zero_and_empty_are_refused():
    with pytest.raises(ValidationError, match="维度“比速度”下没有指标"):
        Scheme("s", (SchemeDimension(Dimension.SPEED, D(100), ()),))
    with pytest.raises(ValidationError, match="权重应大于0"):
        Scheme(
            "s",
            (
                SchemeDimension(
                    Dimension.SPEED,
                    D(100),
                    (SchemeMetric(IND, D(100), RATIO), SchemeMetric(TASK, D(0), BANDS)),
                ),
            ),
        )
    with pytest.raises(ValidationError, match="重复设置"):
        Scheme(
            "s",
            (
                SchemeDimension(
                    Dimension.SPEED,
                    D(100),
                    (SchemeMetric(IND, D(50), RATIO), SchemeMetric(IND, D(50), RATIO)),
                ),
            ),
        )


def test_a_metric_in_the_wrong_dimension_or_unregistered_is_refused():
    wrong = Scheme(
        "s", (SchemeDimension(Dimension.QUALITY, D(100), (SchemeMetric(IND, D(100), RATIO),)),)
    )
    with pytest.raises(ValidationError, match="登记在“比速度”维度"):
        score_period(wrong, period="p", units=UNITS, data=[])
    unknown = Scheme(
        "s", (SchemeDimension(Dimension.SPEED, D(100), (SchemeMetric("x.y", D(100), RATIO),)),)
    )
    with pytest.raises(ValidationError, match="考核指标“x.y”没有登记"):
        score_period(unknown, period="p", units=UNITS, data=[])


def test_data_for_an_unknown_unit_or_without_a_needed_target_is_refused():
    with pytest.raises(ValidationError, match="不在本期考核单位名单中"):
        score_period(make_scheme(), period="p", units=UNITS, data=[DataPoint("Q", TASK, D(1))])
    with pytest.raises(ValidationError, match="没有目标值"):
        score_period(
            make_scheme(),
            period="p",
            units=UNITS,
            data=[DataPoint("A", IND, D(10)), DataPoint("A", IND, D(12))],
        )


def test_bad_normalisation_settings_are_refused():
    with pytest.raises(ValidationError, match="至少一个分档"):
        Normalisation(Method.BANDS)
    with pytest.raises(ValidationError, match="0到100之间"):
        Normalisation(Method.BANDS, bands=(Band(D(90), D(120)),))
    with pytest.raises(ValidationError, match="封顶应大于0"):
        Normalisation(Method.RATIO_TO_TARGET, cap=D(0))
    with pytest.raises(ValidationError, match="标准化方法“zscore”无效"):
        Normalisation("zscore")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Normalisation: always within 0–100

amounts = st.decimals(min_value=-(10**6), max_value=10**6, allow_nan=False, places=3)
positive = st.decimals(min_value=D("0.001"), max_value=10**6, allow_nan=False, places=3)


@given(
    value=amounts,
    target=positive,
    cap=st.decimals(min_value=D("0.1"), max_value=5, places=2),
    hib=st.booleans(),
)
def test_ratio_points_stay_within_0_and_100(value, target, cap, hib):
    _, p = ratio_points(value, target, cap=cap, higher_is_better=hib)
    assert D(0) <= p <= D(100)


@given(
    value=amounts,
    bands=st.lists(
        st.tuples(amounts, st.integers(0, 100)), min_size=1, max_size=5, unique_by=lambda b: b[0]
    ),
    hib=st.booleans(),
)
def test_band_points_stay_within_0_and_100(value, bands, hib):
    p, _ = band_points(value, [Band(t, D(pts)) for t, pts in bands], higher_is_better=hib)
    assert D(0) <= p <= D(100)


@given(values=st.lists(amounts, min_size=1, max_size=10), hib=st.booleans())
def test_min_max_points_stay_within_0_and_100(values, hib):
    low, high = min(values), max(values)
    for v in values:
        assert D(0) <= min_max_points(v, low, high, higher_is_better=hib) <= D(100)


@given(peers=st.integers(1, 50), data=st.data())
def test_rank_points_stay_within_0_and_100(peers, data):
    rank = data.draw(st.integers(1, peers))
    assert D(0) <= rank_points(rank, peers) <= D(100)


@given(
    values=st.lists(st.integers(0, 100), min_size=2, max_size=6),
    method=st.sampled_from([RATE, BANDS, MIN_MAX, Normalisation(Method.RANK)]),
)
def test_every_total_stays_within_0_and_100(values, method):
    scheme = Scheme(
        "s",
        (SchemeDimension(Dimension.SPEED, D(100), (SchemeMetric(TASK, D(100), method),)),),
        min_samples=1,
    )
    units = [UnitRef(f"u{i}", f"单位{i}", "town") for i in range(len(values))]
    data = [DataPoint(f"u{i}", TASK, D(v)) for i, v in enumerate(values)]
    board = score_period(scheme, period="p", units=units, data=data)
    for u in board.units:
        assert u.total is not None
        assert D(0) <= u.total <= D(100)


# ---------------------------------------------------------------------------------------------
# The registry: open to results, closed to activity

ACTIVITY_RULES = ("国办函〔2026〕12号", "整治形式主义为基层减负若干规定")


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("quality.weekly_logins", "每周登录次数"),
        ("quality.time_online", "在线时长"),
        ("quality.timeOnline", "Time online"),
        ("quality.likes", "点赞数"),
        ("quality.checkins", "签到率"),
        ("quality.clicks", "政策文件点击量"),
        ("quality.page_views", "浏览量"),
        ("quality.sign_in_rate", "Sign-in rate"),
        ("quality.study", "学习时长"),
        ("quality.points", "学习积分排名"),
    ],
)
def test_the_registry_refuses_activity_metrics_by_name_or_code(code, name):
    registry = MetricRegistry()
    with pytest.raises(ValidationError) as info:
        registry.register(MetricSpec(code, name, Dimension.QUALITY, "次"))
    assert info.value.code == "activity_metric"
    for rule in ACTIVITY_RULES:
        assert rule in info.value.message
    assert code not in registry


def test_the_registry_refuses_activity_metrics_by_kind():
    with pytest.raises(ValidationError, match="类型是“活动量”") as info:
        MetricRegistry().register(
            MetricSpec(
                "quality.engagement", "参与度", Dimension.QUALITY, "%", kind=MetricKind.ACTIVITY
            )
        )
    assert "国办函〔2026〕12号" in info.value.message


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("quality.reviews_accepted", "审核通过率"),
        ("policies.online_service_rate", "政务服务网办率"),
        ("investment.funds_in_place", "到位资金"),
        ("policies.fund_utilisation", "专项资金使用率"),
    ],
)
def test_result_metrics_that_merely_look_alike_are_accepted(code, name):
    registry = MetricRegistry()
    registry.register(MetricSpec(code, name, Dimension.QUALITY, "%"))
    assert code in registry


def test_later_modules_add_metrics_without_touching_the_engine():
    registry = MetricRegistry(REGISTRY)  # the built-ins, plus a module's own
    spec = MetricSpec(
        "investment.projects_signed",
        "签约项目数",
        Dimension.SPEED,
        "个",
        kind=MetricKind.RESULT,
        aggregate=Aggregate.SUM,
    )
    register_metric(spec, registry=registry)
    register_metric(spec, registry=registry)  # importing a module twice is harmless
    with pytest.raises(ValidationError, match="已登记为“签约项目数”"):
        register_metric(
            MetricSpec("investment.projects_signed", "另一个指标", Dimension.SPEED, "个"),
            registry=registry,
        )
    scheme = Scheme(
        "招商考核",
        (
            SchemeDimension(
                Dimension.SPEED,
                D(100),
                (
                    SchemeMetric(
                        "investment.projects_signed",
                        D(100),
                        Normalisation(Method.RATIO_TO_TARGET, target=D(4), cap=D(1)),
                    ),
                ),
            ),
        ),
        min_samples=1,
    )
    units = [UnitRef("T1", "招商一专班", "task_force")]
    data = [
        DataPoint("T1", "investment.projects_signed", D(1), label=n) for n in ("甲", "乙", "丙")
    ]
    board = score_period(scheme, period="3月", units=units, data=data, registry=registry)
    # 3 signed of a target of 4 → 0.75 → 75.00
    assert board.unit("T1").total == D("75.00")
    assert board.group("task_force").label == "专班"
    assert "investment.projects_signed" not in REGISTRY


def test_the_builtin_metrics_cover_the_three_dimensions():
    assert {spec.dimension for spec in REGISTRY} == set(Dimension)
    assert all(spec.kind != MetricKind.ACTIVITY for spec in REGISTRY)
