"""The accountability record in the JSON API: the same selectors and services as the pages.

A unit's token sees only its own unit's proposals; confirming and dismissing need
``Perm.ACCOUNTABILITY_DECIDE`` and a reason; a liaison attaches its unit's explanation (files
only through the page). No ``from __future__ import annotations`` here: django-ninja reads
``Query[...]`` parameter annotations at runtime.
"""

import re
from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import BeforeValidator

from kaimen.accountability import selectors, services
from kaimen.accountability.models import RuleChoice, Status, StepChoice
from kaimen.accountability.services.common import MAX_EXPLANATION, MAX_REASON
from kaimen.lib.apikit import ERRORS, Pagination
from kaimen.org.api_auth import KaimenSession, KaimenToken

# The bearer token is tried first: a token client that also carries a cookie is not held to the
# browser session's CSRF check, while a browser's POST still is.
router = Router(tags=["accountability"], auth=[KaimenToken(), KaimenSession()])
ID = Path(..., ge=1, le=2**31 - 1)


def _iso_day(value: object) -> object:
    # Only YYYY-MM-DD: pydantic would otherwise read "1700000000" as a Unix timestamp.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("日期应写成 YYYY-MM-DD，例如 2025-04-01")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_day)]


class ExplanationOut(Schema):
    id: int
    text: str
    author: str
    created_at: datetime
    attachments: list[str]

    @staticmethod
    def resolve_author(obj) -> str:
        return str(obj.author)

    @staticmethod
    def resolve_attachments(obj) -> list[str]:
        return [a.original_name for a in obj.attachments.all()]


class ProposalOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    unit: str
    rule: str
    step: str
    after_step: str
    matter_kind: str
    subject: str
    matter: str
    indicator_id: int | None
    task_id: int | None
    facts: list[str]
    text: str
    proposed_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    explanations: list[ExplanationOut]

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return str(obj.decided_by) if obj.decided_by_id else None

    @staticmethod
    def resolve_explanations(obj) -> list:
        return list(obj.explanations.all())


class ProposalFilter(Schema):
    campaign: int | None = Field(None, ge=1, le=2**31 - 1)
    unit: int | None = Field(None, ge=1, le=2**31 - 1)
    status: Status | None = None
    step: StepChoice | None = None
    rule: RuleChoice | None = None
    date_from: IsoDay | None = None
    date_to: IsoDay | None = None


class DecisionIn(Schema):
    reason: str = Field(..., max_length=MAX_REASON)


class ExplanationIn(Schema):
    text: str = Field(..., max_length=MAX_EXPLANATION)


@router.get("/proposals", response={200: list[ProposalOut], **ERRORS})
@paginate(Pagination)
def proposals(request: HttpRequest, filters: Query[ProposalFilter]):
    return selectors.proposal_list_for_user(
        user=request.user,
        filters=selectors.RecordFilters(
            campaign_id=filters.campaign,
            unit_id=filters.unit,
            status=filters.status.value if filters.status else "",
            step=filters.step.value if filters.step else "",
            rule=filters.rule.value if filters.rule else "",
            date_from=filters.date_from,
            date_to=filters.date_to,
        ),
    )


@router.get("/proposals/{proposal_id}", response={200: ProposalOut, **ERRORS})
def proposal(request: HttpRequest, proposal_id: int = ID):
    return selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)


def _decide(request: HttpRequest, proposal_id: int, reason: str, *, confirm: bool):
    found = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    services.proposal_decide(actor=request.user, proposal=found, confirm=confirm, reason=reason)
    return selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)


@router.post("/proposals/{proposal_id}/confirm", response={200: ProposalOut, **ERRORS})
def confirm(request: HttpRequest, body: DecisionIn, proposal_id: int = ID):
    return _decide(request, proposal_id, body.reason, confirm=True)


@router.post("/proposals/{proposal_id}/dismiss", response={200: ProposalOut, **ERRORS})
def dismiss(request: HttpRequest, body: DecisionIn, proposal_id: int = ID):
    return _decide(request, proposal_id, body.reason, confirm=False)


@router.post("/proposals/{proposal_id}/explanations", response={200: ExplanationOut, **ERRORS})
def explain(request: HttpRequest, body: ExplanationIn, proposal_id: int = ID):
    found = selectors.proposal_get_for_user(user=request.user, proposal_id=proposal_id)
    return services.explanation_add(actor=request.user, proposal=found, text=body.text)
