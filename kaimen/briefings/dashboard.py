"""The leader dashboard (驾驶舱): where the campaign stands, on one screen. Selection only.

A leader glances at it on the wall screen of the meeting room or on a laptop before the Monday
dispatch meeting, so everything here is already decided elsewhere and only gathered: lights and
explanations by the targets' monitoring, the nowcast by ``targets.nowcast``, overdue tasks and
their supervision by the ledger (through ``briefings.assemble``, the same rows the briefing
prints), rankings and the 红黑榜 as the office published them (``evaluation.selectors``), open
accountability proposals by ``accountability.selectors``. Nothing on the screen is invented: a
ranking not yet published says so, a nowcast without history says why.

Server time. The key indicators (the district's own targets of the indicators marked key) are
computed on every request, a handful of queries however long the history. The census of lights
over every unit and indicator of the year needs the whole monitoring board, which grows with
the district (1.3 s for 120 units × 60 indicators); it is cached under a fingerprint of the
tables it is computed from (one query), so any new figure, explanation, target, plan, indicator
or unit change recomputes it, and it expires after ``CENSUS_TTL`` seconds whatever happens. The
screen always says when the census was computed.

Only leaders and the campaign office open the dashboard (``Perm.DASHBOARD_VIEW``); both read
every business record, so the rows are not narrowed further.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.utils import translation

from kaimen.accountability.selectors import open_proposal_count
from kaimen.briefings.assemble import overdue_rows
from kaimen.briefings.snapshot import OverdueTask, RankingRow, RollRow
from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.evaluation import selectors as evaluation
from kaimen.ledger.models import OPEN_STATUSES, Task, TaskStatus
from kaimen.ledger.models import Light as TaskLight
from kaimen.lib import clock
from kaimen.lib.errors import NotFound
from kaimen.lib.periods import Period, elapsed_share_of_year
from kaimen.org import scope
from kaimen.org.models import Unit, UnitKind
from kaimen.org.scope import Perm
from kaimen.targets import board
from kaimen.targets.board import Row
from kaimen.targets.models import Actual, Explanation, Indicator, PlanValue, Target, Tier
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
LIST_LIMIT = 5  # rows per alert list and per peer group: one screen, the rest one click away
HISTORY_YEARS = 12  # the nowcast's history, as the monitoring page's focus reads it
SHORT_HISTORY_YEARS = 5  # fewer years than this: the range is shown with a caveat
CENSUS_TTL = 600  # seconds; the fingerprint catches every change, the TTL bounds the rest
HUNDRED = Decimal(100)


# ---------------------------------------------------------------------------------------------
# What the screen shows


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
        """What should be done by now: the expectation the light was judged on, or for a
        light judged on growth the calendar's time progress (时间进度) beside the completion."""
        result = self.row.result
        if result is None:
            return None
        return (
            result.expected_pct if result.expected_pct is not None else result.calendar_progress_pct
        )

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
class CampaignClock:
    start: date
    end: date
    day: int  # today's day of the campaign (0 before it starts)
    days: int
    pct: Decimal  # 0–100
    state: str  # "upcoming" | "running" | "ended"


@dataclass(frozen=True)
class TaskCounts:
    total: int = 0
    green: int = 0  # open tasks by light
    yellow: int = 0
    red: int = 0
    closed: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class OverdueItem:
    task_id: int
    lead_unit_id: int
    row: OverdueTask  # path, title, lead unit, deadline, working days late, supervision


@dataclass(frozen=True)
class Ranked:
    row: RankingRow
    unit_id: int | None


@dataclass(frozen=True)
class PeerGroup:
    name: str  # "镇街", "部门"
    top: tuple[Ranked, ...]
    size: int
    red: tuple[tuple[RollRow, int | None], ...] = ()  # 红榜
    black: tuple[tuple[RollRow, int | None], ...] = ()  # 黑榜


