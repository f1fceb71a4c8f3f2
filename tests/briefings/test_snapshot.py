"""The briefing's data snapshot: a stored snapshot rebuilds the same briefing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.briefings.snapshot import (
    BriefingSnapshot,
    ChartSeries,
    IndicatorRow,
    NowcastRow,
    OverdueTask,
    Overview,
    RankingRow,
    RollRow,
    UnitNote,
    overview_counts,
)
from kaimen.lib.errors import ValidationError

D = Decimal


def sample_snapshot() -> BriefingSnapshot:
    """A week of the demo district's campaign, as the office would publish it."""
    return BriefingSnapshot(
        title="关于2025年一季度开门红工作推进情况的通报",
        masthead="开门红工作调度通报",
        as_of="截至3月9日",
        issuer="区开门红工作调度办公室",
        issue_date=date(2025, 3, 10),
        number="第5期",
        campaign="2025年一季度开门红",
        period="第10周（3月3日至3月9日）",
        addressee="各镇街，区直各部门，各招商专班：",
        overview=Overview(
            paragraphs=(
                "本周全区上下紧盯一季度目标，主要经济指标总体平稳，工业和投资好于时间进度，"
                "消费恢复仍需加力。",
                "四个招商专班本周新增签约项目3个，协议投资额12.6亿元。",
            ),
            green=3,
            yellow=1,
            red=1,
            no_light=0,
            tasks_total=42,
            tasks_done=17,
            tasks_overdue=2,
        ),
        indicators=(
            IndicatorRow(
                code="GDP",
                name="地区生产总值",
                measure="亿元",
                actual=None,
                annual_target=D("520"),
                completion_pct=None,
                expected_pct=None,
                growth_pct=None,
                light=None,
                explanation="一季度数据尚未发布，暂不亮灯。",
            ),
            IndicatorRow(
                code="IND",
                name="规上工业增加值",
                measure="亿元",
                actual=D("25.30"),
                annual_target=D("160"),
                completion_pct=D("15.81"),
                expected_pct=D("13.50"),
                growth_pct=D("7.2"),
                light="green",
                explanation="1-2月累计25.30，为全年目标160的15.81%；按分解计划此时应完成13.50%，领先2.31个百分点，亮绿灯。",
            ),
            IndicatorRow(
                code="FAI",
                name="固定资产投资",
                measure="亿元",
                actual=D("18.20"),
                annual_target=D("210"),
                completion_pct=D("8.67"),
                expected_pct=D("9.00"),
                growth_pct=D("5.1"),
                light="yellow",
                explanation="1-2月累计18.20，为全年目标210的8.67%；按分解计划此时应完成9.00%，落后0.33个百分点，亮黄灯。",
            ),
            IndicatorRow(
                code="RETAIL",
                name="社会消费品零售总额",
                measure="亿元",
                actual=D("30.10"),
                annual_target=D("260"),
                completion_pct=D("11.58"),
                expected_pct=D("16.80"),
                growth_pct=D("-3.2"),
                light="red",
                explanation="1-2月累计30.10，为全年目标260的11.58%；按分解计划此时应完成16.80%，落后5.22个百分点，亮红灯。",
                unit_notes=(
                    UnitNote(
                        "区商务局",
                        "-3.2%的降幅主要是春节错月和汽车消费回落所致，3月将举办新车展销和消费券活动。",
                    ),
                    UnitNote("东城街道", "辖区两家大型商超闭店改造，预计3月中旬恢复营业。"),
                ),
            ),
            IndicatorRow(
                code="FDI",
                name="实际使用外资",
                measure="万美元",
                actual=D("1850"),
                annual_target=D("9000"),
                completion_pct=D("20.56"),
                expected_pct=D("16.16"),
                growth_pct=D("12.5"),
                light="green",
                explanation="1-2月累计1850，为全年目标9000的20.56%；按时间进度此时应完成16.16%，领先4.40个百分点，亮绿灯。",
            ),
        ),
        charts=(
            ChartSeries(
                indicator="规上工业增加值",
                measure="亿元",
                labels=("1-2月", "1-3月", "1-4月", "1-5月", "1-6月"),
                actual=(D("25.30"), None, None, None, None),
                plan=(D("21.60"), D("38.40"), D("52.00"), D("66.10"), D("80.00")),
                last_year=(D("23.40"), D("36.90"), D("49.70"), D("62.80"), D("75.20")),
            ),
            ChartSeries(
                indicator="社会消费品零售总额",
                measure="亿元",
                labels=("1-2月", "1-3月", "1-4月"),
                actual=(D("30.10"), None, None),
                plan=(D("43.70"), D("64.50"), D("86.00")),
                last_year=(D("31.10"), D("49.00"), D("68.30")),
            ),
        ),
        rankings=(
            RankingRow(
                "镇街", "东城街道", 1, False, D("91.20"), D("95.00"), D("88.00"), D("86.00"), 1
            ),
            RankingRow(
                "镇街", "南湖镇", 2, True, D("85.50"), D("84.00"), D("90.00"), D("80.00"), 0
            ),
            RankingRow(
                "镇街", "西城街道", 2, True, D("85.50"), D("88.00"), D("82.00"), D("85.00"), -1
            ),
            RankingRow(
                "镇街", "北山镇", 4, False, D("72.00"), D("70.00"), D("76.00"), D("68.00"), None
            ),
            RankingRow(
                "部门", "区发展改革委", 1, False, D("90.00"), D("92.00"), D("88.00"), D("88.00"), 2
            ),
            RankingRow(
                "部门",
                "区文化旅游局",
                2,
                False,
                D("95.00"),
                D("95.00"),
                None,
                None,
                None,
                "样本不足，不列入红榜",
                limited=True,
            ),
            RankingRow(
                "部门", "区投资促进局", 3, False, D("87.40"), D("90.00"), D("85.00"), D("84.00"), -2
            ),
            RankingRow(
                "部门", "区商务局", 4, False, D("70.10"), D("62.00"), D("80.00"), D("75.00"), -1
            ),
        ),
        honour_roll=(
            RollRow(
                "red", "镇街", "东城街道", 1, D("91.20"), "总分91.20分，镇街组4个单位中第1名。"
            ),
            RollRow("red", "部门", "区发展改革委", 1, D("90.00"), "总分90.00分，部门组第1名。"),
            RollRow("black", "镇街", "北山镇", 4, D("72.00"), "总分72.00分，镇街组第4名。"),
            RollRow("black", "部门", "区商务局", 4, D("70.10"), "总分70.10分，部门组第4名。"),
        ),
        overdue_tasks=(
            OverdueTask(
                task="二/(一)/1",
                title="梳理首发经济品牌清单并制定扶持办法",
                lead_unit="区商务局",
                deadline=date(2025, 2, 28),
                overdue_workdays=6,
                supervision="3月3日下发督办单，要求3月7日前办结，仍未办结",
                proposed_step="约谈",
            ),
            OverdueTask(
                task="二/(三)/2",
                title="完成早春招商行动项目库入库审核",
                lead_unit="区投资促进局",
                deadline=date(2025, 3, 5),
                overdue_workdays=2,
                supervision="已提醒，尚未下发督办单",
            ),
        ),
        nowcast_quarter="一季度",
        nowcast=(
            NowcastRow(
                indicator="规上工业增加值",
                measure="亿元",
                period="1-2月",
                actual_to_date=D("25.30"),
                projection=D("39.80"),
                low=D("37.90"),
                high=D("41.60"),
                target=D("38.40"),
                probability_pct=D("84"),
                note="按近5年同期季节规律推算。",
            ),
            NowcastRow(
                indicator="社会消费品零售总额",
                measure="亿元",
                period="1-2月",
                actual_to_date=D("30.10"),
                projection=D("47.20"),
                low=None,
                high=None,
                target=D("64.50"),
                probability_pct=None,
                note="历史数据不足3年，不给出区间和概率。",
            ),
        ),
    )


