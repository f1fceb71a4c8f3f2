"""Reads of indicators, targets, figures and imports, already narrowed to what the user may see.

A figure's current value is the newest version of its best source: the statistics bureau's
official figure over a department's flash report over a forecast (``PROVENANCE_RANK``). Reads
fetch every version of the keys they need in one query and choose in Python, so a page's query
count does not grow with its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, Max, OuterRef, QuerySet

from kaimen.lib.errors import NotFound
from kaimen.lib.periods import Period
from kaimen.org import scope
from kaimen.org.models import Unit, UnitKind
from kaimen.org.scope import Perm
from kaimen.targets import decomposition as dec
from kaimen.targets.models import (
    PROVENANCE_RANK,
    Actual,
    ActualCorrection,
    CorrectionStatus,
    ImportBatch,
    ImportLayout,
    Indicator,
    PlanValue,
    Project,
    ProjectAllocation,
    Target,
    Tier,
)

FigureKey = tuple[int, int, int, int]  # indicator id, unit id, year, end month
# What reads of current figures use; the rest (reason, names, source) is on the detail page.
FIGURE_FIELDS = (
    "indicator",
    "unit",
    "year",
    "end_month",
    "provenance",
    "version",
    "value",
    "growth_pct",
    "entered_at",
)
UNIT_KIND_ORDER = {
    UnitKind.LEADERSHIP: 0,
    UnitKind.DEPARTMENT: 1,
    UnitKind.TOWN: 2,
    UnitKind.TASK_FORCE: 3,
}


def figure_map(
    *,
    indicator_ids: Iterable[int],
    years: Iterable[int],
    unit_ids: Iterable[int] | None = None,
    end_months: Iterable[int] | None = None,
) -> dict[FigureKey, Actual]:
    """The current figure of every (indicator, unit, year, end month) asked for."""
    qs = Actual.objects.filter(indicator_id__in=list(indicator_ids), year__in=list(years)).only(
        *FIGURE_FIELDS
    )
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    if end_months is not None:
        qs = qs.filter(end_month__in=list(end_months))
    best: dict[FigureKey, Actual] = {}
    for actual in qs.order_by():
        key = (actual.indicator_id, actual.unit_id, actual.year, actual.end_month)
        current = best.get(key)
        if current is None or _better(actual, current):
            best[key] = actual
    return best


def _better(a: Actual, b: Actual) -> bool:
    return (PROVENANCE_RANK[a.provenance], -a.version) < (PROVENANCE_RANK[b.provenance], -b.version)


def history_of(*, indicator_id: int, unit_id: int, before: int) -> dict[int, dict[int, Decimal]]:
    """{year: {end month: cumulative value}} of the years before ``before`` (for seasonal
    profiles and the nowcast)."""
    years = Actual.objects.filter(
        indicator_id=indicator_id, unit_id=unit_id, year__lt=before
    ).values_list("year", flat=True)
    figures = figure_map(indicator_ids=[indicator_id], unit_ids=[unit_id], years=set(years))
    history: dict[int, dict[int, Decimal]] = {}
    for (_i, _u, year, month), actual in figures.items():
        if actual.value is not None:
            history.setdefault(year, {})[month] = actual.value
    return {y: dict(sorted(history[y].items())) for y in sorted(history)}


def plain(value: Decimal) -> Decimal:
    """Trailing zeros of the database's four places dropped, never in exponent form."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal


def responsible_unit_id(target: Target) -> int:
    """Who answers for a row: the unit itself, or for the district's own targets the
    indicator's owner department (区发改局 for 固定资产投资)."""
    if target.unit.kind == UnitKind.LEADERSHIP and target.indicator.owner_unit_id:
        return target.indicator.owner_unit_id
    return target.unit_id


def _row_units(target: Target) -> tuple[int, ...]:
    return tuple(u for u in (target.unit_id, target.indicator.owner_unit_id) if u)