@dataclass(frozen=True)
class Dashboard:
    computed_at: datetime
    campaign: Campaign | None
    campaigns: list[Campaign]
    year: int
    end_month: int | None
    period_label: str  # "2025年1-3月"
    year_progress_pct: Decimal | None  # 时间进度 at the statistics period
    campaign_clock: CampaignClock | None
    key_indicators: tuple[KeyIndicator, ...]
    key_fallback: bool  # no indicator is marked key: the first of the catalogue are shown
    census: LightCensus
    tasks: TaskCounts
    overdue: tuple[OverdueItem, ...]
    ranking_period: str
    groups: tuple[PeerGroup, ...]
    open_proposals: int  # accountability proposals awaiting a person's decision
    chart: dict = field(default_factory=dict)

    @property
    def has_ranking(self) -> bool:
        return bool(self.groups)

    @property
    def red_key_indicators(self) -> int:
        return sum(1 for k in self.key_indicators if k.light == Light.RED)


# ---------------------------------------------------------------------------------------------
# The selector


def dashboard_for_user(*, user, campaign_id: int | None = None) -> Dashboard:
    """Everything the dashboard shows, for a leader or the office (others: PermissionDenied).

    ``campaign_id`` chooses the campaign (default: the one running today, else the latest);
    its year gives the targets, the latest month with figures the statistics period."""
    scope.require(user, Perm.DASHBOARD_VIEW)
    now = clock.now()
    today = clock.today()
    campaigns = list(Campaign.objects.order_by("-year", "-start", "name")[:50])
    campaign = _campaign(campaigns, campaign_id, today)
    year = campaign.year if campaign else (target_years() or [today.year])[0]
    end_month = latest_period_with_figures(year)

    district = district_unit()
    key_targets, fallback = _key_targets(year, district)
    keys, chart = _key_indicators(key_targets, year, end_month)
    census = light_census(
        year=year, end_month=end_month, key_ids=[t.indicator_id for t in key_targets]
    )
    tasks, overdue = _tasks(campaign, year, today)
    groups = _peer_groups(campaign)
    chart["spread"] = [
        {"name": s.indicator, "red": s.red, "yellow": s.yellow, "green": s.green, "unlit": s.unlit}
        for s in census.spread
    ]
    return Dashboard(
        computed_at=now,
        campaign=campaign,
        campaigns=campaigns,
        year=year,
        end_month=end_month,
        period_label=f"{year}年{Period.cumulative(year, end_month).label}" if end_month else "",
        year_progress_pct=(
            (elapsed_share_of_year(Period.cumulative(year, end_month)) * HUNDRED).quantize(
                Decimal("0.01")
            )
            if end_month
            else None
        ),
        campaign_clock=_campaign_clock(campaign, today) if campaign else None,
        key_indicators=keys,
        key_fallback=fallback,
        census=census,
        tasks=tasks,
        overdue=overdue,
        ranking_period=evaluation.published_period_label(campaign) if groups else "",
        groups=groups,
        open_proposals=open_proposal_count(user),
        chart=chart,
    )


def _campaign(campaigns: list[Campaign], campaign_id: int | None, today: date) -> Campaign | None:
    if campaign_id is not None:
        for c in campaigns:
            if c.pk == campaign_id:
                return c
        try:
            return Campaign.objects.get(pk=campaign_id)
        except Campaign.DoesNotExist as exc:
            raise NotFound(
                "没有找到这个战役：它可能已被删除，请从驾驶舱的战役列表中重新选择。"
            ) from exc
    active = [c for c in campaigns if c.status == CampaignStatus.ACTIVE]
    running = [c for c in active if c.start <= today <= c.end]
    return (running or active or campaigns or [None])[0]


def _campaign_clock(campaign: Campaign, today: date) -> CampaignClock:
    days = (campaign.end - campaign.start).days + 1
    if today < campaign.start:
        day, state = 0, "upcoming"
    elif today > campaign.end:
        day, state = days, "ended"
    else:
        day, state = (today - campaign.start).days + 1, "running"
    pct = (Decimal(day) / Decimal(days) * HUNDRED).quantize(Decimal("0.1"))
    return CampaignClock(campaign.start, campaign.end, day, days, pct, state)


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
        data["title"] = f"{target.indicator.name}（{target.indicator.measure_unit}）"
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
# The census of lights over the whole district, cached under a fingerprint of its inputs


def light_census(*, year: int, end_month: int | None, key_ids: list[int]) -> LightCensus:
    """Counts of lights over every unit × indicator, the red lights still unexplained and the
    spread of the key indicators over the towns and departments (see the module docstring for
    the cache)."""
    if end_month is None:
        return LightCensus(computed_at=clock.now())
    parts = [
        str(year),
        str(end_month),
        translation.get_language() or "",
        ",".join(str(i) for i in key_ids),
        _data_fingerprint(year),
    ]
    key = "kaimen.dashboard.census." + hashlib.sha256("|".join(parts).encode()).hexdigest()
    census = cache.get(key)
    if census is None:
        census = _compute_census(year, end_month, key_ids)
        cache.set(key, census, CENSUS_TTL)
    return census


