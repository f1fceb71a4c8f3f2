"""The proposer on hand-built ledger and targets data: it finds the facts, proposes one rung at a
time, stores each proposal once, withdraws what no longer holds, and applies nothing."""

from __future__ import annotations

import logging
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kaimen.accountability import services, tasks
from kaimen.accountability.models import (
    MatterKind,
    Proposal,
    ProposerRun,
    RuleChoice,
    RunStatus,
    Status,
    StepChoice,
)
from kaimen.audit.models import AuditEvent, Outcome
from kaimen.core import services as core_services
from kaimen.ledger import services as ledger
from kaimen.ledger.models import SupervisionStep, Task
from kaimen.lib.errors import PermissionDenied
from tests.accountability import helpers as h
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------------------------------------
# Red lights


@pytest.fixture
def reds(cast, clock):
    """东城街道's 新签约项目数: a target of 120, and 1, 2 and 3 signed by 1月, 1-2月, 1-3月 —
    red at every release (calendar progress 8.5%, 16.2%, 24.7%; yellow within 5 points)."""
    h.set_day(clock, date(2025, 1, 5))
    campaign = h.campaign(cast)
    signed = h.indicator()
    target = h.target(signed, cast.town_a)
    h.set_day(clock, date(2025, 4, 15))
    h.figures(signed, cast.town_a, {1: "1", 2: "2", 3: "3"})
    return campaign, signed, target


def test_three_red_periods_in_a_row_propose_a_reminder_with_the_facts(cast, clock, reds):
    campaign, signed, target = reds
    run = h.run(clock, date(2025, 4, 16))
    assert run.status == RunStatus.OK
    assert run.proposed == 1
    (p,) = h.open_proposals()
    assert (p.campaign, p.unit, p.rule, p.step) == (
        campaign,
        cast.town_a,
        RuleChoice.RED_STREAK,
        StepChoice.REMIND,
    )
    assert (p.matter_kind, p.subject, p.indicator, p.target) == (
        MatterKind.INDICATOR,
        "indicator:projects_signed",
        signed,
        target,
    )
    assert p.after_step == ""
    assert "“新签约项目数”已连续3期亮红灯（1月、1-2月、1-3月）" in p.facts[0]
    assert "须经调度办负责人确认后方可执行" in p.text
    assert [e["light"] for e in p.evidence["lights"]] == ["red", "red", "red"]
    assert p.decided_by is None
    assert p.decided_at is None


def test_the_campaign_s_threshold_says_how_many_reds_start_the_ladder(cast, clock):
    h.set_day(clock, date(2025, 1, 5))
    campaign = h.campaign(cast)
    signed = h.indicator()
    h.target(signed, cast.town_a)
    h.set_day(clock, date(2025, 3, 15))
    h.figures(signed, cast.town_a, {1: "1", 2: "2"})
    assert h.run(clock, date(2025, 3, 17)).proposed == 0
    services.rules_save(
        actor=cast.office,
        campaign=campaign,
        expected_version=None,
        red_periods=2,
        red_periods_to_escalate=1,
        order_limit_workdays=5,
        overdue_workdays_to_escalate=5,
        missed_reports=2,
        missed_reports_to_escalate=1,
        highest_step="accountability",
    )
    h.run(clock, date(2025, 3, 17))
    (p,) = h.open_proposals()
    assert "已连续2期亮红灯（1月、1-2月），规则为连续2期红灯" in p.facts[0]


def test_the_next_rung_needs_the_confirmation_and_a_further_red_period(cast, clock, reds):
    campaign, signed, _target = reds
    h.run(clock, date(2025, 4, 16))
    (remind,) = h.open_proposals()
    h.set_day(clock, date(2025, 4, 17))
    services.proposal_confirm(actor=cast.office, proposal=remind, reason="请东城街道加快签约。")
    # The same data again: the confirmed step must have time to work.
    assert h.run(clock, date(2025, 4, 18)).proposed == 0
    h.set_day(clock, date(2025, 5, 15))
    h.figures(signed, cast.town_a, {4: "4"})
    h.run(clock, date(2025, 5, 16))
    (supervise,) = h.open_proposals()
    assert supervise.step == StepChoice.SUPERVISE
    assert supervise.after_step == StepChoice.REMIND
    assert "此前已确认的最高一步为“提醒”（2025年4月17日确认）" in supervise.facts[-1]


