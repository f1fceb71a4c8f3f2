"""The ledger's daily check: it refreshes the lights, acts only as the official calendar says,
fails loudly for a year without calendar data — and proposes nothing: escalation is the one
ladder in accountability. The former proposal pages lead there; the ledger's supervision records
stay readable on the history page."""

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


def test_the_daily_check_refreshes_the_lights_and_proposes_nothing(task, clock):
    run = run_on(clock, date(2025, 3, 11))  # a report missed and the deadline passed
    assert run.status == RunStatus.OK
    assert run.proposed == 0
    assert not SupervisionStep.objects.exists()
    task.refresh_from_db()
    assert task.light == "red"


def test_the_check_is_skipped_on_a_weekend(task, clock):
    assert run_on(clock, date(2025, 3, 8)).status == RunStatus.SKIPPED  # Saturday


def test_the_check_acts_on_a_tiaoxiu_saturday(cast, clock):
    clock.current = at(date(2025, 1, 20), 9)
    make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 3, 31))
    assert run_on(clock, date(2025, 2, 8)).status == RunStatus.OK  # a 调休 working day


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
    page = client.get(reverse("ledger:supervision_history")).content.decode()
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
    assert not SupervisionStep.objects.exists()


@pytest.mark.parametrize(
    ("name", "method", "kwargs"),
    [
        ("ledger:supervision_queue", "get", {}),
        ("ledger:supervision_run_now", "post", {}),
        ("ledger:supervision_decide", "post", {"step_id": 1}),
    ],
)
@pytest.mark.parametrize("role", ["office", "liaison_a"])
def test_the_former_proposal_pages_lead_to_the_accountability_queue(
    client, login, cast, name, method, kwargs, role
):
    login(cast.role(role))
    response = getattr(client, method)(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response["Location"] == reverse("accountability:queue")


def test_old_supervision_records_stay_readable_on_the_history_page(task, cast, client, login):
    SupervisionStep.objects.create(
        task=task,
        trigger="report",
        trigger_key="report:2025-03-03",
        level="order",
        state=StepState.CONFIRMED,
        reason="进展应于2025-03-03前报送,已逾期4个工作日未报",
        proposed_at=at(date(2025, 3, 7)),
        decided_by=cast.office,
        decided_at=at(date(2025, 3, 7), 10),
        decision_note="请本周报送",
    )
    login(cast.office)
    page = client.get(reverse("ledger:supervision_history")).content.decode()
    assert "进展应于2025-03-03前报送,已逾期4个工作日未报" in page
    assert "请本周报送" in page
    login(cast.liaison_a)
    assert client.get(reverse("ledger:supervision_history")).status_code == 403
