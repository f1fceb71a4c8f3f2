"""The daily supervision job: proposes (never applies) 提醒 → 督办单 → 通报, acts only on working days
of the official calendar, is idempotent, and fails loudly for a year without calendar data."""

from __future__ import annotations

import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.core import services as core_services
from kaimen.ledger import services, tasks
from kaimen.ledger.models import (
    RunStatus,
    StepState,
    SupervisionRun,
    SupervisionStep,
    TaskStatus,
    Trigger,
)
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def task(cast, clock):
    """Published on Mon 24 Feb 2025, weekly reports, due Mon 10 March; no report ever filed."""
    clock.current = at(date(2025, 2, 24), 9)
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 3, 10))
    return task


def run_on(clock, day: date) -> SupervisionRun:
    clock.current = at(day)
    return services.supervision_run()


def test_missed_report_is_proposed_as_a_reminder_and_nothing_is_applied(task, clock):
    # The first report was due Mon 3 March; on Tue 4 March it is late.
    run = run_on(clock, date(2025, 3, 4))
    assert run.status == RunStatus.OK
    step = SupervisionStep.objects.get()
    assert (step.trigger, step.level, step.state) == (
        Trigger.REPORT,
        "reminder",
        StepState.PROPOSED,
    )
    assert step.trigger_key == "report:2025-03-03"
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED  # a proposal changes nothing on the task
    assert step.decided_by is None


def test_two_runs_on_one_day_do_not_propose_twice(task, clock):
    run_on(clock, date(2025, 3, 4))
    run_on(clock, date(2025, 3, 4))
    assert SupervisionStep.objects.count() == 1
    assert SupervisionRun.objects.filter(status=RunStatus.OK).count() == 2


def test_the_job_proposes_nothing_on_a_weekend(task, clock):
    run = run_on(clock, date(2025, 3, 8))  # Saturday
    assert run.status == RunStatus.SKIPPED
    assert not SupervisionStep.objects.exists()


def test_the_job_acts_on_a_tiaoxiu_saturday(cast, clock):
    clock.current = at(date(2025, 1, 20), 9)
    make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 3, 31))
    # Report due Mon 27 Jan (a workday); Sat 8 Feb 2025 is a 调休 working day.
    run = run_on(clock, date(2025, 2, 8))
    assert run.status == RunStatus.OK
    assert SupervisionStep.objects.filter(trigger=Trigger.REPORT).count() == 1


def test_confirmed_reminder_moves_to_a_supervision_order_after_three_working_days(
    task, clock, cast
):
    run_on(clock, date(2025, 3, 4))
    step = SupervisionStep.objects.get()
    clock.current = at(date(2025, 3, 4), 10)
    services.supervision_decide(actor=cast.office, step=step, confirm=True)
    run_on(clock, date(2025, 3, 6))
    assert not SupervisionStep.objects.filter(level="order").exists()
    run_on(clock, date(2025, 3, 7))
    order = SupervisionStep.objects.get(level="order")
    assert order.state == StepState.PROPOSED


def test_dismissing_needs_a_reason_and_ends_the_ladder(task, clock, cast):
    run_on(clock, date(2025, 3, 4))
    step = SupervisionStep.objects.get()
    with pytest.raises(services.ValidationError):
        services.supervision_decide(actor=cast.office, step=step, confirm=False, note="")
    services.supervision_decide(
        actor=cast.office, step=step, confirm=False, note="已电话沟通,周五前报送"
    )
    run_on(clock, date(2025, 3, 10))
    assert SupervisionStep.objects.filter(trigger=Trigger.REPORT).count() == 1


def test_a_proposal_is_withdrawn_when_the_report_comes_in(task, clock, cast):
    run_on(clock, date(2025, 3, 4))
    clock.current = at(date(2025, 3, 4), 11)
    services.progress_report(actor=cast.liaison_a, task=task, text="已开工", percent=10)
    run_on(clock, date(2025, 3, 5))
    assert SupervisionStep.objects.get().state == StepState.WITHDRAWN


def test_an_overdue_task_gets_its_own_ladder(task, clock):
    run_on(clock, date(2025, 3, 11))
    triggers = set(SupervisionStep.objects.values_list("trigger", flat=True))
    assert triggers == {Trigger.REPORT, Trigger.DEADLINE}


def test_a_year_without_calendar_data_fails_loudly_and_the_office_sees_it(
    cast, clock, client, login, caplog
):
    clock.current = at(date(2027, 1, 5))
    with caplog.at_level(logging.ERROR, logger="kaimen.ledger.services"):
        run = services.supervision_run()
    assert run.status == RunStatus.FAILED
    assert "2027" in run.message
    assert any("2027" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)
    event = AuditEvent.objects.filter(action="ledger.supervision.run").latest("id")
    assert event.outcome == Outcome.FAILURE
    login(cast.office)
    page = client.get(reverse("ledger:supervision_queue")).content.decode()
    assert "2027" in page
    assert "节假日" in page
    home = client.get(reverse("core:home")).content.decode()
    assert "2027" in home


def test_the_office_entering_the_year_makes_the_job_work_again(cast, clock):
    clock.current = at(date(2027, 1, 5))
    assert services.supervision_run().status == RunStatus.FAILED
    core_services.workday_override_set(actor=cast.office, day=date(2027, 1, 1), is_workday=False)
    core_services.calendar_year_mark(actor=cast.office, year=2027, complete=True)
    assert services.supervision_run().status == RunStatus.OK


def test_the_huey_task_runs_the_check(task, clock):
    clock.current = at(date(2025, 3, 4))
    run_id = tasks.daily_supervision.call_local()
    assert SupervisionRun.objects.get(pk=run_id).status == RunStatus.OK
    assert SupervisionStep.objects.count() == 1


def test_office_confirms_through_the_queue_page(task, clock, client, login, cast):
    run_on(clock, date(2025, 3, 4))
    step = SupervisionStep.objects.get()
    login(cast.office)
    page = client.get(reverse("ledger:supervision_queue"))
    assert step.reason in page.content.decode()
    response = client.post(reverse("ledger:supervision_decide", args=[step.pk]), {"confirm": "1"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.CONFIRMED
    assert step.decided_by == cast.office


def test_a_liaison_cannot_decide_a_supervision_step(task, clock, client, login, cast):
    run_on(clock, date(2025, 3, 4))
    step = SupervisionStep.objects.get()
    login(cast.liaison_a)
    response = client.post(
        reverse("ledger:supervision_decide", args=[step.pk]), {"confirm": "0", "note": "不用了"}
    )
    assert response.status_code == 403
    step.refresh_from_db()
    assert step.state == StepState.PROPOSED


def test_a_confirmed_step_tells_the_lead_unit_s_liaison_and_a_dismissed_one_tells_nobody(
    task, clock, cast
):
    from kaimen.notifications.models import Notification

    run_on(clock, date(2025, 3, 4))
    step = SupervisionStep.objects.get()
    clock.current = at(date(2025, 3, 4), 10)
    services.supervision_decide(actor=cast.office, step=step, confirm=True, note="请本周报送")
    note = Notification.objects.get(event="supervision_issued")
    assert note.recipient == cast.liaison_a
    assert note.title.startswith("提醒：任务")
    assert "请本周报送" in note.body
    assert note.link == reverse("ledger:task_detail", args=[task.pk])
    Notification.objects.all().delete()
    run_on(clock, date(2025, 3, 7))
    order = SupervisionStep.objects.get(level="order")
    services.supervision_decide(actor=cast.office, step=order, confirm=False, note="已沟通")
    assert not Notification.objects.exists()
