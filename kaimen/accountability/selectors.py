"""Reads of the accountability record, already narrowed to what the user may see.

Leaders and the office read every unit's record; a liaison or member reads only its own unit's
(``Perm.ACCOUNTABILITY_VIEW``); the administrators (三员) read none. ``open_proposal_count`` and
``recent_confirmed`` are what the dashboard and the weekly briefing take from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from kaimen.accountability.models import (
    Attachment,
    Explanation,
    Proposal,
    ProposerRun,
    RuleChoice,
    RuleSettings,
    Status,
    StepChoice,
)
from kaimen.accountability.rules import LADDER, Rule, Step
from kaimen.campaigns import selectors as campaigns
from kaimen.campaigns.models import Campaign
from kaimen.lib.errors import NotFound
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm


def _step_rank() -> Case:
    return Case(
        *(When(step=step.value, then=Value(i)) for i, step in enumerate(LADDER)),
        default=Value(0),
        output_field=IntegerField(),
    )


def _with_details(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    explanations = Explanation.objects.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    return qs.select_related("unit", "campaign", "decided_by", "task").prefetch_related(
        Prefetch("explanations", queryset=explanations.order_by("created_at", "pk"))
    )


def shown_to(user, qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """A proposal is shown to the unit concerned only once a person has confirmed it: those who
    do not decide (a unit's liaison or member) see confirmed proposals only — nothing of one
    still awaiting a decision, dismissed, or withdrawn."""
    if scope.can(user, Perm.ACCOUNTABILITY_DECIDE):
        return qs
    return qs.filter(status=Status.CONFIRMED)


def _visible(user) -> QuerySet[Proposal]:
    scope.require(user, Perm.ACCOUNTABILITY_VIEW)
    return shown_to(user, scope.filter_by_unit(user, Proposal.objects.all(), unit_field="unit"))


@dataclass(frozen=True)
class RecordFilters:
    campaign_id: int | None = None
    unit_id: int | None = None
    step: str = ""
    status: str = ""
    rule: str = ""
    date_from: date | None = None  # on the decision day, or the proposal day while open
    date_to: date | None = None


def proposal_list_for_user(*, user, filters: RecordFilters | None = None) -> QuerySet[Proposal]:
    """The record as the user may see it, newest first, filtered."""
    f = filters or RecordFilters()
    qs = _visible(user).annotate(on=Coalesce("decided_at", "proposed_at"))
    if f.campaign_id:
        qs = qs.filter(campaign_id=f.campaign_id)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.step in StepChoice.values:
        qs = qs.filter(step=f.step)
    if f.status in Status.values:
        qs = qs.filter(status=f.status)
    if f.rule in RuleChoice.values:
        qs = qs.filter(rule=f.rule)
    if f.date_from:
        qs = qs.filter(on__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(on__date__lte=f.date_to)
    return _with_details(qs).order_by("-on", "-pk")


def proposal_queue(*, user, campaign_id: int | None = None) -> QuerySet[Proposal]:
    """The open proposals for the people who decide them, highest step first."""
    scope.require(user, Perm.ACCOUNTABILITY_DECIDE)
    qs = Proposal.objects.filter(status=Status.PROPOSED)
    if campaign_id:
        qs = qs.filter(campaign_id=campaign_id)
    return _with_details(qs).annotate(rank=_step_rank()).order_by("-rank", "proposed_at", "pk")


def proposal_get_for_user(*, user, proposal_id: int) -> Proposal:
    """One proposal, or NotFound; PermissionDenied (audited) when it concerns another unit."""
    try:
        proposal = _with_details(Proposal.objects.all()).get(pk=proposal_id)
    except Proposal.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.ACCOUNTABILITY_VIEW, proposal.unit_id)
    if not shown_to(user, Proposal.objects.filter(pk=proposal.pk)).exists():
        raise NotFound()
    return proposal


@dataclass
class UnitRecord:
    unit: Unit
    open: list[Proposal]
    decided: list[Proposal]
    counts: dict[str, int]


def unit_record_for_user(*, user, unit_id: int) -> UnitRecord:
    """A unit's own record: what is proposed about it, what was decided, its explanations."""
    try:
        unit = Unit.objects.get(pk=unit_id)
    except Unit.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.ACCOUNTABILITY_VIEW, unit.pk)
    proposals = list(
        _with_details(shown_to(user, Proposal.objects.filter(unit=unit))).order_by(
            "-proposed_at", "-pk"
        )
    )
    counts = {
        "open": sum(1 for p in proposals if p.status == Status.PROPOSED),
        "confirmed": sum(1 for p in proposals if p.status == Status.CONFIRMED),
        "dismissed": sum(1 for p in proposals if p.status == Status.DISMISSED),
    }
    return UnitRecord(
        unit=unit,
        open=[p for p in proposals if p.status == Status.PROPOSED],
        decided=[p for p in proposals if p.status != Status.PROPOSED],
        counts=counts,
    )


