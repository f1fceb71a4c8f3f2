"""The one ladder's confirmed steps, for the step readers of ``kaimen.lib.contracts.escalation``.

Only confirmed proposals are read here: a proposal a person has not confirmed is never shown to
the unit, whether on accountability's pages or on another app's (the ledger's task page reads
the confirmed steps of a task through this registry).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from kaimen.accountability.models import Proposal, RuleChoice, Status
from kaimen.lib.contracts import escalation
from kaimen.lib.contracts.escalation import PriorStep, StepQuery

RULE_KINDS = {
    RuleChoice.MISSED_REPORTS: escalation.MISSED_REPORT,
    RuleChoice.RED_STREAK: escalation.RED_LIGHT,
    RuleChoice.OVERDUE_PAST_ORDER: escalation.OVERDUE_TASK,
    RuleChoice.OVERDUE: escalation.OVERDUE_TASK,
}


def lapses_of(proposal: Proposal) -> tuple[str, ...]:
    """The lapses a proposal answered: as stored, or (for the missed reports of a proposal
    stored before lapses were) rebuilt from its evidence."""
    evidence = proposal.evidence or {}
    lapses = list(evidence.get("lapses") or [])
    if not lapses:
        lapses = [
            f"task:{m['task_id']}:report:{m['due']}"
            for m in evidence.get("missed", [])
            if m.get("task_id") and m.get("due")
        ]
    return tuple(lapses)


def confirmed_steps(query: StepQuery) -> list[PriorStep]:
    qs = Proposal.objects.filter(status=Status.CONFIRMED, decided_at__isnull=False)
    if query.campaign_id is not None:
        qs = qs.filter(campaign_id=query.campaign_id)
    if query.about is not None and query.about.startswith("indicator:"):
        qs = qs.filter(subject=query.about)
    elif query.about is not None:
        qs = qs.exclude(matter_kind="indicator")
    return [
        PriorStep(
            unit=p.unit_id,
            subject=p.subject,
            kind=RULE_KINDS.get(p.rule, p.matter_kind),
            step=p.step,
            confirmed_on=timezone.localdate(p.decided_at),
            source="accountability",
            campaign_id=p.campaign_id,
            description=p.decision_reason,
            link=reverse("accountability:proposal_detail", args=[p.pk]),
            lapses=lapses_of(p),
        )
        for p in qs.order_by("decided_at", "pk")
    ]


def register() -> None:
    escalation.register_step_reader("accountability", confirmed_steps)
