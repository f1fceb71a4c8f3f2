"""The monitoring board as the leader dashboard shows it: the district's key indicators, lit,
with the nowcast and a trend chart each, and the census of lights over every unit × indicator
(how many are red, yellow and green, the red lights still unexplained, the spread of the key
indicators over the towns and departments). Registered on the dashboard from ``TargetsConfig``.

The key indicators are the district's own targets of the indicators marked key, lit as the board
lights them (ten rows, computed on each request). The census reads the whole monitoring board
through ``board.board_derived``, cached until the stored board (``board_store``) changes, so the
census is derived once per change of the data and the small census is what a request reads
back; the screen says when the lights were counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from kaimen.lib import clock
from kaimen.lib.contracts import dashboard
from kaimen.lib.contracts.dashboard import LIST_LIMIT, Fragment, Frame, Panel
from kaimen.org.models import Unit, UnitKind
from kaimen.targets import board
from kaimen.targets.board import Row
from kaimen.targets.models import Indicator, PlanValue, Target, Tier
from kaimen.targets.monitoring import Light, LightBasis
from kaimen.targets.nowcast import Nowcast, Projection
from kaimen.targets.selectors import (
    district_unit,
    figure_map,
    latest_period_with_figures,
    responsible_unit_id,
    target_years,
)

KEY_FALLBACK = 8  # no indicator marked key: the first ones of the catalogue stand in
HISTORY_YEARS = 12  # the nowcast's history, as the monitoring page's focus reads it
SHORT_HISTORY_YEARS = 5  # fewer years than this: the range is shown with a caveat
HUNDRED = Decimal(100)
TEMPLATE = "targets/_dashboard.html"


@dataclass(frozen=True)
class Outlook:
    """One horizon of the nowcast: the quarter end or the year end."""

    horizon: str  # "1-6月", "1-12月"
    is_year: bool
    value: Decimal
    low: Decimal | None  # ~80% interval; None when history is too short for one
    high: Decimal | None
    note: str  # how the interval was obtained, or why there is none (from the nowcast)


@dataclass(frozen=True)
class KeyIndicator:
    row: Row  # the district's own target at the period, lit (targets.board)
    outlooks: tuple[Outlook, ...] = ()
    years_of_history: int = 0
    probability_pct: Decimal | None = None  # of meeting the annual target
    outlook_note: str = ""  # why there is no nowcast
    explanation_text: str = ""  # the answerable unit's own words when the light is not green

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator

    @property
    def light(self) -> str:
        return str(self.row.light) if self.row.light else ""

    @property
    def short_history(self) -> bool:
        return 0 < self.years_of_history < SHORT_HISTORY_YEARS

    @property
    def reference_pct(self) -> Decimal | None:
        """What should be done by now: the expectation the light was judged on; for a light
        judged on growth the seasonal expectation beside the completion (time progress only for
        completion without a plan)."""
        result = self.row.result
        if result is None:
            return None
        if result.expected_pct is not None:
            return result.expected_pct
        if result.basis != LightBasis.COMPLETION:
            # lit on growth: the completion bar is measured against the seasonal expectation,
            # never against time progress (README, 如何亮灯)
            return result.seasonal_progress_pct
        return result.calendar_progress_pct

    @property
    def bar(self) -> tuple[str, str] | None:
        """Widths (percent strings, 0–100) of the completion bar and the expectation mark."""
        result = self.row.result
        if result is None or result.completion_pct is None:
            return None
        done = min(max(result.completion_pct, Decimal(0)), HUNDRED)
        reference = self.reference_pct
        mark = "" if reference is None else str(min(max(reference, Decimal(0)), HUNDRED))
        return str(done), mark


@dataclass(frozen=True)
class UnexplainedRed:
    """A red light nobody has explained yet: the row and the unit that has to answer for it."""

    indicator_id: int
    indicator: str
    target_id: int
    unit_id: int
    unit: str
    answerable_id: int
    answerable: str
    basis: str  # LightBasis: what the light was judged on
    measured: Decimal | None  # completion %, growth % or the level
    reference: Decimal | None  # expected %, target growth % or the target level


@dataclass(frozen=True)
class Spread:
    """How the towns and departments carrying one key indicator are lit."""

    indicator_id: int
    indicator: str
    red: int = 0
    yellow: int = 0
    green: int = 0
    unlit: int = 0


@dataclass(frozen=True)
class LightCensus:
    """Every unit × indicator of the year at the period (the whole monitoring board)."""

    computed_at: datetime
    rows: int = 0
    red: int = 0
    yellow: int = 0
    green: int = 0
    unlit: int = 0
    unexplained_total: int = 0
    unexplained: tuple[UnexplainedRed, ...] = ()
    spread: tuple[Spread, ...] = ()


@dataclass(frozen=True)
class Overview:
    """The targets' panel of the dashboard."""

    key_indicators: tuple[KeyIndicator, ...]
    key_fallback: bool  # no indicator is marked key: the first of the catalogue are shown
    census: LightCensus
    chart: dict = field(default_factory=dict)  # for the page's script (json_script)

    @property
    def red_key_indicators(self) -> int:
        return sum(1 for k in self.key_indicators if k.light == Light.RED)