def test_an_open_proposal_is_withdrawn_when_the_light_turns(cast, clock, reds):
    _campaign, signed, _target = reds
    h.run(clock, date(2025, 4, 16))
    (p,) = h.open_proposals()
    h.set_day(clock, date(2025, 5, 15))
    h.figures(signed, cast.town_a, {4: "45"})  # 37.5% against 33.2%: green
    run = h.run(clock, date(2025, 5, 16))
    p.refresh_from_db()
    assert p.status == Status.WITHDRAWN
    assert run.withdrawn == 1
    assert p.decided_by is None
    assert "不再触发" in p.decision_reason
    event = AuditEvent.objects.filter(action="accountability.propose.run").latest("id")
    assert event.after["campaigns"][0]["withdrawn_ids"] == [p.pk]


def test_the_district_row_is_answered_for_by_the_owner_department(cast, clock):
    h.set_day(clock, date(2025, 1, 5))
    h.campaign(cast)
    from kaimen.org.models import Unit, UnitKind

    commerce = Unit.objects.create(name="区商务局", kind=UnitKind.DEPARTMENT, parent=cast.top)
    trade = h.indicator(code="foreign_trade", name="外贸进出口总额", owner_unit=commerce)
    h.target(trade, cast.top)
    h.set_day(clock, date(2025, 4, 15))
    h.figures(trade, cast.top, {1: "1", 2: "2", 3: "3"})
    h.run(clock, date(2025, 4, 16))
    (p,) = h.open_proposals()
    assert p.unit == commerce
    assert p.subject == f"indicator:foreign_trade@{cast.top.pk}"
    assert p.matter == "指标“外贸进出口总额（全区）”"


# ---------------------------------------------------------------------------------------------
# Tasks and reports from the ledger


def test_a_task_overdue_past_its_supervision_order_proposes_an_interview(cast, clock):
    (task,) = h.overdue_tasks(cast, clock, [cast.town_a])
    # The ledger's former ladder: report reminder confirmed 4 March, 督办单 confirmed 7 March.
    h.ledger_ladder(cast, [task])
    # The 督办单 gives five working days (to 14 March), later than the deadline of 10 March.
    assert h.run(clock, date(2025, 3, 14)).status == RunStatus.OK
    assert not Proposal.objects.filter(rule=RuleChoice.OVERDUE_PAST_ORDER).exists()
    h.run(clock, date(2025, 3, 17))
    p = Proposal.objects.get(rule=RuleChoice.OVERDUE_PAST_ORDER)
    assert (p.unit, p.step, p.after_step, p.task) == (
        cast.town_a,
        StepChoice.INTERVIEW,
        StepChoice.SUPERVISE,
        task,
    )
    assert p.subject == f"task:{task.pk}"
    assert "督办单（2025年3月7日下发）要求2025年3月14日前办结" in p.facts[0]
    assert "截至2025年3月17日仍未办结，已超过督办时限1个工作日" in p.facts[0]
    assert p.evidence["order_due"] == "2025-03-14"


def test_reports_missed_twice_propose_a_reminder(cast, clock):
    (task,) = h.overdue_tasks(cast, clock, [cast.town_a], deadline=date(2025, 6, 30))
    # Due 3 March (one week after publication): missed. On 10 March only one is missed.
    assert h.run(clock, date(2025, 3, 10)).proposed == 0
    h.run(clock, date(2025, 3, 11))
    (p,) = h.open_proposals()
    assert (p.unit, p.rule, p.step, p.subject) == (
        cast.town_a,
        RuleChoice.MISSED_REPORTS,
        StepChoice.REMIND,
        "reports",
    )
    assert "已有2次未按时报送进展" in p.facts[0]
    assert "应于2025年3月3日前报送" in p.facts[0]
    assert "应于2025年3月10日前报送" in p.facts[0]
    assert [m["due"] for m in p.evidence["missed"]] == ["2025-03-03", "2025-03-10"]
    assert p.task is None


