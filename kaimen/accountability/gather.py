"""What the rules are run on: the facts the apps registered in
``kaimen.lib.contracts.escalation``, each lapse once, turned into the plain records of
``kaimen.accountability.rules``; and the steps already confirmed, from the step readers.

Reads only, and only the registry: this module knows no app's tables. The proposer
(``services.propose``) calls :func:`gather` and stores what the rules propose.

Choices made here, each for a reason:

* One lapse is one fact (deduplicated by its lapse key), so the same missed report never counts
  twice, whichever app reports it and however many weeks it stays missed.
* The matters: a unit's missed reports are one matter ("reports") for the unit, as the rules
  count them together; an overdue task or milestone is a matter of its task ("task:<id>"); a red
  light one of its indicator row ("indicator:<code>[@<row unit>]").
* A 督办单 of the ledger's former ladder is a 督办 a person issued. The ledger records when it
  was issued, not a date by which it must be done; the campaign's rule settings give it
  ``order_limit_workdays`` working days (or until the task's own deadline, if later).
* The lights of a year belong to one campaign, the latest active one of that year, so two
  campaigns of one year never both propose on the same red light.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kaimen.accountability.rules import (
    ConfirmedStep,
    LightEntry,
    LightHistory,
    ReportRecord,
    Step,
    TaskRecord,
)
from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.lib.contracts import escalation
from kaimen.lib.contracts.escalation import Fact, StepQuery, Window
from kaimen.lib.official_calendar import OfficialCalendar

REPORTS = "reports"
TASK_KINDS = (escalation.OVERDUE_TASK, escalation.MISSED_MILESTONE)


@dataclass(frozen=True)
class Matter:
    """What a proposal concerns, beyond the rules' strings: the rows it points at."""

    kind: str  # "indicator" | "task" | "reports"
    indicator_id: int | None = None
    target_id: int | None = None
    task_id: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass
class Inputs:
    lights: list[LightHistory] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    reports: list[ReportRecord] = field(default_factory=list)
    confirmed: list[ConfirmedStep] = field(default_factory=list)
    matters: dict[tuple[str, str], Matter] = field(default_factory=dict)  # (unit, subject)
    facts: list[Fact] = field(default_factory=list)


def matter_of(kind: str, subject: str) -> str:
    """The rules' matter of a fact or a confirmed step of this kind about ``subject``."""
    return REPORTS if kind == escalation.MISSED_REPORT else subject


def light_campaign_ids() -> dict[int, int]:
    """{year: campaign id}: the latest active campaign of each year answers for its lights."""
    chosen: dict[int, int] = {}
    for pk, year in (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE)
        .order_by("start", "pk")
        .values_list("pk", "year")
    ):
        chosen[year] = pk
    return chosen


def gather(
    *, campaign: Campaign, today: date, cal: OfficialCalendar, order_limit_workdays: int
) -> Inputs:
    window = Window(
        campaign_id=campaign.pk,
        year=campaign.year,
        today=today,
        calendar=cal,
        year_facts=light_campaign_ids().get(campaign.year) == campaign.pk,
    )
    inputs = Inputs(facts=escalation.facts(window))
    for step in escalation.confirmed_steps(StepQuery(campaign_id=campaign.pk)):
        if step.step in Step._value2member_map_:
            inputs.confirmed.append(
                ConfirmedStep(
                    str(step.unit),
                    matter_of(step.kind, step.subject),
                    Step(step.step),
                    step.confirmed_on,
                )
            )
    by_kind: dict[str, list[Fact]] = defaultdict(list)
    for fact in inputs.facts:
        by_kind[fact.kind].append(fact)
    _reports(inputs, by_kind[escalation.MISSED_REPORT])
    _tasks(inputs, [f for k in TASK_KINDS for f in by_kind[k]], cal, order_limit_workdays)
    _lights(inputs, by_kind[escalation.RED_LIGHT])
    return inputs


def _reports(inputs: Inputs, facts: list[Fact]) -> None:
    missed: dict[str, list[Fact]] = defaultdict(list)
    for f in sorted(facts, key=lambda f: (f.on, f.lapse)):
        unit = str(f.unit)
        inputs.reports.append(
            ReportRecord(
                unit=unit,
                unit_name=f.unit_name,
                task=str(f.refs.get("task", f.subject)),
                title=str(f.evidence.get("title", f.subject_label)),
                due=f.on,
                submitted_on=f.until,
            )
        )
        missed[unit].append(f)
    for unit, rows in missed.items():
        inputs.matters[(unit, REPORTS)] = Matter(
            "reports",
            evidence={
                "missed": [
                    {
                        "task_id": f.refs.get("task"),
                        "path": f.evidence.get("path", ""),
                        "due": f.on.isoformat(),
                        "submitted_on": f.until.isoformat() if f.until else None,
                    }
                    for f in rows
                ],
                "lapses": [f.lapse for f in rows],
            },
        )


def _tasks(inputs: Inputs, facts: list[Fact], cal: OfficialCalendar, order_limit: int) -> None:
    by_subject: dict[tuple[int, str], list[Fact]] = defaultdict(list)
    for f in facts:
        by_subject[(f.unit, f.subject)].append(f)
    for (unit_id, subject), rows in by_subject.items():
        rows.sort(key=lambda f: (f.on, f.lapse))
        first = rows[0]
        unit = str(unit_id)
        evidence = dict(first.evidence)
        deadline = date.fromisoformat(evidence["deadline"])
        issued = evidence.get("order_issued_on")
        order_issued = date.fromisoformat(issued) if issued else None
        order_due = (
            max(deadline, cal.add_workdays(order_issued, order_limit)) if order_issued else None
        )
        what = (
            f"节点“{first.evidence['milestone']}”（{first.on:%Y-%m-%d}）"
            if first.kind == escalation.MISSED_MILESTONE
            else ""
        )
        inputs.tasks.append(
            TaskRecord(
                unit=unit,
                unit_name=first.unit_name,
                task=subject.removeprefix("task:"),
                title=str(evidence.get("title", "")),
                deadline=deadline,
                order_issued_on=order_issued,
                order_due=order_due,
                overdue_since=first.on,
                overdue_what=what,
            )
        )
        inputs.matters[(unit, subject)] = Matter(
            "task",
            task_id=first.refs.get("task"),
            evidence={
                "path": evidence.get("path", ""),
                "deadline": deadline.isoformat(),
                "order_issued_on": issued,
                "order_due": order_due.isoformat() if order_due else None,
                "completed_on": None,
                "lapses": [f.lapse for f in rows],
            },
        )


def _lights(inputs: Inputs, facts: list[Fact]) -> None:
    by_subject: dict[tuple[int, str], list[Fact]] = defaultdict(list)
    for f in facts:
        by_subject[(f.unit, f.subject)].append(f)
    for (unit_id, subject), rows in by_subject.items():
        rows.sort(key=lambda f: (f.on, f.lapse))
        first = rows[0]
        unit = str(unit_id)
        inputs.lights.append(
            LightHistory(
                unit,
                first.unit_name,
                subject.removeprefix("indicator:"),
                str(first.evidence.get("indicator_name", first.subject_label)),
                tuple(LightEntry(str(f.evidence.get("period", "")), f.on, "red") for f in rows),
            )
        )
        inputs.matters[(unit, subject)] = Matter(
            "indicator",
            indicator_id=first.refs.get("indicator"),
            target_id=first.refs.get("target"),
            evidence={
                "year": first.evidence.get("year"),
                "lights": list(first.evidence.get("lights", [])),
                "lapses": [f.lapse for f in rows],
            },
        )
