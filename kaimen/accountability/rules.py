"""The accountability ladder: rules that propose 提醒 → 督办 → 约谈 → 通报 → 问责建议.

The speech wants "严肃问责"; the 减负 rules warn against accountability applied loosely or
mechanically (问责泛化、简单化). So these rules only *propose*: each proposal carries the facts
that triggered it, the caller records it, and a person confirms or dismisses it with a reason.
Nothing here applies a step.

The ladder is climbed one rung at a time: a proposal is never more than one step above the
highest step already confirmed for the same unit and matter, whatever the rule would justify,
and a further step needs new evidence after the last confirmation (another red period, another
missed report, more working days overdue) — a step just confirmed must have time to work.

A 督办单 issued in the ledger is itself a confirmed 督办: a person issued it. So a task still
overdue past its 督办单 leads to a proposal of 约谈. A task overdue (its deadline or a milestone
passed) without a 督办单 starts the ladder at 提醒 and goes a step up when it stays overdue the
rules' working days after the last confirmed step.

Pure Python; dates are the campaign's local dates, working days on the official calendar.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kaimen.lib.errors import ValidationError
from kaimen.lib.text import chinese_date
from kaimen.lib.workdays import Overrides, workdays_between


class Step(StrEnum):
    REMIND = "remind"
    SUPERVISE = "supervise"
    INTERVIEW = "interview"
    NOTIFY = "notify"
    ACCOUNTABILITY = "accountability"

    @property
    def label(self) -> str:
        return {
            Step.REMIND: "提醒",
            Step.SUPERVISE: "督办",
            Step.INTERVIEW: "约谈",
            Step.NOTIFY: "通报",
            Step.ACCOUNTABILITY: "问责建议",
        }[self]

    @property
    def level(self) -> int:
        return LADDER.index(self)

    @property
    def next(self) -> Step | None:
        i = self.level + 1
        return LADDER[i] if i < len(LADDER) else None


LADDER: tuple[Step, ...] = (
    Step.REMIND,
    Step.SUPERVISE,
    Step.INTERVIEW,
    Step.NOTIFY,
    Step.ACCOUNTABILITY,
)


class Rule(StrEnum):
    RED_STREAK = "red_streak"
    OVERDUE_PAST_ORDER = "overdue_past_order"
    MISSED_REPORTS = "missed_reports"
    OVERDUE = "overdue"

    @property
    def label(self) -> str:
        return {
            Rule.RED_STREAK: "连续亮红灯",
            Rule.OVERDUE_PAST_ORDER: "超过督办时限仍未办结",
            Rule.MISSED_REPORTS: "多次未按时报送进展",
            Rule.OVERDUE: "任务逾期未完成",
        }[self]


@dataclass(frozen=True)
class Rules:
    red_periods: int = 3  # consecutive red periods that start the ladder
    red_periods_to_escalate: int = 1  # further red periods after a confirmed step
    overdue_workdays_to_escalate: int = 5  # working days still overdue after a confirmed step
    missed_reports: int = 2  # missed progress reports that start the ladder
    missed_reports_to_escalate: int = 1  # further missed reports after a confirmed step
    highest_step: Step = Step.ACCOUNTABILITY  # the rules never propose beyond this

    def __post_init__(self) -> None:
        object.__setattr__(self, "highest_step", Step(self.highest_step))
        for name in (
            "red_periods",
            "red_periods_to_escalate",
            "overdue_workdays_to_escalate",
            "missed_reports",
            "missed_reports_to_escalate",
        ):
            if getattr(self, name) < 1:
                raise ValidationError(f"问责规则参数{name}应至少为1。", field=name)


@dataclass(frozen=True)
class LightEntry:
    period: str  # "2025年1-2月"
    published_on: date
    light: str | None  # "green" | "yellow" | "red" (monitoring.Light compares equal) or None


@dataclass(frozen=True)
class LightHistory:
    unit: str
    unit_name: str
    indicator: str
    indicator_name: str
    entries: tuple[LightEntry, ...]  # oldest first


@dataclass(frozen=True)
class TaskRecord:
    unit: str
    unit_name: str
    task: str
    title: str
    deadline: date
    completed_on: date | None = None
    order_issued_on: date | None = None  # 督办单 issued
    order_due: date | None = None  # the date the 督办单 required the task done by
    overdue_since: date | None = None  # without a 督办单: the first missed deadline or milestone
    overdue_what: str = ""  # what was missed then, in words


@dataclass(frozen=True)
class ReportRecord:
    unit: str
    unit_name: str
    task: str
    title: str
    due: date
    submitted_on: date | None = None


@dataclass(frozen=True)
class ConfirmedStep:
    unit: str
    subject: str  # "indicator:<code>", "task:<id>", "reports"
    step: Step
    confirmed_on: date


@dataclass(frozen=True)
class Proposal:
    key: str  # stable for the same evidence, so a dismissed proposal is not proposed again
    rule: Rule
    unit: str
    unit_name: str
    subject: str
    subject_label: str
    step: Step
    after: Step | None  # the highest step confirmed so far for this unit and matter
    facts: tuple[str, ...]
    text: str


def _highest(confirmed: Iterable[ConfirmedStep]) -> ConfirmedStep | None:
    best: ConfirmedStep | None = None
    for c in confirmed:
        step = Step(c.step)
        if (
            best is None
            or step.level > Step(best.step).level
            or (step == best.step and c.confirmed_on > best.confirmed_on)
        ):
            best = c
    return best


def _propose(
    *,
    rule: Rule,
    rules: Rules,
    unit: str,
    unit_name: str,
    subject: str,
    subject_label: str,
    trigger_facts: list[str],
    latest_evidence: date,
    confirmed: Sequence[ConfirmedStep],
    ready_after: Callable[[date], tuple[bool, str]],
    dismissed: Collection[str],
) -> Proposal | None:
    """The next rung for one unit and matter, or None.

    ``ready_after(d)`` says whether there is enough new evidence since a step confirmed on
    ``d``, and describes it.
    """
    last = _highest(confirmed)
    facts = list(trigger_facts)
    if last is None:
        step = LADDER[0]
        facts.append(f"此前未确认过任何步骤，按程序从第一步“{step.label}”开始，不越级。")
    else:
        last_step = Step(last.step)
        if last_step.level >= rules.highest_step.level or last_step.next is None:
            return None
        ready, evidence = ready_after(last.confirmed_on)
        if not ready:
            return None
        step = last_step.next
        facts.append(
            f"此前已确认的最高一步为“{last_step.label}”（{chinese_date(last.confirmed_on)}确认），"
            f"{evidence}，按程序提出下一步“{step.label}”。"
        )
    key = f"{rule.value}|{unit}|{subject}|{step.value}|{latest_evidence.isoformat()}"
    if key in dismissed:
        return None
    text = (
        f"建议对{unit_name}就{subject_label}采取“{step.label}”（规则：{rule.label}）。"
        "本建议须经调度办负责人确认后方可执行。"
    )
    return Proposal(
        key=key,
        rule=rule,
        unit=unit,
        unit_name=unit_name,
        subject=subject,
        subject_label=subject_label,
        step=step,
        after=None if last is None else Step(last.step),
        facts=tuple(facts),
        text=text,
    )


def _confirmed_for(
    confirmed: Iterable[ConfirmedStep], unit: str, subject: str
) -> list[ConfirmedStep]:
    return [c for c in confirmed if c.unit == unit and c.subject == subject]


def _overdue(
    task: TaskRecord,
    *,
    today: date,
    rules: Rules,
    confirmed: Sequence[ConfirmedStep],
    dismissed: Collection[str],
    overrides: Overrides | None,
    complete_years: Collection[int],
) -> Proposal | None:
    """A task overdue without a 督办单: from 提醒, one rung per stretch of working days."""
    since = task.overdue_since
    if since is None or today <= since:
        return None
    subject = f"task:{task.task}"
    late = workdays_between(since, today, overrides, complete_years=complete_years)
    what = task.overdue_what or f"完成时限{chinese_date(task.deadline)}"
    facts = [
        f"任务“{task.title}”{what}已过，截至{chinese_date(today)}仍未完成，已逾期{late}个工作日。"
    ]

    def ready(d: date) -> tuple[bool, str]:
        days = workdays_between(d, today, overrides, complete_years=complete_years)
        return (
            days >= rules.overdue_workdays_to_escalate,
            f"确认后又过了{days}个工作日仍未完成（规则为{rules.overdue_workdays_to_escalate}个工作日）",
        )

    return _propose(
        rule=Rule.OVERDUE,
        rules=rules,
        unit=task.unit,
        unit_name=task.unit_name,
        subject=subject,
        subject_label=f"任务“{task.title}”",
        trigger_facts=facts,
        latest_evidence=since,
        confirmed=_confirmed_for(confirmed, task.unit, subject),
        ready_after=ready,
        dismissed=dismissed,
    )


def propose_steps(
    *,
    today: date,
    lights: Iterable[LightHistory] = (),
    tasks: Iterable[TaskRecord] = (),
    reports: Iterable[ReportRecord] = (),
    confirmed: Iterable[ConfirmedStep] = (),
    dismissed: Collection[str] = (),
    rules: Rules | None = None,
    overrides: Overrides | None = None,
    complete_years: Collection[int] = (),
) -> tuple[Proposal, ...]:
    """Proposals from the histories, highest step first; nothing is applied.

    ``confirmed`` is every step a person has confirmed so far; ``dismissed`` the keys of
    proposals a person dismissed (they are not proposed again on the same evidence).
    """
    rules = rules or Rules()
    confirmed = list(confirmed)
    proposals: list[Proposal] = []

    for history in lights:
        streak: list[LightEntry] = []
        for entry in reversed(history.entries):
            if entry.light != "red":
                break
            streak.append(entry)
        streak.reverse()
        if len(streak) < rules.red_periods:
            continue
        subject = f"indicator:{history.indicator}"
        periods = "、".join(e.period for e in streak)
        facts = [
            f"“{history.indicator_name}”已连续{len(streak)}期亮红灯（{periods}），"
            f"规则为连续{rules.red_periods}期红灯即启动问责程序。"
        ]

        def red_ready(d: date, streak: list[LightEntry] = streak) -> tuple[bool, str]:
            new = [e for e in streak if e.published_on > d]
            return (
                len(new) >= rules.red_periods_to_escalate,
                f"其后又有{len(new)}期红灯（{'、'.join(e.period for e in new) or '无'}）",
            )

        proposal = _propose(
            rule=Rule.RED_STREAK,
            rules=rules,
            unit=history.unit,
            unit_name=history.unit_name,
            subject=subject,
            subject_label=f"指标“{history.indicator_name}”",
            trigger_facts=facts,
            latest_evidence=max(e.published_on for e in streak),
            confirmed=_confirmed_for(confirmed, history.unit, subject),
            ready_after=red_ready,
            dismissed=dismissed,
        )
        if proposal:
            proposals.append(proposal)

    for task in tasks:
        if task.completed_on is not None:
            continue
        if task.order_due is None:
            proposal = _overdue(
                task,
                today=today,
                rules=rules,
                confirmed=confirmed,
                dismissed=dismissed,
                overrides=overrides,
                complete_years=complete_years,
            )
            if proposal:
                proposals.append(proposal)
            continue
        if today <= task.order_due:
            continue
        subject = f"task:{task.task}"
        order_due = task.order_due
        overdue = workdays_between(order_due, today, overrides, complete_years=complete_years)
        issued = task.order_issued_on or order_due
        facts = [
            f"任务“{task.title}”完成时限为{chinese_date(task.deadline)}，督办单（{chinese_date(issued)}下发）"
            f"要求{chinese_date(order_due)}前办结，截至{chinese_date(today)}仍未办结，已超过督办时限"
            f"{overdue}个工作日。"
        ]
        # The 督办单 is a 督办 a person issued: it counts as confirmed.
        implied = ConfirmedStep(task.unit, subject, Step.SUPERVISE, issued)

        def overdue_ready(d: date, order_due: date = order_due) -> tuple[bool, str]:
            if d <= order_due:
                return True, f"督办时限{chinese_date(order_due)}已过仍未办结"
            days = workdays_between(d, today, overrides, complete_years=complete_years)
            return (
                days >= rules.overdue_workdays_to_escalate,
                f"确认后又过了{days}个工作日仍未办结（规则为{rules.overdue_workdays_to_escalate}个工作日）",
            )

        proposal = _propose(
            rule=Rule.OVERDUE_PAST_ORDER,
            rules=rules,
            unit=task.unit,
            unit_name=task.unit_name,
            subject=subject,
            subject_label=f"任务“{task.title}”",
            trigger_facts=facts,
            latest_evidence=today,
            confirmed=[*_confirmed_for(confirmed, task.unit, subject), implied],
            ready_after=overdue_ready,
            dismissed=dismissed,
        )
        if proposal:
            proposals.append(proposal)

    missed_by_unit: dict[str, list[ReportRecord]] = {}
    for report in reports:
        if report.due < today and (report.submitted_on is None or report.submitted_on > report.due):
            missed_by_unit.setdefault(report.unit, []).append(report)
    for unit, missed in missed_by_unit.items():
        if len(missed) < rules.missed_reports:
            continue
        missed.sort(key=lambda r: r.due)
        listed = "、".join(f"“{r.title}”（应于{chinese_date(r.due)}前报送）" for r in missed)
        facts = [
            f"已有{len(missed)}次未按时报送进展：{listed}；规则为{rules.missed_reports}次未按时报送即启动问责程序。"
        ]

        def missed_ready(d: date, missed: list[ReportRecord] = missed) -> tuple[bool, str]:
            new = [r for r in missed if r.due > d]
            return (
                len(new) >= rules.missed_reports_to_escalate,
                f"其后又有{len(new)}次未按时报送",
            )

        proposal = _propose(
            rule=Rule.MISSED_REPORTS,
            rules=rules,
            unit=unit,
            unit_name=missed[0].unit_name,
            subject="reports",
            subject_label="进展报送",
            trigger_facts=facts,
            latest_evidence=missed[-1].due,
            confirmed=_confirmed_for(confirmed, unit, "reports"),
            ready_after=missed_ready,
            dismissed=dismissed,
        )
        if proposal:
            proposals.append(proposal)

    proposals.sort(key=lambda p: (-p.step.level, p.unit, p.subject))
    return tuple(proposals)
