"""红黑榜 drafts, the objection window on the official calendar, commendation citations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kaimen.evaluation import codec
from kaimen.evaluation.honour_roll import (
    RollRules,
    draft_honour_roll,
    objection_window,
    person_citation,
    publication_blockers,
    unit_citation,
)
from kaimen.evaluation.scoring import (
    DataPoint,
    Dimension,
    Method,
    Normalisation,
    Scheme,
    SchemeDimension,
    SchemeMetric,
    UnitRef,
    score_period,
)
from kaimen.lib.errors import ValidationError
from tests.evaluation.test_scoring import UNITS, fixture_data, make_scheme

D = Decimal


@pytest.fixture
def board():
    # Towns: 东城 A 77.25 (1st), 北山 D 100.00 but short of samples (2nd), 西城 B and 南湖 C
    # 72.50 (并列第3). Departments: 区商务局 E 90.00, 区发展改革委 F 69.50, 区统计局 G no data.
    # (the arithmetic is in tests/evaluation/test_scoring.py)
    return score_period(make_scheme(), period="2025年2月", units=UNITS, data=fixture_data())


def test_the_red_list_leaves_out_units_short_of_samples(board):
    towns = draft_honour_roll(board, top_k=1, bottom_k=1).group("town")
    assert [e.name for e in towns.red] == ["东城街道"]
    assert towns.red[0].reason.startswith("总分77.25分，镇街组4个单位中第1名")
    assert any("北山镇" in note and "最少样本" in note for note in towns.notes)


def test_ties_at_the_cut_off_are_listed_together(board):
    towns = draft_honour_roll(board, top_k=2, bottom_k=1).group("town")
    # Eligible for the red list: A (1st), then B and C 并列第3 — the 2nd place is shared.
    assert [e.name for e in towns.red] == ["东城街道", "西城街道", "南湖镇"]
    assert all(e.tied for e in towns.red[1:])
    assert any("并列单位一并列入" in note for note in towns.notes)
    # Nobody is left for the black list: 北山镇, ranked 2nd, is short of samples.
    assert [e.name for e in towns.black] == []


def test_the_black_list_starts_from_the_bottom_and_includes_ties(board):
    towns = draft_honour_roll(board, top_k=1, bottom_k=1).group("town")
    assert {e.name for e in towns.black} == {"西城街道", "南湖镇"}
    assert all(e.rank == 3 for e in towns.black)


def test_units_not_ranked_are_on_neither_list(board):
    departments = draft_honour_roll(board, top_k=1, bottom_k=1).group("department")
    assert [e.name for e in departments.red] == ["区商务局"]
    assert [e.name for e in departments.black] == ["区发展改革委"]
    assert any("区统计局" in note and "未参与排名" in note for note in departments.notes)


def test_a_unit_is_never_on_both_lists(board):
    draft = draft_honour_roll(board, top_k=5, bottom_k=5)
    for group in draft.groups:
        assert not {e.unit for e in group.red} & {e.unit for e in group.black}


def test_the_reason_names_the_strongest_and_weakest_dimension(board):
    (entry,) = draft_honour_roll(board, top_k=1, bottom_k=0).group("town").red
    assert "比速度得分最高（84.50分）" in entry.reason
    assert "比创新得分最低（62.50分）" in entry.reason


def test_negative_sizes_are_refused(board):
    with pytest.raises(ValidationError):
        draft_honour_roll(board, top_k=-1)


# ---------------------------------------------------------------------------------------------
# The rules an office can defend: bars, places or shares, samples, group size

RATE = Normalisation(Method.RATIO_TO_TARGET, target=D(100), cap=D(1))
# Two rates scored as their own value (ratio to 100, capped at 1): a unit whose points are all
# worth ``total`` scores exactly ``total``.
TWO_RATES = Scheme(
    name="规则测试",
    dimensions=(
        SchemeDimension(
            Dimension.SPEED,
            D(100),
            (
                SchemeMetric("speed.tasks_on_time", D(50), RATE),
                SchemeMetric("speed.indicator_progress", D(50), RATE),
            ),
        ),
    ),
    min_samples=2,
)


def board_of(totals: dict[str, str], *, short: tuple[str, ...] = ()):
    """Towns named by ``totals`` scoring exactly their total; ``short`` ones have one data point
    of the second rate (below the minimum of two): ranked, but short of samples."""
    units = [UnitRef(name, name, "town") for name in totals]
    data = []
    for name, total in totals.items():
        data += [DataPoint(name, "speed.tasks_on_time", D(total))] * 2
        data += [DataPoint(name, "speed.indicator_progress", D(total))] * (
            1 if name in short else 2
        )
    return score_period(TWO_RATES, period="2025年3月", units=units, data=data)


EIGHT = {
    "甲": "96", "乙": "91", "丙": "86", "丁": "84", "戊": "75", "己": "61", "庚": "58", "辛": "40",
}  # fmt: skip
RULES = RollRules(top_k=3, bottom_k=3, red_min_total=D(85), black_below_total=D(60))


def names(entries) -> list[str]:
    return [e.name for e in entries]


def test_the_red_list_needs_both_the_bar_and_a_top_place():
    towns = draft_honour_roll(board_of(EIGHT), rules=RULES).group("town")
    assert names(towns.red) == ["甲", "乙", "丙"]
    weak = draft_honour_roll(
        board_of({"甲": "84.99", "乙": "70", "丙": "66", "丁": "65", "戊": "64"}), rules=RULES
    ).group("town")
    # First of its group, but below 85: no commendation.
    assert names(weak.red) == []
    assert any("低于红榜分数线85分" in note and "甲（总分84.99分）" in note for note in weak.notes)
    # Exactly on the bar is enough.
    on_bar = draft_honour_roll(board_of(EIGHT | {"甲": "85"}), rules=RULES).group("town")
    assert "甲" in names(on_bar.red)


def test_above_the_bar_is_not_enough_outside_the_top_places():
    strong = {n: str(99 - i) for i, n in enumerate("甲乙丙丁戊己")}  # all six above 85
    towns = draft_honour_roll(board_of(strong), rules=RULES).group("town")
    assert names(towns.red) == ["甲", "乙", "丙"]
    assert names(towns.black) == []  # last of six good units is no disgrace


def test_the_black_list_needs_both_the_bar_and_a_bottom_place():
    towns = draft_honour_roll(board_of(EIGHT), rules=RULES).group("town")
    assert names(towns.black) == ["辛", "庚"]  # 己 is in the bottom three but scored 61
    assert any("不低于黑榜分数线60分" in note and "己" in note for note in towns.notes)
    below = {n: str(50 - i) for i, n in enumerate("甲乙丙丁戊己")}  # all six below 60
    low = draft_honour_roll(board_of(below), rules=RULES).group("town")
    assert names(low.black) == ["己", "戊", "丁"]
    assert names(low.red) == []


def test_a_share_replaces_the_number_of_places():
    rules = RollRules(top_k=3, bottom_k=3, top_share=D(25), bottom_share=D(25),
                      red_min_total=D(85), black_below_total=D(60))  # fmt: skip
    towns = draft_honour_roll(board_of(EIGHT), rules=rules).group("town")
    assert names(towns.red) == ["甲", "乙"]  # 25% of 8 = 2 places
    assert names(towns.black) == ["辛", "庚"]
    assert "红榜：总分不低于85分且位列本组前25%。" in rules.text
    small = RollRules(top_share=D(10), red_min_total=None, black_below_total=None)
    assert small.red_places(5) == 1  # rounded down, but at least one place


def test_a_unit_short_of_data_is_on_neither_list():
    totals = EIGHT | {"丁": "30", "甲": "99"}
    towns = draft_honour_roll(board_of(totals, short=("丁", "甲")), rules=RULES).group("town")
    assert "甲" not in names(towns.red)
    assert "丁" not in names(towns.black)
    assert names(towns.red) == ["乙", "丙"]  # 戊 (75) is third among the eligible: below the bar
    assert names(towns.black)[0] == "辛"
    assert any("按最少样本规则不列入红黑榜" in n and "甲" in n and "丁" in n for n in towns.notes)
    # Without any bar either.
    bare = draft_honour_roll(board_of(totals, short=("丁",)), top_k=8, bottom_k=8).group("town")
    assert "丁" not in names(bare.red) + names(bare.black)


def test_a_group_below_its_minimum_publishes_no_list_and_says_why():
    four = {"甲": "96", "乙": "91", "丙": "50", "丁": "40"}
    towns = draft_honour_roll(board_of(four), rules=RULES).group("town")
    assert (towns.red, towns.black) == ((), ())
    assert any("只有4个，少于方案规定的5个，本组不发布红黑榜" in n for n in towns.notes)
    # Units short of data do not count towards the minimum.
    five = four | {"戊": "80"}
    assert draft_honour_roll(board_of(five), rules=RULES).group("town").red
    held = draft_honour_roll(board_of(five, short=("戊",)), rules=RULES).group("town")
    assert held.red == ()


def test_the_rules_travel_with_the_stored_draft():
    draft = draft_honour_roll(board_of(EIGHT), rules=RULES)
    back = codec.roll_from_dict(codec.roll_to_dict(draft))
    assert back.rules == RULES
    assert back.rules_text[0] == "红榜：总分不低于85分且位列本组前3名。"
    assert back.rules_text[1] == "黑榜：总分低于60分且位列本组后3名。"
    # A draft stored before the rules existed still reads back.
    old = codec.roll_to_dict(draft)
    del old["rules"]
    assert codec.roll_from_dict(old).rules_text == ()


# ---------------------------------------------------------------------------------------------
# The objection window


def test_the_window_counts_working_days_from_the_day_after_showing():
    # Shown on Friday 2025-03-07; 5 working days: 10, 11, 12, 13, 14 → closes Friday 03-14.
    window = objection_window(date(2025, 3, 7), workdays=5)
    assert window.closes_on == date(2025, 3, 14)
    assert window.is_open(date(2025, 3, 14))
    assert not window.is_open(date(2025, 3, 15))
    assert not window.is_open(date(2025, 3, 6))
    assert "5个工作日内（截至2025年3月14日）" in window.text


def test_the_window_skips_the_national_day_holiday():
    # Shown on Tuesday 2025-09-30. 10月1日–8日 are holidays; 10月9日 (Thu), 10日 (Fri),
    # 11日 (Sat, a 调休 working day), 13日 (Mon), 14日 (Tue) → closes 10月14日.
    assert objection_window(date(2025, 9, 30), workdays=5).closes_on == date(2025, 10, 14)


def test_the_office_may_publish_only_after_the_window_and_every_answer():
    window = objection_window(date(2025, 3, 7), workdays=5)
    blockers = publication_blockers(window, today=date(2025, 3, 14), unanswered_objections=1)
    assert len(blockers) == 2
    assert "申诉期尚未结束（截至2025年3月14日）" in blockers[0]
    assert "还有1件申诉未答复" in blockers[1]
    assert publication_blockers(window, today=date(2025, 3, 17), unanswered_objections=0) == ()


def test_a_window_needs_at_least_one_working_day():
    with pytest.raises(ValidationError):
        objection_window(date(2025, 3, 7), workdays=0)


# ---------------------------------------------------------------------------------------------
# Commendations


def test_citations_are_drafted_for_the_office_to_edit(board):
    (entry,) = draft_honour_roll(board, top_k=1, bottom_k=0).group("town").red
    c = unit_citation(entry, campaign="2025年一季度开门红", period="2月")
    assert c.kind == "unit"
    assert c.citation == (
        "东城街道在2025年一季度开门红工作竞赛中，2月综合得分77.25分，位列同类单位第1名，"
        "特予通报表扬，授予“先进单位”称号。"
    )
    p = person_citation(
        name="王明",
        unit="A",
        unit_name="东城街道",
        deeds="牵头推动两个首发项目落地。",
        campaign="2025年一季度开门红",
    )
    assert p.citation.startswith("东城街道王明同志在2025年一季度开门红中牵头推动两个首发项目落地，")
    with pytest.raises(ValidationError):
        person_citation(name="王明", unit="A", unit_name="东城街道", deeds=" ", campaign="x")
