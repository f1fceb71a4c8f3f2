"""The accountability ladder: proposals with their facts, one rung at a time, nothing applied."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kaimen.accountability.rules import (
    LADDER,
    ConfirmedStep,
    LightEntry,
    LightHistory,
    ReportRecord,
    Rule,
    Rules,
    Step,
    TaskRecord,
    propose_steps,
)
from kaimen.lib.errors import ValidationError
from kaimen.targets.monitoring import Light

# Monthly releases: 1-2月 published 3月15日, 3月 on 4月15日, 4月 on 5月15日, 5月 on 6月14日.
RELEASES = (
    ("1-2月", date(2025, 3, 15)),
    ("1-3月", date(2025, 4, 15)),
    ("1-4月", date(2025, 5, 15)),
    ("1-5月", date(2025, 6, 14)),
)


def history(*lights: str | None) -> LightHistory:
    entries = tuple(
        LightEntry(period, published, light)
        for (period, published), light in zip(RELEASES, lights, strict=False)
    )
    return LightHistory("N", "北山镇", "RETAIL", "社会消费品零售总额", entries)


SUBJECT = "indicator:RETAIL"


def test_three_red_periods_propose_the_first_rung_with_the_facts():
    (p,) = propose_steps(today=date(2025, 5, 16), lights=[history("red", "red", "red")])
    assert p.step == Step.REMIND
    assert p.rule == Rule.RED_STREAK
    assert p.after is None
    assert p.unit == "N"
    assert p.subject == SUBJECT
    assert "“社会消费品零售总额”已连续3期亮红灯（1-2月、1-3月、1-4月）" in p.facts[0]
    assert "规则为连续3期红灯" in p.facts[0]
    assert "不越级" in p.facts[1]
    assert "须经调度办负责人确认后方可执行" in p.text
    assert p.key == "red_streak|N|indicator:RETAIL|remind|2025-05-15"


def test_monitoring_lights_are_accepted_as_they_are():
    (p,) = propose_steps(today=date(2025, 5, 16), lights=[history(Light.RED, Light.RED, Light.RED)])
    assert p.step == Step.REMIND


@pytest.mark.parametrize(
    "lights",
    [
        ("red", "red"),
        ("red", "red", "red", "green"),
        ("red", "yellow", "red", "red"),
        ("red", None, "red"),
    ],
)
def test_no_proposal_without_three_consecutive_red_periods_up_to_now(lights):
    assert propose_steps(today=date(2025, 7, 1), lights=[history(*lights)]) == ()


def test_the_next_rung_needs_the_last_one_confirmed_and_new_evidence():
    reds = history("red", "red", "red")
    reminded = ConfirmedStep("N", SUBJECT, Step.REMIND, date(2025, 5, 20))
    # Confirmed after the third red: nothing new yet, so nothing to propose.
    assert propose_steps(today=date(2025, 6, 1), lights=[reds], confirmed=[reminded]) == ()
    # A fourth red published after the confirmation → 督办.
    (p,) = propose_steps(
        today=date(2025, 6, 15), lights=[history("red", "red", "red", "red")], confirmed=[reminded]
    )
    assert p.step == Step.SUPERVISE
    assert p.after == Step.REMIND
    assert "此前已确认的最高一步为“提醒”（2025年5月20日确认）" in p.facts[-1]
    assert "其后又有1期红灯（1-5月）" in p.facts[-1]


def test_a_long_streak_never_skips_an_unconfirmed_rung():
    # Five reds and nothing confirmed: still only 提醒, not 督办 or 约谈.
    (p,) = propose_steps(
        today=date(2025, 7, 1), lights=[history("red", "red", "red", "red", "red")]
    )
    assert p.step == Step.REMIND


def test_confirmations_of_other_units_or_matters_do_not_count():
    other_unit = ConfirmedStep("S", SUBJECT, Step.NOTIFY, date(2025, 5, 1))
    other_matter = ConfirmedStep("N", "indicator:GDP", Step.NOTIFY, date(2025, 5, 1))
    (p,) = propose_steps(
        today=date(2025, 5, 16),
        lights=[history("red", "red", "red")],
        confirmed=[other_unit, other_matter],
    )
    assert p.step == Step.REMIND


def test_the_top_of_the_ladder_or_the_configured_cap_ends_proposals():
    reds = history("red", "red", "red", "red")
    top = ConfirmedStep("N", SUBJECT, Step.ACCOUNTABILITY, date(2025, 5, 1))
    assert propose_steps(today=date(2025, 7, 1), lights=[reds], confirmed=[top]) == ()
    notified = ConfirmedStep("N", SUBJECT, Step.NOTIFY, date(2025, 5, 1))
    capped = Rules(highest_step=Step.NOTIFY)
    assert (
        propose_steps(today=date(2025, 7, 1), lights=[reds], confirmed=[notified], rules=capped)
        == ()
    )
    (p,) = propose_steps(today=date(2025, 7, 1), lights=[reds], confirmed=[notified])
    assert p.step == Step.ACCOUNTABILITY


def test_a_dismissed_proposal_is_not_proposed_again_on_the_same_evidence():
    reds = history("red", "red", "red")
    (p,) = propose_steps(today=date(2025, 5, 16), lights=[reds])
    assert propose_steps(today=date(2025, 5, 20), lights=[reds], dismissed={p.key}) == ()
    (again,) = propose_steps(
        today=date(2025, 6, 15), lights=[history("red", "red", "red", "red")], dismissed={p.key}
    )
    assert again.key != p.key


def test_the_thresholds_are_configurable():
    rules = Rules(red_periods=2)
    (p,) = propose_steps(today=date(2025, 5, 1), lights=[history("red", "red")], rules=rules)
    assert "规则为连续2期红灯" in p.facts[0]
    with pytest.raises(ValidationError):
        Rules(red_periods=0)


# ---------------------------------------------------------------------------------------------
# A task overdue past its 督办单


def task(**overrides) -> TaskRecord:
    values = {
        "unit": "S",
        "unit_name": "区商务局",
        "task": "T7",
        "title": "梳理首发经济品牌清单",
        "deadline": date(2025, 2, 28),
        "order_issued_on": date(2025, 3, 3),
        "order_due": date(2025, 3, 7),
    }
    values.update(overrides)
    return TaskRecord(**values)


def test_a_task_overdue_past_its_supervision_order_proposes_an_interview():
    (p,) = propose_steps(today=date(2025, 3, 14), tasks=[task()])
    # The 督办单 is the confirmed 督办, so the next rung is 约谈.
    assert p.step == Step.INTERVIEW
    assert p.after == Step.SUPERVISE
    assert p.rule == Rule.OVERDUE_PAST_ORDER
    # 3月7日 (Friday) → 3月14日: 10, 11, 12, 13, 14 → 5 working days overdue.
    assert (
        "要求2025年3月7日前办结，截至2025年3月14日仍未办结，已超过督办时限5个工作日" in p.facts[0]
    )
    assert "督办单（2025年3月3日下发）" in p.facts[0]


def test_a_task_done_or_within_its_order_proposes_nothing():
    assert (
        propose_steps(today=date(2025, 3, 14), tasks=[task(completed_on=date(2025, 3, 12))]) == ()
    )
    assert propose_steps(today=date(2025, 3, 7), tasks=[task()]) == ()
    assert propose_steps(today=date(2025, 3, 14), tasks=[task(order_due=None)]) == ()


def test_after_an_interview_it_takes_working_days_to_escalate_again():
    interviewed = ConfirmedStep("S", "task:T7", Step.INTERVIEW, date(2025, 3, 14))
    # 3月14日 → 3月18日: 17, 18 → 2 working days, fewer than the rule's 5.
    assert propose_steps(today=date(2025, 3, 18), tasks=[task()], confirmed=[interviewed]) == ()
    # 3月14日 → 3月21日: 17–21 → 5 working days → 通报.
    (p,) = propose_steps(today=date(2025, 3, 21), tasks=[task()], confirmed=[interviewed])
    assert p.step == Step.NOTIFY
    assert "确认后又过了5个工作日仍未办结" in p.facts[-1]


# ---------------------------------------------------------------------------------------------
# Reports missed


def report(due: date, submitted: date | None = None, title: str = "二(一)进展") -> ReportRecord:
    return ReportRecord("E", "东城街道", "T1", title, due, submitted)


def test_reports_missed_twice_propose_a_reminder():
    reports = [
        report(date(2025, 3, 7)),
        report(date(2025, 3, 14), date(2025, 3, 17)),  # late counts as missed
        report(date(2025, 3, 21), date(2025, 3, 21)),
    ]
    (p,) = propose_steps(today=date(2025, 3, 24), reports=reports)
    assert p.step == Step.REMIND
    assert p.subject == "reports"
    assert "已有2次未按时报送进展" in p.facts[0]
    assert "应于2025年3月7日前报送" in p.facts[0]


def test_one_missed_report_or_one_not_yet_due_proposes_nothing():
    reports = [report(date(2025, 3, 7)), report(date(2025, 3, 24))]
    assert propose_steps(today=date(2025, 3, 24), reports=reports) == ()


def test_proposals_are_ordered_highest_step_first():
    proposals = propose_steps(
        today=date(2025, 5, 16),
        lights=[history("red", "red", "red")],
        tasks=[task()],
        reports=[report(date(2025, 3, 7)), report(date(2025, 3, 14))],
    )
    assert [p.step for p in proposals] == [Step.INTERVIEW, Step.REMIND, Step.REMIND]


# ---------------------------------------------------------------------------------------------
# The invariant: never past an unconfirmed step


@given(
    streak=st.integers(min_value=0, max_value=4),
    confirmed=st.lists(
        st.tuples(st.sampled_from(LADDER), st.sampled_from([d for _, d in RELEASES])), max_size=4
    ),
    overdue_confirmed=st.lists(st.sampled_from(LADDER), max_size=3),
)
def test_a_proposal_is_never_more_than_one_rung_above_what_was_confirmed(
    streak, confirmed, overdue_confirmed
):
    lights = ["green"] * (4 - streak) + ["red"] * streak
    steps = [ConfirmedStep("N", SUBJECT, s, d) for s, d in confirmed]
    steps += [ConfirmedStep("S", "task:T7", s, date(2025, 3, 10)) for s in overdue_confirmed]
    proposals = propose_steps(
        today=date(2025, 7, 1), lights=[history(*lights)], tasks=[task()], confirmed=steps
    )
    for p in proposals:
        mine = [c.step for c in steps if c.unit == p.unit and c.subject == p.subject]
        if p.subject.startswith("task:"):
            mine.append(Step.SUPERVISE)  # the 督办单
        highest = max((s.level for s in mine), default=-1)
        assert p.step.level == highest + 1
        assert p.after == (LADDER[highest] if highest >= 0 else None)
