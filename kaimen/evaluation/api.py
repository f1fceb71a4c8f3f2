"""Scorecards in the JSON API: the same selectors and services as the pages.

A unit's token sees its own standing while the objection window is open and the whole ranking
once published; lodging an objection needs its liaison and an open window; publishing needs the
office, a closed window, every objection answered and ``"confirm": true`` — the service refuses
otherwise, so the API cannot skip the confirmation the page asks for. No ``from __future__
import annotations`` here: django-ninja reads the annotations at runtime.
"""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from kaimen.evaluation import selectors, services
from kaimen.evaluation.services.common import MAX_TEXT
from kaimen.lib.apikit import ERRORS, Pagination
from kaimen.org import scope
from kaimen.org.scope import Perm

router = Router(tags=["evaluation"])
ID = Path(..., ge=1, le=2**31 - 1)


class RunOut(Schema):
    id: int
    campaign_id: int
    period_kind: str
    period_label: str
    period_start: date
    period_end: date
    status: str
    window_shown_on: date | None
    window_closes_on: date | None
    computed_at: datetime
    published_at: datetime | None


class StandingOut(Schema):
    unit_id: int
    unit: str
    peer_group: str
    peer_group_label: str
    rank: int | None
    peers: int
    tied: bool
    total: Decimal | None
    speed: Decimal | None
    quality: Decimal | None
    innovation: Decimal | None
    previous_rank: int | None
    movement: int | None
    limited: bool
    board: str

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit_name


class RankingOut(Schema):
    run: RunOut
    complete: bool  # False: before publication a unit sees its own lines only
    standings: list[StandingOut]
    notes: list[str]


class RunFilter(Schema):
    campaign: int = Field(..., ge=1, le=2**31 - 1)


class ObjectionIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**31 - 1)
    text: str = Field(..., min_length=1, max_length=MAX_TEXT)


class ObjectionOut(Schema):
    id: int
    run_id: int
    unit_id: int
    text: str
    lodged_at: datetime
    outcome: str
    answer: str
    answered_at: datetime | None


class PublishIn(Schema):
    confirm: bool = Field(
        False, description="Must be true: the office confirms the ranking it publishes."
    )


@router.get("/runs", response={200: list[RunOut], **ERRORS})
@paginate(Pagination)
def runs(request: HttpRequest, filters: Query[RunFilter]):
    campaign = selectors.campaign_get_for_user(user=request.user, campaign_id=filters.campaign)
    return selectors.run_list_for_user(user=request.user, campaign=campaign)


@router.get("/runs/{run_id}/ranking", response={200: RankingOut, **ERRORS})
def ranking(request: HttpRequest, run_id: int = ID):
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    result = selectors.ranking_for_user(user=request.user, run=run)
    return {
        "run": run,
        "complete": result.sees_all,
        "standings": [row for group in result.groups for row in group.rows],
        "notes": list(run.notes) if result.sees_all else [],
    }


@router.post("/runs/{run_id}/objections", response={201: ObjectionOut, **ERRORS})
def lodge_objection(request: HttpRequest, body: ObjectionIn, run_id: int = ID):
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    detail = selectors.standing_for_user(user=request.user, run=run, unit_id=body.unit_id)
    objection = services.objection_lodge(
        actor=request.user, run=run, unit=detail.standing.unit, text=body.text
    )
    return Status(201, objection)


@router.post("/runs/{run_id}/publish", response={200: RunOut, **ERRORS})
def publish(request: HttpRequest, body: PublishIn, run_id: int = ID):
    scope.require(request.user, Perm.EVALUATION_MANAGE)  # before a unit learns of a draft
    run = selectors.run_get_for_user(user=request.user, run_id=run_id)
    return services.run_publish(actor=request.user, run=run, confirm=body.confirm)