def test_round_trip_gives_the_same_snapshot_and_the_same_text():
    snapshot = sample_snapshot()
    stored = snapshot.to_json()
    rebuilt = BriefingSnapshot.from_json(stored)
    assert rebuilt == snapshot
    assert rebuilt.to_json() == stored


def test_decimals_travel_as_strings_without_float_rounding():
    data = json.loads(sample_snapshot().to_json())
    assert data["indicators"][1]["actual"] == "25.30"
    assert data["issue_date"] == "2025-03-10"
    assert "开门红工作调度通报" in sample_snapshot().to_json()  # readable, not \\u-escaped


def test_unknown_version_is_refused_with_a_clear_message():
    data = json.loads(sample_snapshot().to_json())
    data["version"] = 99
    with pytest.raises(ValidationError, match="格式版本为99"):
        BriefingSnapshot.from_json(json.dumps(data))


def test_a_damaged_field_says_where():
    data = json.loads(sample_snapshot().to_json())
    data["indicators"][2]["actual"] = "not a number"
    with pytest.raises(ValidationError, match=r"indicators\[2\]\.actual"):
        BriefingSnapshot.from_json(json.dumps(data))


def test_missing_and_unknown_fields_are_refused():
    data = json.loads(sample_snapshot().to_json())
    del data["overview"]
    with pytest.raises(ValidationError, match="缺少字段“overview”"):
        BriefingSnapshot.from_json(json.dumps(data))
    data = json.loads(sample_snapshot().to_json())
    data["surprise"] = 1
    with pytest.raises(ValidationError, match="surprise"):
        BriefingSnapshot.from_json(json.dumps(data))


def test_garbage_is_refused():
    with pytest.raises(ValidationError, match="不是有效的JSON"):
        BriefingSnapshot.from_json("{not json")


decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-(10**9)
)


@given(
    actual=st.none() | decimals,
    growth=st.none() | decimals,
    text=st.text(max_size=40),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_round_trip_holds_for_any_values(actual, growth, text, day):
    base = sample_snapshot()
    row = IndicatorRow("X", text, "亿元", actual, None, None, None, growth, "red", text)
    snapshot = BriefingSnapshot(**{**base.__dict__, "indicators": (row,), "issue_date": day})
    assert BriefingSnapshot.from_json(snapshot.to_json()) == snapshot


def test_overview_counts_lights():
    assert overview_counts(["green", "red", None, "red", "yellow"]) == {
        "green": 1,
        "yellow": 1,
        "red": 2,
        "no_light": 1,
    }
