"""红黑榜 drafts, the objection window on the official calendar, commendation citations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kaimen.evaluation.honour_roll import (
    draft_honour_roll,
    objection_window,
    person_citation,
    publication_blockers,
    unit_citation,
)
from kaimen.evaluation.scoring import score_period
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
    # Nobody is left for the black list but 北山镇 (short of samples, yet ranked 2nd).
    assert [e.name for e in towns.black] == ["北山镇"]


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
