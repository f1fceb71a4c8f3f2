"""The monitoring board: every indicator × unit at a period, lit, ranked and explained.

A row is computed in Python with the pure ``monitoring.monitor`` (``_row``), from a few queries
that fetch the targets, plan values, figures and explanations of many targets at once. Rows are
computed once per data change and stored (``board_store``: one ``BoardEntry`` per target and
board month, recomputed for the targets whose data moved), and every reader goes through the
store: ``board_rows`` (the red-light job, the evaluation metrics, the accountability facts, the
briefing, the leader dashboard) and ``board_for_user`` (the monitoring page and API, scoped,
filtered and paginated in SQL).

Rows are shown to a user who may read them (``Perm.TARGETS_VIEW`` on the row's unit and the
indicator's owner department); ranks are computed among all peers, so a town sees its own rank
without seeing the other towns' figures.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import TypeVar

from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from kaimen.lib.errors import KaimenError
from kaimen.lib.periods import Period
from kaimen.org.models import UnitKind
from kaimen.targets import board_store
from kaimen.targets import decomposition as dec
from kaimen.targets.models import Actual, Explanation, Indicator, PlanValue, Target
from kaimen.targets.monitoring import (
    Light,
    LightBasis,
    MonitorResult,
    PeerRank,
    monitor,
    rank_peers,
)
from kaimen.targets.nowcast import Nowcast, nowcast
from kaimen.targets.pace import NeededPace, SpringFestivalShift, needed_pace, spring_festival_shift
from kaimen.targets.selectors import (
    UNIT_KIND_ORDER,
    computed_growth,
    figure_map,
    history_of,
    plain,
    responsible_unit_id,
    targets_for_board,
)

LIGHT_ORDER = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, None: 3}
BOARD_TTL = 600  # seconds, for values derived from the board (its state changes the key)


@dataclass
class Row:
    target: Target
    period: Period | None  # the release the row shows (GDP at 1-5月 shows 一季度)
    figure: Actual | None
    last_year: Actual | None
    result: MonitorResult | None
    computed_growth_pct: Decimal | None
    explanation: Explanation | None
    rank: PeerRank | None = None
    note: str = ""
    # The Spring Festival note when this release's year-on-year comparison is distorted
    # (春节错月): the light is shown with it, and it feeds no accountability or red-list reason
    # in a campaign that keeps the setting on.
    spring_note: str = ""

    @property
    def indicator(self) -> Indicator:
        return self.target.indicator

    @property
    def growth_only(self) -> bool:
        """Published as a growth rate only at this level: no level is shown."""
        return self.indicator.growth_only

    @property
    def level(self) -> Decimal | None:
        """The cumulative value shown, None for a growth-only indicator."""
        if self.growth_only or self.figure is None:
            return None
        return self.figure.value

    @property
    def target_level(self) -> Decimal | None:
        """The annual target value shown, None for a growth-only indicator."""
        return None if self.growth_only else self.target.value

    @property
    def basis(self) -> str:
        return str(self.result.basis) if self.result else ""

    @property
    def spring_distorted(self) -> bool:
        return bool(self.spring_note)

    @property
    def light(self) -> Light | None:
        return self.result.light if self.result else None

    @property
    def needs_explanation(self) -> bool:
        return self.light == Light.RED and self.explanation is None

    @property
    def shortfall(self) -> Decimal:
        """How far behind the reference the row is, for ordering the lagging list."""
        if self.result is None:
            return Decimal(0)
        if self.result.growth_gap_pts is not None and self.result.basis == LightBasis.GROWTH:
            return -self.result.growth_gap_pts
        if self.result.completion_pct is not None and self.result.expected_pct is not None:
            return self.result.expected_pct - self.result.completion_pct
        return Decimal(0)


Board = board_store.BoardPage


def _rank_value(row: Row) -> Decimal | None:
    result = row.result
    if result is None:
        return None
    basis = result.basis
    if basis == LightBasis.GROWTH:
        return result.growth_pct
    if basis == LightBasis.LEVEL:
        return result.actual
    if result.completion_pct is None or result.expected_pct is None:
        return None
    return result.completion_pct - result.expected_pct


T = TypeVar("T")


def board_rows(*, year: int, end_month: int, indicator_id: int | None = None) -> list[Row]:
    """Every ensure-tier target of the year at the period (of one indicator if given), lit and
    ranked (not scoped: callers narrow to what their reader may see).

    Read from the stored board (``board_store``), which is recomputed for what changed since it
    was stored; the rows are a fresh list on every read, which a caller may sort or filter."""
    return board_store.rows(year=year, end_month=end_month, indicator_id=indicator_id)


def board_derived(name: str, *, year: int, end_month: int, derive: Callable[[list[Row]], T]) -> T:
    """A small value derived from the whole board (a count of lights, a census), cached until the
    stored board changes, so readers that need a summary of thousands of rows get it without
    reading them on every request."""
    parts = [
        f"derived:{name}",
        str(year),
        str(end_month),
        translation.get_language() or "",
        board_store.state_key(year),
    ]
    key = "kaimen.targets.board." + hashlib.sha256("|".join(parts).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = derive(board_rows(year=year, end_month=end_month))
        cache.set(key, value, BOARD_TTL)
    return value


def compute_board_rows(*, year: int, end_month: int, indicator_id: int | None = None) -> list[Row]:
    """The board computed afresh, without the cache (``board_rows`` is what callers want)."""
    targets = targets_for_board(year=year, indicator_id=indicator_id)
    rows = rows_for_targets(targets, year=year, end_month=end_month)
    _rank(rows)
    rows.sort(
        key=lambda r: (
            r.indicator.sort_order,
            r.indicator.code,
            UNIT_KIND_ORDER.get(r.target.unit.kind, 9),
            r.target.unit.sort_order,
            r.target.unit.name,
        )
    )
    return rows


def rows_for_targets(targets: list[Target], *, year: int, end_month: int) -> list[Row]:
    """The rows of ``targets`` (one year's, with indicator and unit attached) at the period,
    lit but not ranked: three queries however many targets."""
    if not targets:
        return []
    months = {t.indicator.effective_month(end_month) for t in targets} - {None}
    indicator_ids = {t.indicator_id for t in targets}
    unit_ids = {t.unit_id for t in targets}
    figures = figure_map(
        indicator_ids=indicator_ids, unit_ids=unit_ids, years=[year, year - 1], end_months=months
    )
    plans = {
        (pv.target_id, pv.end_month): pv
        for pv in PlanValue.objects.filter(target__in=targets, end_month__in=months)
    }
    explanations: dict[tuple[int, int, int], Explanation] = {}
    for e in Explanation.objects.filter(
        year=year, end_month__in=months, indicator_id__in=indicator_ids, unit_id__in=unit_ids
    ).order_by("created_at", "pk"):
        explanations[(e.indicator_id, e.unit_id, e.end_month)] = e
    return [_row(t, end_month, figures, plans, explanations) for t in targets]


def _row(target: Target, end_month: int, figures, plans, explanations) -> Row:
    indicator = target.indicator
    month = indicator.effective_month(end_month)
    if month is None:
        return Row(target, None, None, None, None, None, None, note=_("Not released yet"))
    period = Period.cumulative(target.year, month)
    figure = figures.get((indicator.pk, target.unit_id, target.year, month))
    last = figures.get((indicator.pk, target.unit_id, target.year - 1, month))
    growth_only = indicator.growth_only
    plan_value = None if growth_only else plans.get((target.pk, month))
    plan = None
    if plan_value is not None and target.value is not None:
        point = dec.PlanPoint(period, plan_value.share, plan_value.value)
        plan = dec.Plan(target.year, target.value, dec.Method(target.method), (point,))
    try:
        result = monitor(
            period=period,
            # a growth-only indicator is never shown or judged on a level (README, 如何亮灯)
            actual=None if growth_only else _plain(figure.value if figure else None),
            annual_target=None if growth_only else _plain(target.value),
            plan=plan,
            growth_pct=figure.growth_pct if figure else None,
            target_growth_pct=target.growth_pct,
            rule=indicator.rule_for(target),
            price_basis=indicator.price_basis_enum,
        )
    except KaimenError as exc:
        return Row(target, period, figure, last, None, None, None, note=exc.message)
    note = ""
    if month != end_month:
        note = _("Latest release: %(period)s") % {"period": period.label}
    return Row(
        target,
        period,
        figure,
        last,
        result,
        None if growth_only else computed_growth(figure.value if figure else None, last),
        explanations.get((indicator.pk, target.unit_id, month)),
        note=note,
        spring_note=spring_note(period),
    )


@lru_cache(maxsize=64)
def _spring_shift(year: int) -> SpringFestivalShift:
    return spring_festival_shift(year)


def spring_note(period: Period) -> str:
    """The Spring Festival note of a release whose year-on-year comparison is distorted (1月,
    2月, 1-2月 and 一季度 of a year whose festival moved month), else ""."""
    if not period.is_cumulative or period.end_month > 3:
        return ""
    shift = _spring_shift(period.year)
    return shift.note if shift.distorts(period) else ""


def _rank(rows: list[Row]) -> None:
    groups: dict[tuple[int, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.target.unit.kind in (UnitKind.DEPARTMENT, UnitKind.TOWN):
            groups[(row.indicator.pk, row.target.unit.kind)].append(row)
    for peers in groups.values():
        if len(peers) < 2:
            continue
        ranks = rank_peers(
            {row.target.pk: _rank_value(row) for row in peers},
            higher_is_better=peers[0].indicator.higher_is_better,
        )
        by_target = {r.key: r for r in ranks}
        for row in peers:
            row.rank = by_target[row.target.pk]


def board_for_user(
    *,
    user,
    year: int,
    end_month: int,
    indicator_id: int | None = None,
    unit_id: int | None = None,
    unit_kind: str = "",
    light: str = "",
) -> Board:
    """The board as ``user`` may read it, scoped, filtered, counted and paginated in SQL over
    the stored board: ``rows`` is read a page at a time (``board_store.RowPage``), ``lagging``
    holds the first ``board_store.LAGGING_SHOWN`` rows behind."""
    return board_store.board_for_user(
        user=user,
        year=year,
        end_month=end_month,
        indicator_id=indicator_id,
        unit_id=unit_id,
        unit_kind=unit_kind,
        light=light,
    )


# ---------------------------------------------------------------------------------------------
# One row in depth: the chart, the needed pace, the Spring Festival, the nowcast


@dataclass
class Focus:
    row: Row
    chart: dict
    pace: NeededPace | None
    pace_note: str
    spring: SpringFestivalShift | None
    forecast: Nowcast | None
    forecast_note: str
    responsible_unit_id: int


def focus_for_user(*, user, target: Target, end_month: int) -> Focus:
    """The chart of actual vs plan vs last year, and the numbers leaders ask after a release.

    ``target`` comes from ``selectors.target_get_for_user``, which has checked the user may
    read it."""
    indicator = target.indicator
    series = figure_map(
        indicator_ids=[indicator.pk],
        unit_ids=[target.unit_id],
        years=range(target.year - 12, target.year + 1),
    )
    plans = {pv.end_month: pv for pv in target.plan_values.all()}
    explanation = (
        Explanation.objects.filter(
            indicator=indicator,
            unit=target.unit,
            year=target.year,
            end_month=indicator.effective_month(end_month) or 0,
        )
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )
    row = _row(
        target,
        end_month,
        series,
        {(target.pk, m): pv for m, pv in plans.items()},
        {(indicator.pk, target.unit_id, explanation.end_month): explanation} if explanation else {},
    )
    chart = chart_for(target, series, plans)
    pace, pace_note = _pace(target, row, series)
    spring = None
    if row.period is not None and row.period.end_month <= 3:
        shift = spring_festival_shift(target.year)
        spring = shift if shift.distorts(row.period) else None
    forecast, forecast_note = forecast_for(target, row, series)
    return Focus(
        row, chart, pace, pace_note, spring, forecast, forecast_note, responsible_unit_id(target)
    )


def _plain(value: Decimal | None) -> Decimal | None:
    # The database keeps four places; explanations read "52.31", not "52.3100".
    return None if value is None else plain(value)


def _number(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def chart_for(target: Target, series, plans) -> dict:
    """The chart data (actual, plan, last year; Decimals as strings) from a ``figure_map``
    holding the target's figures and its plan values by end month."""
    indicator = target.indicator
    months = indicator.release_months()
    key = (indicator.pk, target.unit_id)

    growth_only = indicator.growth_only

    def values(year: int) -> list[str | None]:
        out = []
        for m in months:
            figure = series.get((*key, year, m))
            # a growth-only indicator is charted as its published cumulative growth
            value = (figure.growth_pct if growth_only else figure.value) if figure else None
            out.append(_number(value))
        return out

    if growth_only:
        goal = _number(target.growth_pct)
        plan_data = [goal for _m in months]
    else:
        plan_data = [_number(plans[m].value) if m in plans else None for m in months]
    measure = "%" if growth_only else indicator.measure_unit
    return {
        "title": f"{target.unit.name} · {indicator.name}（{measure}）",
        "measure": measure,
        "labels": [Period.cumulative(target.year, m).label for m in months],
        "series": [
            {
                "name": _("Actual %(year)s") % {"year": target.year},
                "kind": "actual",
                "data": values(target.year),
            },
            {
                "name": _("Target growth") if growth_only else _("Plan"),
                "kind": "plan",
                "data": plan_data,
            },
            {
                "name": _("Actual %(year)s") % {"year": target.year - 1},
                "kind": "last_year",
                "data": values(target.year - 1),
            },
        ],
    }


def _pace(target: Target, row: Row, series) -> tuple[NeededPace | None, str]:
    indicator = target.indicator
    if target.growth_pct is None:
        return None, ""
    if row.period is None or row.figure is None or row.figure.value is None:
        return None, _("The needed pace is computed once this period's figure is in.")
    last_year = {
        m: figure.value
        for (i, u, y, m), figure in series.items()
        if (i, u, y) == (indicator.pk, target.unit_id, target.year - 1) and figure.value
    }
    try:
        pace = needed_pace(
            period=row.period,
            actual_to_date=plain(row.figure.value),
            published_growth_pct=_plain(row.figure.growth_pct),
            target_growth_pct=plain(target.growth_pct),
            last_year={
                Period.cumulative(target.year - 1, m): plain(v) for m, v in last_year.items()
            },
            merged_jan_feb=indicator.merged_jan_feb,
            quarterly_only=indicator.quarterly_only,
            price_basis=indicator.price_basis_enum,
        )
    except KaimenError as exc:
        return None, exc.message
    if indicator.growth_only:
        pace = growth_only_pace(pace)
    return pace, ""


def growth_only_pace(pace: NeededPace) -> NeededPace:
    """The needed pace told in growth rates only, for an indicator published as a rate at this
    level: the stored levels (an index) only carry the arithmetic and are never shown."""
    basis = "" if pace.published_growth_pct is not None else "（尚无今年公布的累计增速，仅供参考）"
    growth = pace.published_growth_pct
    parts = [
        f"{pace.period.label}累计增长{growth}%，" if growth is not None else "",
        f"全年目标增长{pace.target_growth_pct}%",
    ]
    if pace.rest_of_year_label is not None:
        parts.append(f"，{pace.rest_of_year_label}需增长{pace.needed_rest_of_year_growth_pct}%")
    else:
        parts.append("，全年已结束")
    if pace.rest_of_quarter_label is not None and pace.quarter_end is not None:
        parts.append(
            f"；要在{pace.quarter_end.label}累计达到目标增速，{pace.rest_of_quarter_label}"
            f"需增长{pace.needed_rest_of_quarter_growth_pct}%"
        )
    notes = (pace.spring_festival.note,) if pace.spring_festival is not None else ()
    return replace(pace, explanation="".join(parts) + "。" + basis, notes=notes)


def forecast_for(target: Target, row: Row, series) -> tuple[Nowcast | None, str]:
    """The nowcast of a row from a ``figure_map`` holding the unit's earlier years, or None
    and the reason there is none, naming the indicator (and the unit where it is the unit's
    data that is missing)."""
    indicator = target.indicator
    names = {"indicator": indicator.name}
    if indicator.kind not in ("amount", "count"):
        return None, _(
            "%(indicator)s is a ratio: it is lit against its target value, not forecast."
        ) % names
    if indicator.frequency == "yearly":
        return None, _("%(indicator)s is published once a year: no forecast within the year.") % (
            names
        )
    if indicator.growth_only:
        return None, _(
            "%(indicator)s is published as a growth rate only at this level: no level forecast."
        ) % names
    if row.period is None or row.figure is None or not row.figure.value:
        names["unit"] = target.unit.name
        return None, _(
            "%(unit)s has no cumulative %(indicator)s for this period yet: no forecast."
        ) % names
    history: dict[int, dict[Period, Decimal]] = {}
    for (i, u, y, m), figure in series.items():
        if (i, u) == (indicator.pk, target.unit_id) and y < target.year and figure.value:
            history.setdefault(y, {})[Period.cumulative(y, m)] = plain(figure.value)
    if not history:
        names["unit"] = target.unit.name
        return None, _(
            "No earlier years of %(indicator)s are stored for %(unit)s, so there is no forecast."
        ) % names
    try:
        return (
            nowcast(
                history=history,
                period=row.period,
                actual_to_date=plain(row.figure.value),
                merged_jan_feb=indicator.merged_jan_feb,
                quarterly_only=indicator.quarterly_only,
                target=_plain(target.value),
            ),
            "",
        )
    except KaimenError as exc:
        return None, exc.message


def history_for(target: Target) -> dict[int, dict[int, Decimal]]:
    return history_of(indicator_id=target.indicator_id, unit_id=target.unit_id, before=target.year)
