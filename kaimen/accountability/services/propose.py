"""The proposer: gather the facts, run the rules, store what they propose. Nothing is applied.

Run every morning on working days by huey (``tasks.daily_proposals``), by the office from the
queue page, or as ``kaimen accountability propose [--campaign ID]``. Idempotent: the rules' key
is stable for the same evidence and unique per campaign, and a unit and matter never has two
open proposals, so a second run on the same data stores nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from kaimen.accountability.gather import REPORTS, Matter, gather
from kaimen.accountability.models import (
    MatterKind,
    Proposal,
    ProposerRun,
    RuleChoice,
    RuleSettings,
    RunStatus,
    Status,
)
from kaimen.accountability.rules import Rules, propose_steps
from kaimen.audit.models import Outcome
from kaimen.audit.services import record
from kaimen.campaigns import selectors as campaign_selectors
from kaimen.campaigns.models import Campaign
from kaimen.lib import clock, official_calendar
from kaimen.lib.official_calendar import OfficialCalendar
from kaimen.lib.workdays import CalendarYearMissing
from kaimen.org import scope
from kaimen.org.scope import Perm

logger = logging.getLogger(__name__)

DEFAULT_ORDER_LIMIT_WORKDAYS = 5
WITHDRAWN_REASON = (
    "规则复核时已不再触发（如指标已转灯、任务已办结，或规则已调整），建议自动撤回，无需处理。"
)


@dataclass(frozen=True)
class CampaignOutcome:
    campaign_id: int
    proposed: int
    withdrawn: int
    withdrawn_ids: tuple[int, ...] = ()


def rules_for(campaign: Campaign) -> tuple[Rules, int]:
    """The campaign's rules and the working days a 督办单 gives, or the defaults."""
    row = RuleSettings.objects.filter(campaign=campaign).first()
    if row is None:
        return Rules(), DEFAULT_ORDER_LIMIT_WORKDAYS
    return row.rules(), row.order_limit_workdays


def _matter_kind(subject: str) -> str:
    if subject == REPORTS:
        return MatterKind.REPORTS
    return MatterKind.TASK if subject.startswith("task:") else MatterKind.INDICATOR


def _dismissal_holds(
    existing: list[Proposal], *, today: date, cal: OfficialCalendar, rules: Rules
) -> set[tuple[int, str, str]]:
    """(unit, matter, step) an overdue-task proposal was recently dismissed for.

    The rules date an overdue task's evidence by the day they run, so the same facts would come
    back the next morning; a dismissal holds until the task has stayed overdue for as many
    further working days as the rules ask before going a step up.
    """
    holds: set[tuple[int, str, str]] = set()
    for p in existing:
        if p.status != Status.DISMISSED or p.rule != RuleChoice.OVERDUE_PAST_ORDER:
            continue
        days = cal.workdays_between(timezone.localdate(p.decided_at), today)
        if days < rules.overdue_workdays_to_escalate:
            holds.add((p.unit_id, p.subject, p.step))
    return holds


