"""The light rules, the report cadence and the ladder as pure functions on the official calendar,
then the same rules through the services with the application clock moved across a weekend and
a 调休 Saturday."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from kaimen.ledger import services
from kaimen.ledger.lights import (
    Checkpoint,
    StepRecord,
    next_level,
    next_report_due,
    task_light,
)
from kaimen.ledger.models import Light, Milestone, TaskStatus
from kaimen.lib.official_calendar import OfficialCalendar
from kaimen.lib.workdays import CalendarYearMissing
from tests.ledger.ledger_helpers import make_tasks

CAL = OfficialCalendar()
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_DEADLINE = date(2025, 3, 10)


def light_on(day: date, *points: Checkpoint, finished: bool = False) -> str:
    return task_light(today=day, checkpoints=points, finished=finished, cal=CAL).light


def deadline(due: date, reached: bool = False) -> Checkpoint:
    return Checkpoint("完成时限", due, reached)


def test_green_while_the_deadline_is_more_than_three_working_days_away():
    assert light_on(date(2025, 3, 4), deadline(MONDAY_DEADLINE)) == "green"  # Tuesday


def test_yellow_from_three_working_days_before_a_monday_deadline_across_the_weekend():
    # Mon 10 March: Fri 7, Thu 6 and Wed 5 are the three working days before it.
    assert light_on(date(2025, 3, 5), deadline(MONDAY_DEADLINE)) == "yellow"
    assert light_on(date(2025, 3, 8), deadline(MONDAY_DEADLINE)) == "yellow"  # Saturday
    assert light_on(date(2025, 3, 10), deadline(MONDAY_DEADLINE)) == "yellow"  # due today


def test_a_tiaoxiu_saturday_counts_as_a_working_day_before_the_deadline():
    # Sat 8 Feb 2025 is a 调休 workday: the three working days before Mon 10 Feb are Sat 8,
    # Fri 7 and Thu 6, so yellow starts on Thursday, not Wednesday.
    due = date(2025, 2, 10)
    assert light_on(date(2025, 2, 5), deadline(due)) == "green"
    assert light_on(date(2025, 2, 6), deadline(due)) == "yellow"


def test_red_the_day_after_a_missed_deadline_and_it_says_how_late():
    verdict = task_light(
        today=date(2025, 3, 11), checkpoints=[deadline(MONDAY_DEADLINE)], finished=False, cal=CAL
    )
    assert verdict.light == "red"
    assert "已逾期1个工作日" in verdict.reason


def test_a_missed_milestone_stays_red_over_the_weekend_until_the_unit_catches_up():
    milestone = Checkpoint("出台方案", date(2025, 3, 7))
    far = deadline(date(2025, 3, 31))
    assert light_on(date(2025, 3, 8), milestone, far) == "red"  # Saturday
    assert light_on(date(2025, 3, 10), milestone, far) == "red"  # a new week changes nothing
    caught_up = Checkpoint("出台方案", date(2025, 3, 7), reached=True)
    assert light_on(date(2025, 3, 10), caught_up, far) == "green"


def test_a_task_reported_done_has_no_light_whatever_the_date():
    # 已完成 is its own state, never counted as green (one definition for every page)
    assert light_on(date(2025, 4, 15), deadline(MONDAY_DEADLINE), finished=True) == "done"


def test_weekly_report_due_on_a_holiday_moves_to_the_next_working_day():
    # A week after Fri 24 Jan 2025 is Fri 31 Jan, inside the Spring Festival holiday
    # (28 Jan – 4 Feb); the first working day after it is Wed 5 Feb.
    assert next_report_due(since=date(2025, 1, 24), cadence="weekly", cal=CAL) == date(2025, 2, 5)
    assert next_report_due(since=date(2025, 3, 3), cadence="ten_days", cal=CAL) == date(2025, 3, 13)
    assert next_report_due(since=date(2025, 1, 31), cadence="monthly", cal=CAL) == date(2025, 2, 28)


def test_ladder_starts_with_a_reminder_and_waits_for_the_office():
    assert next_level(steps=[], today=date(2025, 3, 3), cal=CAL) == "reminder"
    pending = [StepRecord("reminder", "proposed")]
    assert next_level(steps=pending, today=date(2025, 3, 20), cal=CAL) is None


def test_ladder_moves_up_three_working_days_after_a_confirmation():
    confirmed = [StepRecord("reminder", "confirmed", date(2025, 3, 6))]  # Thursday
    assert next_level(steps=confirmed, today=date(2025, 3, 10), cal=CAL) is None  # 2 days
    assert next_level(steps=confirmed, today=date(2025, 3, 11), cal=CAL) == "order"
    top = [*confirmed, StepRecord("order", "confirmed", date(2025, 3, 11)),
           StepRecord("notice", "confirmed", date(2025, 3, 14))]  # fmt: skip
    assert next_level(steps=top, today=date(2025, 4, 30), cal=CAL) is None


def test_a_dismissed_step_ends_the_ladder_for_that_cause():
    steps = [StepRecord("reminder", "dismissed", date(2025, 3, 3))]
    assert next_level(steps=steps, today=date(2025, 4, 1), cal=CAL) is None


def test_a_year_without_calendar_data_fails_loudly_and_the_office_table_fixes_it():
    due = date(2027, 3, 10)
    with pytest.raises(CalendarYearMissing, match="2027"):
        light_on(date(2027, 3, 1), deadline(due))
    entered = OfficialCalendar(
        overrides={date(2027, 3, 8): False}, complete_years=frozenset({2027})
    )
    # With 8 March off, the three working days before Wed 10 March are 9, 5 and 4 March.
    verdict = task_light(
        today=date(2027, 3, 4), checkpoints=[deadline(due)], finished=False, cal=entered
    )
    assert verdict.light == "yellow"


# ---------------------------------------------------------------------------------------------
# Through the services, with the application clock


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def task(cast, clock):
    clock.current = at(date(2025, 2, 24))
    (task,) = make_tasks(cast, [(cast.town_a, [cast.town_b])], deadline=MONDAY_DEADLINE)
    return task


def light_after_check(task, clock, day: date) -> str:
    clock.current = at(day, 7)
    services.supervision_run()
    task.refresh_from_db()
    return task.light


@pytest.mark.django_db
def test_task_light_follows_the_clock_across_a_weekend(task, clock):
    assert task.light == Light.GREEN
    assert light_after_check(task, clock, date(2025, 3, 4)) == Light.GREEN
    assert light_after_check(task, clock, date(2025, 3, 5)) == Light.YELLOW
    assert light_after_check(task, clock, date(2025, 3, 8)) == Light.YELLOW
    assert light_after_check(task, clock, date(2025, 3, 11)) == Light.RED
    assert task.status == TaskStatus.LAGGING


@pytest.mark.django_db
def test_task_light_counts_the_tiaoxiu_saturday(cast, clock):
    clock.current = at(date(2025, 1, 20))
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 2, 10))
    assert light_after_check(task, clock, date(2025, 2, 5)) == Light.GREEN
    assert light_after_check(task, clock, date(2025, 2, 6)) == Light.YELLOW


@pytest.mark.django_db
def test_red_turns_green_only_when_the_missed_milestone_is_reported_reached(cast, clock):
    clock.current = at(date(2025, 2, 24))
    (task,) = make_tasks(
        cast,
        [(cast.town_a, [])],
        deadline=date(2025, 3, 31),
        milestones=[{"label": "出台方案", "date": "2025-03-05"}],
    )
    assert light_after_check(task, clock, date(2025, 3, 6)) == Light.RED
    clock.current = at(date(2025, 3, 7), 10)
    services.progress_report(actor=cast.liaison_a, task=task, text="方案已出台", percent=40)
    task.refresh_from_db()
    assert task.light == Light.RED  # a report alone is not catching up
    milestone = Milestone.objects.get(task=task)
    services.progress_report(
        actor=cast.liaison_a, task=task, text="方案已印发", percent=45, milestone_ids=[milestone.pk]
    )
    task.refresh_from_db()
    assert task.light == Light.GREEN
    assert task.status == TaskStatus.IN_PROGRESS


# ---------------------------------------------------------------------------------------------
# The one count (ledger.selectors.light_counts)


@pytest.mark.django_db
def test_finished_tasks_are_counted_apart_in_one_query(cast, clock, django_assert_num_queries):
    from kaimen.ledger import selectors
    from kaimen.ledger.models import Task
    from tests.ledger.ledger_helpers import make_tasks

    clock.current = datetime(2025, 3, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    done, awaiting, late = make_tasks(
        cast, [(cast.town_a, []), (cast.town_a, []), (cast.town_a, [])], deadline=date(2025, 3, 7)
    )
    for task in (done, awaiting):
        services.task_request_closure(actor=cast.liaison_a, task=task, summary="已按要求完成。")
    services.task_accept_closure(actor=cast.office, task=done)
    clock.current = datetime(2025, 3, 12, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    services.supervision_run()
    lit = {t.pk: t.light for t in Task.objects.all()}
    assert (lit[done.pk], lit[awaiting.pk], lit[late.pk]) == (Light.DONE, Light.DONE, Light.RED)
    with django_assert_num_queries(1):
        counts = selectors.light_counts(Task.objects.all())
    assert (counts.red, counts.yellow, counts.green) == (1, 0, 0)
    assert (counts.awaiting, counts.closed, counts.total) == (1, 1, 3)
    assert counts.sentence == (
        "台账任务共3项，其中在办1项（红灯1项、黄灯0项、绿灯0项），已报完成待验收1项，已办结1项。"
    )
