"""The targets API: indicators, targets and their plan values, figures with their versions, and
monitoring rows, each narrowed by ``org.scope`` exactly as the pages are.

No ``from __future__ import annotations`` here: django-ninja reads ``Query[...]`` parameter
annotations at runtime."""

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kaimen.lib.apikit import ERRORS, Pagination
from kaimen.lib.periods import Period
from kaimen.targets import board, selectors

router = Router(tags=["targets"])


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    measure_unit: str
    kind: str
    frequency: str
    merged_jan_feb: bool
    owner_unit_id: int | None
    higher_is_better: bool
    price_basis: str
    light_basis: str
    green_within_pts: Decimal
    yellow_within_pts: Decimal
    is_active: bool


class TargetOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    year: int
    tier: str
    value: Decimal | None
    growth_pct: Decimal | None
    base_value: Decimal | None
    method: str
    parent_id: int | None
    price_basis: str


class PlanValueOut(Schema):
    period: str
    end_month: int
    value: Decimal
    share: Decimal


class ActualOut(Schema):
    id: int
    indicator_id: int
    unit_id: int
    year: int
    end_month: int
    period: str
    provenance: str
    version: int
    value: Decimal | None
    growth_pct: Decimal | None
    supersedes_id: int | None
    reason: str
    entered_by_id: int | None
    entered_at: datetime
    approved_by_id: int | None
    approved_at: datetime | None

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period.label


class MonitorRowOut(Schema):
    target_id: int
    indicator_id: int
    unit_id: int
    period: str | None
    actual: Decimal | None
    provenance: str | None
    plan_to_date: Decimal | None
    annual_target: Decimal | None
    completion_pct: Decimal | None
    calendar_progress_pct: Decimal | None
    seasonal_progress_pct: Decimal | None
    growth_pct: Decimal | None
    computed_growth_pct: Decimal | None
    target_growth_pct: Decimal | None
    price_basis: str
    light: str | None
    rank: int | None
    peers: int | None
    explanation: str
    unit_explanation: str | None


class YearFilter(Schema):
    year: int | None = Field(None, ge=2000, le=2100)
    indicator: int | None = Field(None, ge=1, le=2**31)
    unit: int | None = Field(None, ge=1, le=2**31)


class FigureFilter(YearFilter):
    month: int | None = Field(None, ge=1, le=12)


class BoardFilter(Schema):
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)
    indicator: int | None = Field(None, ge=1, le=2**31)
    unit: int | None = Field(None, ge=1, le=2**31)


def _target(t) -> dict:
    return {
        "id": t.pk,
        "indicator_id": t.indicator_id,
        "unit_id": t.unit_id,
        "year": t.year,
        "tier": t.tier,
        "value": t.value,
        "growth_pct": t.growth_pct,
        "base_value": t.base_value,
        "method": t.method,
        "parent_id": t.parent_id,
        "price_basis": t.indicator.price_basis,
    }


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS})
@paginate(Pagination)
def indicators(request: HttpRequest):
    return selectors.indicator_list_for_user(user=request.user)


@router.get("/targets", response={200: list[TargetOut], **ERRORS})
@paginate(Pagination)
def targets(request: HttpRequest, filters: Query[YearFilter]):
    year = filters.year or (selectors.target_years() or [0])[0]
    qs = selectors.target_list_for_user(
        user=request.user, year=year, indicator_id=filters.indicator, unit_id=filters.unit
    )
    return [_target(t) for t in qs]


@router.get("/targets/{target_id}/plan", response={200: list[PlanValueOut], **ERRORS})
def plan_values(request: HttpRequest, target_id: int):
    target = selectors.target_get_for_user(user=request.user, target_id=target_id)
    return [
        {
            "period": Period.cumulative(target.year, pv.end_month).label,
            "end_month": pv.end_month,
            "value": pv.value,
            "share": pv.share,
        }
        for pv in target.plan_values.all()
    ]


@router.get("/actuals", response={200: list[ActualOut], **ERRORS})
@paginate(Pagination)
def actuals(request: HttpRequest, filters: Query[FigureFilter]):
    return selectors.actual_list_for_user(
        user=request.user,
        year=filters.year,
        end_month=filters.month,
        indicator_id=filters.indicator,
        unit_id=filters.unit,
    )


@router.get("/actuals/{actual_id}/versions", response={200: list[ActualOut], **ERRORS})
def actual_versions(request: HttpRequest, actual_id: int):
    history = selectors.actual_history_for_user(user=request.user, actual_id=actual_id)
    return history.versions


@router.get("/monitoring", response={200: list[MonitorRowOut], **ERRORS})
@paginate(Pagination)
def monitoring(request: HttpRequest, filters: Query[BoardFilter]):
    result = board.board_for_user(
        user=request.user,
        year=filters.year,
        end_month=filters.month,
        indicator_id=filters.indicator,
        unit_id=filters.unit,
    )
    return _RowsOut(result.rows)


class _RowsOut:
    """The board's rows as the API answers them, read a page at a time: the paginator asks the
    length (a COUNT) and one slice (the page's rows), never the whole board."""

    def __init__(self, rows):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: slice) -> list[dict]:
        return [_row_out(row) for row in self.rows[index]]


def _row_out(row) -> dict:
    r = row.result
    return {
        "target_id": row.target.pk,
        "indicator_id": row.indicator.pk,
        "unit_id": row.target.unit_id,
        "period": row.period.label if row.period else None,
        "actual": r.actual if r else None,
        "provenance": row.figure.provenance if row.figure else None,
        "plan_to_date": r.plan_to_date if r else None,
        "annual_target": row.target_level,
        "completion_pct": r.completion_pct if r else None,
        "calendar_progress_pct": r.calendar_progress_pct if r else None,
        "seasonal_progress_pct": r.seasonal_progress_pct if r else None,
        "growth_pct": r.growth_pct if r else None,
        "computed_growth_pct": row.computed_growth_pct,
        "target_growth_pct": row.target.growth_pct,
        "price_basis": row.indicator.price_basis,
        "light": str(row.light) if row.light else None,
        "rank": row.rank.rank if row.rank else None,
        "peers": row.rank.peers if row.rank else None,
        "explanation": r.explanation if r else row.note,
        "unit_explanation": row.explanation.text if row.explanation else None,
    }