def district_unit() -> Unit | None:
    """The root of the unit tree: the district's own targets and figures belong to it."""
    return (
        Unit.objects.filter(parent__isnull=True, kind=UnitKind.LEADERSHIP, is_active=True)
        .order_by("sort_order", "pk")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# Catalogue and targets


def indicator_list_for_user(*, user, include_inactive: bool = True) -> QuerySet[Indicator]:
    scope.require(user, Perm.TARGETS_VIEW)
    qs = Indicator.objects.select_related("owner_unit")
    return qs if include_inactive else qs.filter(is_active=True)


def indicator_get_for_user(*, user, indicator_id: int) -> Indicator:
    scope.require(user, Perm.TARGETS_VIEW)
    try:
        return Indicator.objects.select_related("owner_unit").get(pk=indicator_id)
    except Indicator.DoesNotExist as exc:
        raise NotFound() from exc


def target_years() -> list[int]:
    # DISTINCT in SQL: a district has tens of thousands of targets over a few years.
    return list(Target.objects.order_by("-year").values_list("year", flat=True).distinct())


def _scoped_targets(user, qs: QuerySet[Target]) -> QuerySet[Target]:
    return scope.filter_by_unit(user, qs, unit_field="unit", co_units_field="indicator__owner_unit")


def target_list_for_user(
    *, user, year: int, indicator_id: int | None = None, unit_id: int | None = None
) -> QuerySet[Target]:
    scope.require(user, Perm.TARGETS_VIEW)
    qs = Target.objects.filter(year=year).select_related("indicator", "unit", "parent__unit")
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    return _scoped_targets(user, qs).order_by(
        "indicator__sort_order", "indicator__code", "tier", "unit__kind", "unit__sort_order"
    )


def target_get_for_user(*, user, target_id: int) -> Target:
    try:
        target = Target.objects.select_related(
            "indicator", "indicator__owner_unit", "unit", "parent", "parent__unit"
        ).get(pk=target_id)
    except Target.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.TARGETS_VIEW, _row_units(target))
    return target


@dataclass
class TargetDetail:
    target: Target
    plan: list[PlanValue]
    quarters: list[tuple[str, Decimal]]
    children: list[Target]
    children_gap: dec.TargetGap | None
    allocations: list[ProjectAllocation]
    projects_gap: dec.TargetGap | None
    other_tier: Target | None
    candidate_units: list[Unit]


def target_detail_for_user(*, user, target_id: int) -> TargetDetail:
    target = target_get_for_user(user=user, target_id=target_id)
    plan = list(target.plan_values.all())
    quarters: list[tuple[str, Decimal]] = []
    by_month = {pv.end_month: pv.value for pv in plan}
    previous = Decimal(0)
    for q, month in enumerate((3, 6, 9, 12), start=1):
        if month in by_month:
            quarters.append((Period.quarter_of(target.year, q).label, by_month[month] - previous))
            previous = by_month[month]
    children = list(
        target.children.select_related("unit").order_by("unit__kind", "unit__sort_order")
    )
    children_gap = None
    if children and target.value is not None:
        children_gap = dec.gap(
            plain(target.value),
            {c.unit.name: None if c.value is None else plain(c.value) for c in children},
        )
    allocations = list(target.allocations.select_related("project", "project__unit"))
    projects_gap = None
    if allocations and target.value is not None:
        projects_gap = dec.projects_gap(
            plain(target.value), {a.project.name: plain(a.value) for a in allocations}
        )
    other = (
        Target.objects.filter(indicator=target.indicator, unit=target.unit, year=target.year)
        .exclude(pk=target.pk)
        .first()
    )
    candidates = list(
        Unit.objects.filter(is_active=True, parent=target.unit).order_by(
            "kind", "sort_order", "name"
        )
    )
    return TargetDetail(
        target, plan, quarters, children, children_gap, allocations, projects_gap, other, candidates
    )


def project_list_for_user(*, user, year: int) -> QuerySet[Project]:
    scope.require(user, Perm.TARGETS_VIEW)
    qs = Project.objects.filter(year=year).select_related("unit")
    return scope.filter_by_unit(user, qs)


# ---------------------------------------------------------------------------------------------
# Figures and their versions


def _newer_version() -> Exists:
    return Exists(
        Actual.objects.filter(
            indicator_id=OuterRef("indicator_id"),
            unit_id=OuterRef("unit_id"),
            year=OuterRef("year"),
            end_month=OuterRef("end_month"),
            provenance=OuterRef("provenance"),
            version__gt=OuterRef("version"),
        )
    )


def actual_list_for_user(
    *,
    user,
    year: int | None = None,
    end_month: int | None = None,
    indicator_id: int | None = None,
    unit_id: int | None = None,
) -> QuerySet[Actual]:
    """The current version of every figure the user may read (older versions on the detail)."""
    scope.require(user, Perm.TARGETS_VIEW)
    qs = (
        Actual.objects.annotate(superseded=_newer_version())
        .filter(superseded=False)
        .select_related("indicator", "unit", "entered_by", "approved_by")
    )
    if year:
        qs = qs.filter(year=year)
    if end_month:
        qs = qs.filter(end_month=end_month)
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    qs = scope.filter_by_unit(user, qs, unit_field="unit", co_units_field="indicator__owner_unit")
    return qs.order_by(
        "-year", "-end_month", "indicator__sort_order", "unit__kind", "unit__sort_order"
    )


@dataclass
class FigureHistory:
    current: Actual
    versions: list[Actual]
    corrections: list[ActualCorrection]
    last_year: Actual | None
    computed_growth_pct: Decimal | None