def test_a_late_report_counts_as_missed_and_an_on_time_one_does_not(cast, clock):
    (task,) = h.overdue_tasks(cast, clock, [cast.town_a], deadline=date(2025, 6, 30))
    h.set_day(clock, date(2025, 3, 5))  # due 3 March: two days late
    ledger.progress_report(actor=cast.liaison_a, task=task, text="已开工", percent=10)
    h.set_day(clock, date(2025, 3, 12))  # due 12 March (a week after the last): on time
    ledger.progress_report(actor=cast.liaison_a, task=task, text="推进中", percent=30)
    assert h.run(clock, date(2025, 3, 18)).proposed == 0
    # Due 19 March: missed, which makes two.
    h.run(clock, date(2025, 3, 20))
    (p,) = h.open_proposals()
    assert [(m["due"], m["submitted_on"]) for m in p.evidence["missed"]] == [
        ("2025-03-03", "2025-03-05"),
        ("2025-03-19", None),
    ]


def test_the_ledger_s_confirmed_reminders_count_on_the_reports_matter(cast, clock):
    (task,) = h.overdue_tasks(cast, clock, [cast.town_a], deadline=date(2025, 6, 30))
    # 提醒 for the report due 3 March, on the ledger's former ladder
    h.ledger_history(cast, task, level="reminder", day=date(2025, 3, 4))
    h.set_day(clock, date(2025, 3, 3))
    # another task of the unit, its report due 10 March
    make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 6, 30), campaign=task.campaign)
    h.run(clock, date(2025, 3, 11))
    (p,) = h.open_proposals()
    # 提醒 is already on record; the miss of 10 March is new evidence: next rung, 督办.
    assert (p.step, p.after_step) == (StepChoice.SUPERVISE, StepChoice.REMIND)


def test_running_twice_on_the_same_data_proposes_nothing_new(cast, clock, reds):
    tasks = h.overdue_tasks(
        cast,
        clock,
        [cast.town_a, cast.town_a, cast.town_b, cast.town_b],
        deadline=date(2025, 3, 10),
    )
    h.ledger_ladder(cast, tasks)
    first = h.run(clock, date(2025, 4, 16))
    assert first.proposed >= 4
    stored = list(Proposal.objects.order_by("pk").values())
    second = h.run(clock, date(2025, 4, 16))
    assert (second.proposed, second.withdrawn) == (0, 0)
    assert list(Proposal.objects.order_by("pk").values()) == stored
    # And the next morning, with the open proposals still undecided, nothing stacks up.
    assert h.run(clock, date(2025, 4, 17)).proposed == 0
    assert ProposerRun.objects.count() == 3
    runs = AuditEvent.objects.filter(action="accountability.propose.run")
    assert runs.count() == 3


def test_a_dismissed_overdue_proposal_does_not_come_back_the_next_morning(cast, clock):
    tasks = h.overdue_tasks(cast, clock, [cast.town_a])
    h.ledger_ladder(cast, tasks)
    h.run(clock, date(2025, 3, 17))
    p = Proposal.objects.get(rule=RuleChoice.OVERDUE_PAST_ORDER)
    h.set_day(clock, date(2025, 3, 17), 11)
    services.proposal_dismiss(actor=cast.office, proposal=p, reason="已报区领导同意延期至3月底。")
    for day in (date(2025, 3, 18), date(2025, 3, 21)):
        h.run(clock, day)
        assert Proposal.objects.filter(rule=RuleChoice.OVERDUE_PAST_ORDER).count() == 1
    # Five more working days overdue after the dismissal: proposed again, on new facts.
    h.run(clock, date(2025, 3, 24))
    again = Proposal.objects.filter(rule=RuleChoice.OVERDUE_PAST_ORDER, status=Status.PROPOSED)
    assert again.get().step == StepChoice.INTERVIEW