def _data_fingerprint(year: int) -> str:
    """Changes whenever anything the board is computed from changes: figures and explanations
    are only ever added (统计法: corrections are new versions), targets, indicators and units
    carry a version that every edit raises, plans are deleted and written anew."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    # Table names come from the models, the year is a parameter: nothing from the request.
    sql = (
        f"SELECT (SELECT MAX(id) FROM {table(Actual)}),"  # noqa: S608 - see above
        f" (SELECT MAX(id) FROM {table(Explanation)}),"
        f" (SELECT COUNT(*) FROM {table(Target)} WHERE year = %s),"
        f" (SELECT SUM(version) FROM {table(Target)} WHERE year = %s),"
        f" (SELECT MAX(updated_at) FROM {table(Target)} WHERE year = %s),"
        f" (SELECT COUNT(*) FROM {table(PlanValue)}),"
        f" (SELECT MAX(id) FROM {table(PlanValue)}),"
        f" (SELECT COUNT(*) FROM {table(Indicator)}),"
        f" (SELECT SUM(version) FROM {table(Indicator)}),"
        f" (SELECT COUNT(*) FROM {table(Unit)}),"
        f" (SELECT SUM(version) FROM {table(Unit)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, year, year])
        values = cursor.fetchone()
    return "|".join(str(v) for v in values)


def _compute_census(year: int, end_month: int, key_ids: list[int]) -> LightCensus:
    rows = board.board_rows(year=year, end_month=end_month)
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
    basis = row.indicator.light_basis
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


# ---------------------------------------------------------------------------------------------
# Tasks, rankings and accountability


def _tasks(
    campaign: Campaign | None, year: int, today: date
) -> tuple[TaskCounts, tuple[OverdueItem, ...]]:
    qs = Task.objects.all()
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    else:
        qs = qs.filter(campaign__start__year__lte=year, campaign__end__year__gte=year)
    open_ = Q(status__in=OPEN_STATUSES)
    late = open_ & Q(deadline__lt=today)
    counts = qs.aggregate(
        total=Count("pk"),
        green=Count("pk", filter=open_ & Q(light=TaskLight.GREEN)),
        yellow=Count("pk", filter=open_ & Q(light=TaskLight.YELLOW)),
        red=Count("pk", filter=open_ & Q(light=TaskLight.RED)),
        closed=Count("pk", filter=Q(status=TaskStatus.CLOSED)),
        overdue=Count("pk", filter=late),
    )
    if not counts["overdue"]:
        return TaskCounts(**counts), ()
    oldest = list(
        qs.filter(late).select_related("lead_unit").order_by("deadline", "path", "pk")[:LIST_LIMIT]
    )
    items = tuple(
        OverdueItem(task.pk, task.lead_unit_id, row) for task, row in overdue_rows(oldest, today)
    )
    return TaskCounts(**counts), items


def _peer_groups(campaign: Campaign | None) -> tuple[PeerGroup, ...]:
    ranking = evaluation.published_ranking_rows(campaign)
    roll = evaluation.published_roll_rows(campaign) if ranking else ()
    if not ranking:
        return ()
    names = {r.unit for r in ranking} | {r.unit for r in roll}
    ids = dict(Unit.objects.filter(name__in=names).values_list("name", "pk"))
    by_group: dict[str, list[RankingRow]] = {}
    for r in ranking:
        by_group.setdefault(r.peer_group, []).append(r)
    groups = []
    for name, rows in by_group.items():
        ordered = sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.unit))
        groups.append(
            PeerGroup(
                name=name,
                top=tuple(Ranked(r, ids.get(r.unit)) for r in ordered[:LIST_LIMIT]),
                size=len(rows),
                red=tuple(
                    (r, ids.get(r.unit)) for r in roll if r.peer_group == name and r.board == "red"
                ),
                black=tuple(
                    (r, ids.get(r.unit))
                    for r in roll
                    if r.peer_group == name and r.board == "black"
                ),
            )
        )
    return tuple(groups)