def actual_history_for_user(*, user, actual_id: int) -> FigureHistory:
    """Every version of a figure, who entered and who approved each, and the requests."""
    try:
        actual = Actual.objects.select_related("indicator", "unit").get(pk=actual_id)
    except Actual.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(
        user,
        Perm.TARGETS_VIEW,
        tuple(u for u in (actual.unit_id, actual.indicator.owner_unit_id) if u),
    )
    versions = list(
        Actual.objects.filter(
            indicator_id=actual.indicator_id,
            unit_id=actual.unit_id,
            year=actual.year,
            end_month=actual.end_month,
            provenance=actual.provenance,
        )
        .select_related("entered_by", "approved_by", "batch")
        .order_by("-version")
    )
    corrections = list(
        ActualCorrection.objects.filter(actual__in=versions)
        .select_related("requested_by", "decided_by", "actual", "result")
        .order_by("-requested_at")
    )
    figures = figure_map(
        indicator_ids=[actual.indicator_id],
        unit_ids=[actual.unit_id],
        years=[actual.year - 1],
        end_months=[actual.end_month],
    )
    last = figures.get((actual.indicator_id, actual.unit_id, actual.year - 1, actual.end_month))
    current = versions[0]
    return FigureHistory(current, versions, corrections, last, computed_growth(current.value, last))


def computed_growth(value: Decimal | None, last_year: Actual | None) -> Decimal | None:
    """This year ÷ last year − 1, shown beside the published growth and never replacing it
    (可比口径 differs: units entering and leaving 规上, reclassification, de-duplication)."""
    if value is None or last_year is None or not last_year.value:
        return None
    return dec.quantize((value / last_year.value - 1) * 100, dec.PCT_QUANTUM)


def corrections_pending_for_user(*, user) -> QuerySet[ActualCorrection]:
    scope.require(user, Perm.TARGETS_VIEW)
    qs = ActualCorrection.objects.filter(status=CorrectionStatus.PENDING).select_related(
        "actual", "actual__indicator", "actual__unit", "requested_by"
    )
    return scope.filter_by_unit(
        user, qs, unit_field="actual__unit", co_units_field="actual__indicator__owner_unit"
    ).order_by("requested_at")


def correction_get(*, correction_id: int) -> ActualCorrection:
    try:
        return ActualCorrection.objects.select_related(
            "actual", "actual__indicator", "actual__unit"
        ).get(pk=correction_id)
    except ActualCorrection.DoesNotExist as exc:
        raise NotFound() from exc


# ---------------------------------------------------------------------------------------------
# Imports


def import_list_for_user(*, user) -> QuerySet[ImportBatch]:
    scope.require(user, Perm.ACTUAL_IMPORT)
    return ImportBatch.objects.select_related("created_by", "layout").order_by("-created_at")


def import_get_for_user(*, user, batch_id: int) -> ImportBatch:
    scope.require(user, Perm.ACTUAL_IMPORT)
    try:
        return ImportBatch.objects.select_related("created_by", "layout").get(pk=batch_id)
    except ImportBatch.DoesNotExist as exc:
        raise NotFound() from exc


def layout_for(fingerprint: str) -> ImportLayout | None:
    return ImportLayout.objects.filter(fingerprint=fingerprint).first()


def latest_period_with_figures(year: int) -> int | None:
    # An aggregate, not the year's rows: 15,000 figures a year made this 0.1 s on its own.
    return Actual.objects.filter(year=year).order_by().aggregate(m=Max("end_month"))["m"]


@dataclass
class Choices:
    years: list[int] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


def filter_choices(*, user) -> Choices:
    """Years with targets, indicators and units, for the filters."""
    units = Unit.objects.filter(is_active=True).order_by("kind", "sort_order", "name")
    return Choices(
        years=target_years(),
        indicators=list(Indicator.objects.filter(is_active=True)),
        units=list(units.filter(Exists(Target.objects.filter(unit=OuterRef("pk"))))),
    )


def targets_for_board(*, year: int, indicator_id: int | None) -> list[Target]:
    """The year's ensure-tier targets with their indicator and unit attached: three queries,
    and one Indicator and one Unit object each, however many targets share them."""
    qs = Target.objects.filter(year=year, tier=Tier.ENSURE).only(
        "indicator", "unit", "year", "tier", "value", "growth_pct", "derived", "method", "parent"
    )
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    targets = list(qs)
    indicators = Indicator.objects.in_bulk({t.indicator_id for t in targets})
    units = Unit.objects.in_bulk({t.unit_id for t in targets})
    for target in targets:
        target.indicator = indicators[target.indicator_id]
        target.unit = units[target.unit_id]
    return targets
