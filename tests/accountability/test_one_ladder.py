"""One escalation ladder: the apps supply facts, accountability proposes 提醒 → 督办 → 约谈 → 通报 →
问责建议 once per lapse, and the unit sees a step only after a person confirms it."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from kaimen.accountability import services
from kaimen.accountability.gather import gather
from kaimen.accountability.models import Proposal, RuleChoice, StepChoice
from kaimen.ledger import escalation as ledger_escalation
from kaimen.ledger import services as ledger
from kaimen.ledger.models import StepState, SupervisionStep
from kaimen.lib import official_calendar
from kaimen.lib.contracts import escalation
from kaimen.lib.contracts.escalation import Window
from tests.accountability import helpers as h

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_lapses(cast, clock):
    """Two tasks of 东城街道 published Mon 24 Feb 2025, no report ever filed: on 11 March each
    has two lapses (the reports due 3 and 10 March), four for the unit."""
    return h.overdue_tasks(cast, clock, [cast.town_a, cast.town_a], deadline=date(2025, 6, 30))


def window(task, day: date) -> Window:
    return Window(
        campaign_id=task.campaign_id,
        year=task.campaign.year,
        today=day,
        calendar=official_calendar.load(),
    )


def test_the_same_lapse_gives_one_proposal_however_often_the_ladder_runs(cast, clock, two_lapses):
    h.set_day(clock, date(2025, 3, 11), 7)
    ledger.supervision_run()  # the ledger's daily check: lights only, no proposal of its own
    first = h.run(clock, date(2025, 3, 11))
    second = h.run(clock, date(2025, 3, 11))
    assert (first.proposed, second.proposed) == (1, 0)
    (p,) = Proposal.objects.all()
    assert (p.rule, p.step, p.unit) == (RuleChoice.MISSED_REPORTS, StepChoice.REMIND, cast.town_a)
    assert not SupervisionStep.objects.exists()


def test_the_same_lapse_from_two_sources_is_one_fact_and_one_proposal(cast, clock, two_lapses):
    task = two_lapses[0]
    # A second source naming the same lapses (as the ledger's former ladder and accountability
    # both did): deduplicated by the lapse key.
    escalation.register("zz-second-source", ledger_escalation.facts)
    try:
        inputs = gather(
            campaign=task.campaign,
            today=date(2025, 3, 11),
            cal=official_calendar.load(),
            order_limit_workdays=5,
        )
        assert len(inputs.reports) == 4
        assert len({f.lapse for f in inputs.facts}) == len(inputs.facts)
        h.run(clock, date(2025, 3, 11))
        h.run(clock, date(2025, 3, 12))
    finally:
        escalation.unregister("zz-second-source")
    (p,) = Proposal.objects.all()
    assert "已有4次未按时报送进展" in p.facts[0]
    assert len(p.evidence["lapses"]) == 4


def test_six_silent_weeks_are_six_lapses_each_counted_once(cast, clock):
    (task,) = h.overdue_tasks(cast, clock, [cast.town_a], deadline=date(2025, 6, 30))
    # First due 3 March and nothing ever filed: by 14 April six weekly reports were owed.
    facts = [
        f
        for f in ledger_escalation.facts(window(task, date(2025, 4, 14)))
        if f.kind == escalation.MISSED_REPORT
    ]
    dues = ["2025-03-03", "2025-03-10", "2025-03-17", "2025-03-24", "2025-03-31", "2025-04-07"]
    assert [(f.lapse, f.until) for f in facts] == [
        (f"task:{task.pk}:report:{due}", None) for due in dues
    ]
    first = h.run(clock, date(2025, 4, 14))
    again = h.run(clock, date(2025, 4, 14))
    assert (first.proposed, again.proposed) == (1, 0)
    (p,) = Proposal.objects.filter(rule=RuleChoice.MISSED_REPORTS)
    assert len(p.evidence["lapses"]) == 6


def test_a_late_report_ends_the_lapse_and_a_new_miss_is_a_new_one(cast, clock):
    (task,) = h.overdue_tasks(cast, clock, [cast.town_a], deadline=date(2025, 6, 30))
    h.set_day(clock, date(2025, 3, 12))  # due 3 March: nine days late
    ledger.progress_report(actor=cast.liaison_a, task=task, text="已开工", percent=10)
    facts = [
        f
        for f in ledger_escalation.facts(window(task, date(2025, 4, 1)))
        if f.kind == escalation.MISSED_REPORT
    ]
    # 3 and 10 March were both owed when the report of 12 March came in; it restarts the
    # cadence, so 19 and 26 March are the next lapses.
    assert [(f.on, f.until) for f in facts] == [
        (date(2025, 3, 3), date(2025, 3, 12)),
        (date(2025, 3, 10), date(2025, 3, 12)),
        (date(2025, 3, 19), None),
        (date(2025, 3, 26), None),
    ]


def test_the_liaison_sees_nothing_before_confirmation_and_the_step_after(
    cast, clock, client, login, two_lapses
):
    h.run(clock, date(2025, 3, 11))
    (p,) = Proposal.objects.all()
    detail = reverse("accountability:proposal_detail", args=[p.pk])
    task_page = reverse("ledger:task_detail", args=[two_lapses[0].pk])
    unit_page = reverse("accountability:unit_record", args=[cast.town_a.pk])
    login(cast.liaison_a)
    for url in (task_page, unit_page, reverse("accountability:record"), reverse("core:home")):
        page = client.get(url).content.decode()
        assert detail not in page, url
        assert p.text not in page, url
    assert client.get(detail).status_code == 404

    services.proposal_confirm(actor=cast.office, proposal=p, reason="请东城街道本周补报进展。")
    for url in (task_page, unit_page):
        response = client.get(url)
        page = response.content.decode()
        assert detail in page, (url, response.status_code, response.get("Location"))
        assert "请东城街道本周补报进展。" in page
    assert client.get(detail).status_code == 200


def test_the_ledger_s_confirmed_records_show_on_the_task_page_as_prior_steps(
    cast, clock, client, login, two_lapses
):
    task = two_lapses[0]
    h.ledger_history(cast, task, level="order", day=date(2025, 3, 7))
    login(cast.liaison_a)
    page = client.get(reverse("ledger:task_detail", args=[task.pk])).content.decode()
    assert "督办" in page
    assert "进展未按时报送" in page


def test_old_open_ledger_proposals_are_withdrawn_and_every_record_stays_readable(
    cast, clock, client, login, two_lapses
):
    task = two_lapses[0]
    kept = h.ledger_history(cast, task, level="reminder", day=date(2025, 3, 4))
    open_one = SupervisionStep.objects.create(
        task=task,
        trigger="report",
        trigger_key="report:2025-03-03",
        level="notice",
        state=StepState.PROPOSED,
        reason="进展应于2025-03-03前报送,已逾期12个工作日未报",
        proposed_at=h.at(date(2025, 3, 19), 7),
    )
    migration = importlib.import_module(
        "kaimen.ledger.migrations.0004_supervision_proposals_withdrawn"
    )
    migration.withdraw(django_apps, None)
    open_one.refresh_from_db()
    kept.refresh_from_db()
    assert open_one.state == StepState.WITHDRAWN
    assert "问责" in open_one.decision_note
    assert kept.state == StepState.CONFIRMED
    login(cast.office)
    page = client.get(reverse("ledger:supervision_history")).content.decode()
    assert "进展应于2025-03-03前报送,已逾期12个工作日未报" in page
    assert "进展未按时报送" in page
    # A withdrawn ledger proposal is no step: the liaison's task page does not show it.
    login(cast.liaison_a)
    task_page = client.get(reverse("ledger:task_detail", args=[task.pk])).content.decode()
    assert "已逾期12个工作日未报" not in task_page