def test_the_proposer_applies_nothing(cast, clock, reds):
    tasks = h.overdue_tasks(cast, clock, [cast.town_a])
    h.ledger_ladder(cast, tasks)
    ledger_before = (
        list(Task.objects.order_by("pk").values()),
        list(SupervisionStep.objects.order_by("pk").values()),
    )
    h.run(clock, date(2025, 4, 16))
    for p in h.open_proposals():
        services.proposal_confirm(actor=cast.office, proposal=p, reason="同意。")
    assert (
        list(Task.objects.order_by("pk").values()),
        list(SupervisionStep.objects.order_by("pk").values()),
    ) == ledger_before


# ---------------------------------------------------------------------------------------------
# The run itself: calendar, permission, job and command


def test_a_year_without_calendar_data_fails_loudly_and_stores_nothing(cast, clock, caplog):
    h.overdue_tasks(cast, clock, [cast.town_a], deadline=date(2025, 6, 30))
    with caplog.at_level(logging.ERROR):
        run = h.run(clock, date(2099, 3, 11))
    assert run.status == RunStatus.FAILED
    assert "2099" in run.message
    assert not Proposal.objects.exists()
    event = AuditEvent.objects.get(action="accountability.propose.run")
    assert event.outcome == Outcome.FAILURE
    assert "accountability proposer" in caplog.text


def test_the_daily_job_skips_days_off_and_acts_on_a_tiaoxiu_saturday(cast, clock):
    h.overdue_tasks(cast, clock, [cast.town_a, cast.town_a], deadline=date(2025, 6, 30))
    h.set_day(clock, date(2025, 3, 15), 8)  # Saturday
    tasks.daily_proposals.call_local()
    assert ProposerRun.objects.get().status == RunStatus.SKIPPED
    assert not Proposal.objects.exists()
    core_services.workday_override_set(
        actor=cast.office, day=date(2025, 3, 15), is_workday=True, note="测试调休"
    )
    tasks.daily_proposals.call_local()
    assert ProposerRun.objects.order_by("-pk").first().status == RunStatus.OK
    assert Proposal.objects.count() == 1


def test_only_the_deciders_may_run_the_proposer(cast, clock):
    with pytest.raises(PermissionDenied):
        services.proposals_run(actor=cast.liaison_a)
    assert services.proposals_run(actor=cast.leader).status == RunStatus.OK


def test_the_command_proposes_for_one_campaign(cast, clock):
    (task_a, _) = h.overdue_tasks(cast, clock, [cast.town_a] * 2, deadline=date(2025, 6, 30))
    h.overdue_tasks(cast, clock, [cast.town_b] * 2, deadline=date(2025, 6, 30))
    out = StringIO()
    call_command(
        "accountability",
        "propose",
        "--campaign",
        str(task_a.campaign_id),
        "--date",
        "2025-03-11",
        stdout=out,
    )
    assert "新增问责建议1项" in out.getvalue()
    assert Proposal.objects.get().unit == cast.town_a
    call_command("accountability", "propose", "--date", "2025-03-11", stdout=out)
    assert Proposal.objects.count() == 2
    with pytest.raises(CommandError, match="没有编号为999999的战役"):
        call_command("accountability", "propose", "--campaign", "999999")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("accountability", "propose", "--date", "4月1日")


def test_the_spring_festival_months_propose_nothing_in_a_campaign_that_spares_them(cast, clock):
    # 2025's Spring Festival (29 January) moved month from 2024's (10 February): the note marks
    # 1月, 1-2月 and 一季度 as "不宜据此亮灯问责", and a campaign spares them by default
    h.set_day(clock, date(2025, 1, 5))
    h.campaign(cast, spring_festival_exempt=True)
    signed = h.indicator()
    h.target(signed, cast.town_a)
    h.set_day(clock, date(2025, 4, 15))
    h.figures(signed, cast.town_a, {1: "1", 2: "2", 3: "3"})
    run = h.run(clock, date(2025, 4, 16))
    assert run.status == RunStatus.OK
    assert run.proposed == 0
    assert h.open_proposals() == []