def own_unit_ids(user) -> list[int]:
    """The units whose record is the user's own (a liaison's or member's units)."""
    return sorted(scope.scope_for(user).own_unit_ids)


def attachment_get_for_user(*, user, attachment_id: int) -> Attachment:
    try:
        attachment = Attachment.objects.select_related("explanation__proposal").get(
            pk=attachment_id
        )
    except Attachment.DoesNotExist as exc:
        raise NotFound() from exc
    proposal = attachment.explanation.proposal
    scope.require(user, Perm.ACCOUNTABILITY_VIEW, proposal.unit_id)
    if not shown_to(user, Proposal.objects.filter(pk=proposal.pk)).exists():
        raise NotFound()
    return attachment


def campaign_choices() -> QuerySet[Campaign]:
    return campaigns.campaign_list()


def campaign_get(*, campaign_id: int) -> Campaign:
    return campaigns.campaign_get(campaign_id=campaign_id)


def rules_get(*, campaign: Campaign) -> RuleSettings | None:
    return RuleSettings.objects.filter(campaign=campaign).select_related("updated_by").first()


def last_run() -> ProposerRun | None:
    return ProposerRun.objects.order_by("-at", "-pk").first()


# ---------------------------------------------------------------------------------------------
# For the dashboard and the weekly briefing


def open_proposal_count(user) -> int:
    """Open proposals the user may see: every unit's for leaders and the office; none for a
    liaison or member (shown only once confirmed) or the administrators."""
    if not scope.can(user, Perm.ACCOUNTABILITY_VIEW):
        return 0
    if not scope.can(user, Perm.ACCOUNTABILITY_DECIDE):
        return 0  # an open proposal is not shown to the unit before a person confirms it
    visible = scope.filter_by_unit(user, Proposal.objects.all(), unit_field="unit")
    return visible.filter(status=Status.PROPOSED).count()


@dataclass(frozen=True)
class ConfirmedRow:
    unit: str
    step: str  # "约谈"
    rule: str  # "超过督办时限仍未办结"
    matter: str  # "任务“梳理首发经济品牌清单”"
    decided_on: date


def recent_confirmed(campaign: Campaign, limit: int = 10) -> list[ConfirmedRow]:
    """The campaign's latest confirmed steps, newest first, as plain rows in Chinese.

    Not scoped: the caller (the briefing, the leaders' dashboard) has checked that its reader
    may see every unit."""
    rows = (
        Proposal.objects.filter(campaign=campaign, status=Status.CONFIRMED)
        .select_related("unit")
        .order_by("-decided_at", "-pk")[: max(0, limit)]
    )
    return [
        ConfirmedRow(
            unit=p.unit.name,
            step=Step(p.step).label,
            rule=Rule(p.rule).label,
            matter=p.matter,
            decided_on=timezone.localdate(p.decided_at),
        )
        for p in rows
    ]
