"""Task lights, report due dates and the supervision ladder: pure rules on dates.

No Django here: the services load the tasks and the official calendar and hand plain values in.
The calendar is anything with the four working-day functions of
:class:`kaimen.lib.official_calendar.OfficialCalendar` (tests pass one built by hand).

The light rules follow the practice of the better county supervision systems (督办系统):

* green — on schedule;
* yellow — from ``WARN_WORKDAYS`` working days before an open deadline or milestone;
* red — a deadline or milestone passed without being reached;
* back to green only once the unit has caught up: a red light comes from a missed checkpoint
  that is still open, so it stays red until that milestone is reached or the task is reported
  done — neither a new week nor a weekend turns it green again;
* done — a task the lead unit reported finished (待验收) or the office closed (已办结) has no
  light any more: it is its own state, never counted as green.

This is the one definition every surface counts by (home, ledger list, dashboard, briefing):
a task's stored ``light`` is one of ``LIGHTS``; red, yellow and green are counted over the open
tasks only (未启动, 推进中, 滞后), and the finished ones are counted apart, split into awaiting
acceptance and closed (``kaimen.ledger.selectors.light_counts``). Kaimen has no cancelled
state: a task the office drops is rejected in the draft and never enters the ledger.
"""

from __future__ import annotations

import calendar as _gregorian
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

WARN_WORKDAYS = 3
# Three working days never span more than this many calendar days (the longest statutory break,
# National Day with Mid-Autumn, is eight days plus weekends). A checkpoint further away is green
# without asking the calendar, so a deadline next year does not need next year's schedule — which
# the State Council publishes only in November — until it comes near.
NEAR_DAYS = 30
# A confirmed step that has not worked after this many working days moves one rung up.
ESCALATE_AFTER_WORKDAYS = 3
LADDER = ("reminder", "order", "notice")  # 提醒 → 督办单 → 通报

GREEN, YELLOW, RED, DONE = "green", "yellow", "red", "done"
LIGHTS = (RED, YELLOW, GREEN, DONE)


class WorkdayCalendar(Protocol):
    def is_workday(self, d: date) -> bool: ...

    def add_workdays(self, start: date, n: int) -> date: ...

    def workdays_between(self, a: date, b: date) -> int: ...

    def workdays_before(self, deadline: date, n: int) -> date: ...


@dataclass(frozen=True)
class Checkpoint:
    label: str
    due: date
    reached: bool = False


@dataclass(frozen=True)
class LightVerdict:
    light: str
    reason: str
    missed: tuple[Checkpoint, ...] = ()
    near: tuple[Checkpoint, ...] = ()


def task_light(
    *,
    today: date,
    checkpoints: Sequence[Checkpoint],
    finished: bool,
    cal: WorkdayCalendar,
    warn_workdays: int = WARN_WORKDAYS,
) -> LightVerdict:
    """The light of one task. ``finished``: the unit has reported it done (awaiting the office's
    acceptance, or accepted) — what is left is the office's move, not the unit's: ``DONE``."""
    if finished:
        return LightVerdict(DONE, "已完成，不再亮灯")
    open_points = [c for c in checkpoints if not c.reached]
    missed = tuple(sorted((c for c in open_points if c.due < today), key=lambda c: c.due))
    if missed:
        first = missed[0]
        late = cal.workdays_between(first.due, today)
        return LightVerdict(
            RED,
            f"“{first.label}”应于{first.due:%Y-%m-%d}完成,已逾期{late}个工作日",
            missed=missed,
        )
    near = tuple(
        sorted(
            (
                c
                for c in open_points
                if (c.due - today).days <= NEAR_DAYS
                and today >= cal.workdays_before(c.due, warn_workdays)
            ),
            key=lambda c: c.due,
        )
    )
    if near:
        first = near[0]
        left = cal.workdays_between(today, first.due)
        return LightVerdict(
            YELLOW,
            f"“{first.label}”将于{first.due:%Y-%m-%d}到期,还剩{left}个工作日",
            near=near,
        )
    return LightVerdict(GREEN, "按计划推进")


# ---------------------------------------------------------------------------------------------
# Reports on a cadence

CADENCE_DAYS = {"weekly": 7, "ten_days": 10, "biweekly": 14}


def _add_month(d: date) -> date:
    year, month = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return date(year, month, min(d.day, _gregorian.monthrange(year, month)[1]))


def next_report_due(*, since: date, cadence: str, cal: WorkdayCalendar) -> date:
    """When the next progress report is due: one cadence after ``since`` (the last report, or
    the day the task was published), moved to the next working day when that is a day off."""
    days = CADENCE_DAYS.get(cadence)
    due = _add_month(since) if days is None else since + timedelta(days=days)
    return due if cal.is_workday(due) else cal.add_workdays(due, 1)


# ---------------------------------------------------------------------------------------------
# The ladder


@dataclass(frozen=True)
class StepRecord:
    level: str  # one of LADDER
    state: str  # proposed | confirmed | dismissed | withdrawn
    decided_on: date | None = None


def next_level(
    *,
    steps: Sequence[StepRecord],
    today: date,
    cal: WorkdayCalendar,
    escalate_after: int = ESCALATE_AFTER_WORKDAYS,
) -> str | None:
    """The rung to propose for one cause (a missed report, an overdue task), or None.

    Nothing is proposed while the office has not decided the last proposal; a dismissed step
    ends the ladder for that cause (the office said why); a confirmed step leads to the next
    rung only when the cause persists ``escalate_after`` working days after the decision.
    """
    if not steps:
        return LADDER[0]
    highest = max(steps, key=lambda s: LADDER.index(s.level))
    if highest.state != "confirmed":
        return None
    rung = LADDER.index(highest.level)
    if rung + 1 >= len(LADDER) or highest.decided_on is None:
        return None
    if cal.workdays_between(highest.decided_on, today) < escalate_after:
        return None
    return LADDER[rung + 1]