def _propose_for(campaign: Campaign, *, today: date, cal: OfficialCalendar) -> CampaignOutcome:
    rules, order_limit = rules_for(campaign)
    inputs = gather(campaign=campaign, today=today, cal=cal, order_limit_workdays=order_limit)
    existing = list(Proposal.objects.filter(campaign=campaign).order_by("pk"))
    # The confirmed steps come from the step readers: these proposals once confirmed, and the
    # ledger's supervision records from before the one ladder.
    proposals = propose_steps(
        today=today,
        lights=inputs.lights,
        tasks=inputs.tasks,
        reports=inputs.reports,
        confirmed=inputs.confirmed,
        dismissed={p.key for p in existing if p.status == Status.DISMISSED},
        rules=rules,
        overrides=cal.overrides,
        complete_years=cal.complete_years,
    )
    keys = {p.key for p in existing}
    open_by_matter = {(p.unit_id, p.subject): p for p in existing if p.status == Status.PROPOSED}
    holds = _dismissal_holds(existing, today=today, cal=cal, rules=rules)
    now = clock.now()
    live: set[tuple[int, str]] = set()
    new: list[Proposal] = []
    added: set[tuple[int, str]] = set()  # one proposal per unit and matter, the highest step
    for p in proposals:
        unit_id = int(p.unit)
        live.add((unit_id, p.subject))
        if (
            p.key in keys
            or (unit_id, p.subject) in open_by_matter
            or (unit_id, p.subject, p.step.value) in holds
            or (unit_id, p.subject) in added
        ):
            continue
        added.add((unit_id, p.subject))
        matter = inputs.matters.get((p.unit, p.subject)) or Matter(_matter_kind(p.subject))
        new.append(
            Proposal(
                campaign=campaign,
                unit_id=unit_id,
                rule=p.rule.value,
                step=p.step.value,
                after_step=p.after.value if p.after else "",
                matter_kind=_matter_kind(p.subject),
                subject=p.subject[:120],
                matter=p.subject_label[:300],
                indicator_id=matter.indicator_id,
                target_id=matter.target_id,
                task_id=matter.task_id,
                key=p.key[:200],
                facts=list(p.facts),
                text=p.text,
                evidence=matter.evidence,
                proposed_at=now,
            )
        )
    # An open proposal whose rule no longer fires (the light turned, the task was done) is
    # withdrawn, so the office's queue holds only what still needs a decision.
    stale = [p.pk for matter, p in open_by_matter.items() if matter not in live]
    if stale:
        Proposal.objects.filter(pk__in=stale, status=Status.PROPOSED).update(
            status=Status.WITHDRAWN, decided_at=now, decision_reason=WITHDRAWN_REASON
        )
    # ignore_conflicts: a run racing this one finds the same rows already stored.
    Proposal.objects.bulk_create(new, ignore_conflicts=True)
    return CampaignOutcome(campaign.pk, len(new), len(stale), tuple(stale))


def proposals_run(
    *,
    actor=None,
    campaign: Campaign | None = None,
    today: date | None = None,
    workdays_only: bool = False,
) -> ProposerRun:
    """Run the rules for one campaign, or every running one, and store the new proposals.

    The daily job passes ``workdays_only``: on a day off of the official calendar it records a
    skipped run and proposes nothing. A year without calendar data fails loudly: logged as an
    error, recorded as a failed run the office sees, and audited — never half-stored.
    """
    if actor is not None:
        scope.require(actor, Perm.ACCOUNTABILITY_DECIDE)
    today = today or clock.today()
    campaigns = [campaign] if campaign is not None else list(campaign_selectors.active_campaigns())
    audit_actor = {"actor": actor, "actor_name": None if actor else "system"}
    try:
        cal = official_calendar.load()
        cal.require_year(today.year)
        workday = cal.is_workday(today)
        with transaction.atomic():
            outcomes: list[CampaignOutcome] = []
            if workday or not workdays_only:
                outcomes = [_propose_for(c, today=today, cal=cal) for c in campaigns]
            run = ProposerRun.objects.create(
                day=today,
                campaign=campaign,
                status=RunStatus.OK if workday or not workdays_only else RunStatus.SKIPPED,
                proposed=sum(o.proposed for o in outcomes),
                withdrawn=sum(o.withdrawn for o in outcomes),
                at=clock.now(),
            )
            record(
                **audit_actor,
                action="accountability.propose.run",
                obj=run,
                after={
                    "day": today.isoformat(),
                    "workday": workday,
                    "campaigns": [
                        {
                            "id": o.campaign_id,
                            "proposed": o.proposed,
                            "withdrawn": o.withdrawn,
                            "withdrawn_ids": list(o.withdrawn_ids),
                        }
                        for o in outcomes
                    ],
                    "proposed": run.proposed,
                    "withdrawn": run.withdrawn,
                },
            )
        return run
    except CalendarYearMissing as exc:
        logger.error("accountability proposer of %s failed: %s", today, exc.message)
        with transaction.atomic():
            run = ProposerRun.objects.create(
                day=today,
                campaign=campaign,
                status=RunStatus.FAILED,
                message=exc.message[:500],
                at=clock.now(),
            )
            record(
                **audit_actor,
                action="accountability.propose.run",
                obj=run,
                outcome=Outcome.FAILURE,
                message=exc.message[:300],
            )
        return run
