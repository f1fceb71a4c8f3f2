"""The ledger's metric providers: what each one counts, read from the tasks, the progress
reports and the audit trail of send-backs — one data point per real thing. (Moved unchanged from
tests/evaluation/test_metric_providers.py with the providers.)"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from kaimen.ledger import metrics
from kaimen.ledger import services as ledger
from kaimen.ledger.metrics import _Report, report_due_points
from kaimen.lib.contracts.metrics import PeriodContext
from kaimen.lib.official_calendar import OfficialCalendar
from tests.evaluation.helpers import TZ, at
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db
D = Decimal
CAL = OfficialCalendar()


def ctx(campaign, units, start=date(2025, 3, 1), end=date(2025, 3, 31), today=date(2025, 4, 2)):
    return PeriodContext(
        campaign=campaign, start=start, end=end, today=today, units={u.pk: u for u in units}
    )


def points(provider, context) -> list[tuple[str, Decimal, Decimal | None, str]]:
    return [(p.unit, p.value, p.target, p.label) for p in provider(context)]


def report(pk: int, day: date, hour: int = 16) -> _Report:
    return _Report(pk, datetime(day.year, day.month, day.day, hour, tzinfo=TZ))


# ---------------------------------------------------------------------------------------------
# Reports on a cadence (pure replay of the ledger's rule)


def test_weekly_reports_on_time_count_100_and_a_missed_one_0():
    # published Monday 3 March: due 10, 17, 24, 31 March
    due = report_due_points(
        published_at=at(date(2025, 3, 3)),
        finished_at=None,
        cadence="weekly",
        reports=[report(1, date(2025, 3, 7)), report(2, date(2025, 3, 14))],
        refused=set(),
        start=date(2025, 3, 1),
        end=date(2025, 3, 31),
        horizon=date(2025, 3, 31),
        cal=CAL,
    )
    # due 10 March (7 March's report) → 14 March (reported) → 21 and 28 March missed
    assert due == [
        (date(2025, 3, 10), True),
        (date(2025, 3, 14), True),
        (date(2025, 3, 21), False),
        (date(2025, 3, 28), False),
    ]


def test_a_late_report_counts_for_the_next_due_date():
    due = report_due_points(
        published_at=at(date(2025, 3, 3)),
        finished_at=None,
        cadence="weekly",
        reports=[report(1, date(2025, 3, 12))],
        refused=set(),
        start=date(2025, 3, 1),
        end=date(2025, 3, 31),
        horizon=date(2025, 3, 18),
        cal=CAL,
    )
    assert due == [(date(2025, 3, 10), False), (date(2025, 3, 17), True)]


def test_a_closure_report_sent_back_is_not_accepted_and_nothing_is_due_after_finishing():
    due = report_due_points(
        published_at=at(date(2025, 3, 3)),
        finished_at=at(date(2025, 3, 19)),
        cadence="weekly",
        reports=[
            report(1, date(2025, 3, 7)),
            report(2, date(2025, 3, 12)),  # a closure request the office sent back
            report(3, date(2025, 3, 19), hour=8),  # the closure requested again
        ],
        refused={2},
        start=date(2025, 3, 1),
        end=date(2025, 3, 31),
        horizon=date(2025, 3, 31),
        cal=CAL,
    )
    assert due == [
        (date(2025, 3, 10), True),
        (date(2025, 3, 14), False),
        (date(2025, 3, 19), True),
    ]


def test_only_due_dates_inside_the_period_count():
    due = report_due_points(
        published_at=at(date(2025, 2, 17)),
        finished_at=None,
        cadence="weekly",
        reports=[report(1, date(2025, 2, 28)), report(2, date(2025, 3, 7))],
        refused=set(),
        start=date(2025, 3, 1),
        end=date(2025, 3, 9),
        horizon=date(2025, 3, 9),
        cal=CAL,
    )
    # 24 February (missed) is outside the period
    assert due == [(date(2025, 3, 3), True), (date(2025, 3, 7), True)]


# ---------------------------------------------------------------------------------------------
# Tasks, from the ledger


@pytest.fixture
def tasks(cast, clock):
    clock.current = at(date(2025, 3, 3))
    made = make_tasks(
        cast,
        [(cast.town_a, []), (cast.town_a, []), (cast.town_a, []), (cast.town_b, [])],
        deadline=date(2025, 3, 14),
    )
    return made


def test_tasks_done_by_their_deadline_count_100(cast, clock, tasks):
    on_time, late, open_, _other = tasks
    clock.current = at(date(2025, 3, 12))
    ledger.task_request_closure(actor=cast.liaison_a, task=on_time, summary="完成")
    clock.current = at(date(2025, 3, 18))
    ledger.task_request_closure(actor=cast.liaison_a, task=late, summary="完成")
    got = points(metrics.tasks_on_time, ctx(on_time.campaign, [cast.town_a]))
    assert [(u, v) for u, v, _t, _l in got] == [
        (str(cast.town_a.pk), D(100)),
        (str(cast.town_a.pk), D(0)),
        (str(cast.town_a.pk), D(0)),
    ]
    assert "按时完成" in got[0][3]
    assert "未按时完成" in got[1][3]


def test_a_task_not_yet_due_does_not_count(cast, clock, tasks):
    context = ctx(tasks[0].campaign, [cast.town_a], today=date(2025, 3, 10))
    assert points(metrics.tasks_on_time, context) == []


def test_tasks_sent_back_are_not_closed_without_rework(cast, clock, tasks):
    first, second, _open, _other = tasks
    clock.current = at(date(2025, 3, 10))
    for task in (first, second):
        ledger.task_request_closure(actor=cast.liaison_a, task=task, summary="完成")
    ledger.task_send_back(actor=cast.office, task=second, reason="材料不全")
    clock.current = at(date(2025, 3, 12))
    ledger.task_request_closure(actor=cast.liaison_a, task=second, summary="已补齐")
    for task in (first, second):
        task.refresh_from_db()
        ledger.task_accept_closure(actor=cast.office, task=task)
    got = points(metrics.closed_without_rework, ctx(first.campaign, [cast.town_a]))
    assert [(v, label.split("（")[1]) for _u, v, _t, label in got] == [
        (D(100), "一次办结）"),
        (D(0), "被退回1次）"),
    ]
    # and the closure report the office sent back was not an accepted report
    due = points(metrics.reports_accepted, ctx(first.campaign, [cast.town_a]))
    second_due = [v for _u, v, _t, label in due if f"任务{second.path} " in label]
    assert second_due == [D(0)]  # due 10 March: its only report was the refused closure


def test_providers_leave_out_units_not_scored(cast, clock, tasks):
    clock.current = at(date(2025, 3, 12))
    ledger.task_request_closure(actor=cast.liaison_b, task=tasks[3], summary="完成")
    got = points(metrics.tasks_on_time, ctx(tasks[0].campaign, [cast.town_b]))
    assert [u for u, *_ in got] == [str(cast.town_b.pk)]