def statistics_period(campaign_year: int | None, today: date) -> tuple[int, int | None]:
    """The year the dashboard shows (the campaign's, else the latest with targets) and its
    latest month with figures."""
    year = campaign_year or (target_years() or [today.year])[0]
    return year, latest_period_with_figures(year)


def dashboard_panel(frame: Frame) -> Panel:
    year, end_month = frame.year, frame.end_month
    key_targets, fallback = _key_targets(year, district_unit())
    keys, chart = _key_indicators(key_targets, year, end_month)
    census = light_census(
        year=year, end_month=end_month, key_ids=[t.indicator_id for t in key_targets]
    )
    chart["spread"] = [
        {"name": s.indicator, "red": s.red, "yellow": s.yellow, "green": s.green, "unlit": s.unlit}
        for s in census.spread
    ]
    chart["labels"] = {
        "red": _("Red"),
        "yellow": _("Yellow"),
        "green": _("Green"),
        "unlit": _("No light"),
    }
    return Panel(
        "targets",
        Overview(keys, fallback, census, chart),
        (
            Fragment(dashboard.MAIN, f"{TEMPLATE}#key", 10),
            Fragment(dashboard.MAIN, f"{TEMPLATE}#charts", 20),
            Fragment(dashboard.COUNTERS, f"{TEMPLATE}#counter", 10),
            Fragment(dashboard.ALERTS, f"{TEMPLATE}#unexplained", 10),
            Fragment(dashboard.ALERTS, f"{TEMPLATE}#census", 90),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Key indicators: the district's own targets, lit, with the nowcast and a trend chart each


def _key_targets(year: int, district: Unit | None) -> tuple[list[Target], bool]:
    if district is None:
        return [], False
    targets = list(
        Target.objects.filter(year=year, tier=Tier.ENSURE, unit=district, indicator__is_active=True)
        .select_related("indicator", "unit")
        .order_by("indicator__sort_order", "indicator__code")
    )
    key = [t for t in targets if t.indicator.is_key]
    if key:
        return key, False
    return targets[:KEY_FALLBACK], bool(targets)


def _key_indicators(
    targets: list[Target], year: int, end_month: int | None
) -> tuple[tuple[KeyIndicator, ...], dict]:
    chart: dict = {"trend": [], "default": None}
    if not targets or end_month is None:
        return (), chart
    # The district's own rows, lit as the board lights them (a district has no peers to rank
    # among): computing ten rows is cheaper than reading the whole board back from the cache.
    rows = board.rows_for_targets(targets, year=year, end_month=end_month)
    # One read of the history for every key indicator: the charts and the nowcasts share it.
    series = figure_map(
        indicator_ids={t.indicator_id for t in targets},
        unit_ids={t.unit_id for t in targets},
        years=range(year - HISTORY_YEARS, year + 1),
    )
    plans: dict[int, dict[int, PlanValue]] = defaultdict(dict)
    for pv in PlanValue.objects.filter(target__in=targets):
        plans[pv.target_id][pv.end_month] = pv
    keys = []
    for row in rows:
        target = row.target
        forecast, note = board.forecast_for(target, row, series)
        keys.append(_key_indicator(row, forecast, note))
        data = board.chart_for(target, series, plans[target.pk])
        data["id"] = target.indicator_id
        data["title"] = f"{target.indicator.name}（{data['measure']}）"  # "%" if growth-only
        chart["trend"].append(data)
    # The chart opens on the first red key indicator: what the meeting will ask about.
    first_red = next((k for k in keys if k.light == Light.RED), None)
    first = first_red or next((k for k in keys if k.row.figure is not None), None)
    chart["default"] = first.indicator.pk if first else None
    return tuple(keys), chart


def _outlook(p: Projection, *, is_year: bool) -> Outlook:
    return Outlook(p.horizon.label, is_year, p.value, p.low, p.high, p.interval_note)


def _key_indicator(row: Row, forecast: Nowcast | None, note: str) -> KeyIndicator:
    explanation = row.explanation.text if row.explanation and row.light != Light.GREEN else ""
    if forecast is None:
        return KeyIndicator(row, outlook_note=note, explanation_text=explanation)
    outlooks = []
    if forecast.quarter_end is not None:
        outlooks.append(_outlook(forecast.quarter_end, is_year=False))
    outlooks.append(_outlook(forecast.year_end, is_year=True))
    probability = forecast.probability_of_target
    return KeyIndicator(
        row,
        outlooks=tuple(outlooks),
        years_of_history=len(forecast.years_used),
        probability_pct=None
        if probability is None
        else (probability * HUNDRED).quantize(Decimal(1)),
        explanation_text=explanation,
    )


# ---------------------------------------------------------------------------------------------
# The census of lights over the whole district


def light_census(*, year: int, end_month: int | None, key_ids: list[int]) -> LightCensus:
    """Counts of lights over every unit × indicator, the red lights still unexplained and the
    spread of the key indicators over the towns and departments, from the monitoring board
    (cached by ``targets.board.board_derived`` until the stored board changes)."""
    if end_month is None:
        return LightCensus(computed_at=clock.now())
    return board.board_derived(
        "census:" + ",".join(map(str, key_ids)),
        year=year,
        end_month=end_month,
        derive=lambda rows: _compute_census(rows, key_ids),
    )


def _compute_census(rows: list[Row], key_ids: list[int]) -> LightCensus:
    counts = {"red": 0, "yellow": 0, "green": 0, "unlit": 0}
    for row in rows:
        counts[str(row.light) if row.light else "unlit"] += 1
    wanted = set(key_ids)
    unexplained = [r for r in rows if r.needs_explanation]
    unexplained.sort(key=lambda r: (r.indicator.pk not in wanted, -r.shortfall))
    listed = unexplained[:LIST_LIMIT]
    answerable = {r.target.pk: responsible_unit_id(r.target) for r in listed}
    names = dict(Unit.objects.filter(pk__in=set(answerable.values())).values_list("pk", "name"))
    spread: dict[int, dict[str, int]] = {i: defaultdict(int) for i in key_ids}
    indicator_names: dict[int, str] = {}
    for row in rows:
        if row.indicator.pk in spread and row.target.unit.kind in (
            UnitKind.TOWN,
            UnitKind.DEPARTMENT,
        ):
            spread[row.indicator.pk][str(row.light) if row.light else "unlit"] += 1
        indicator_names.setdefault(row.indicator.pk, row.indicator.name)
    return LightCensus(
        computed_at=clock.now(),
        rows=len(rows),
        unexplained_total=len(unexplained),
        unexplained=tuple(_unexplained(r, answerable[r.target.pk], names) for r in listed),
        spread=tuple(
            Spread(i, indicator_names.get(i, ""), **spread[i])
            for i in key_ids
            if any(spread[i].values())
        ),
        **counts,
    )


def _unexplained(row: Row, answerable_id: int, names: dict[int, str]) -> UnexplainedRed:
    result = row.result
    assert result is not None  # a red light has a result
    basis = result.basis  # what the one rule lit the row on (monitoring.rule_for)
    if basis == LightBasis.GROWTH:
        measured, reference = result.growth_pct, result.target_growth_pct
    elif basis == LightBasis.LEVEL:
        measured, reference = result.actual, result.annual_target
    else:
        measured, reference = result.completion_pct, result.expected_pct
    return UnexplainedRed(
        indicator_id=row.indicator.pk,
        indicator=row.indicator.name,
        target_id=row.target.pk,
        unit_id=row.target.unit_id,
        unit=row.target.unit.name,
        answerable_id=answerable_id,
        answerable=names.get(answerable_id, row.target.unit.name),
        basis=str(basis),
        measured=measured,
        reference=reference,
    )
