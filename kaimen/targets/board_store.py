"""The monitoring board, stored: one ``BoardEntry`` per ensure-tier target and board month.

The board is computed once per data change, not on every read. ``sync(year)`` compares the
year's ``BoardState`` (the highest figure, explanation and plan ids, the targets' last change,
every indicator's and unit's version, the computation's version) with the tables in one query,
and recomputes only the targets whose figures (this year's or last year's), explanations, plans,
target, indicator or unit moved since; a year never stored is computed whole. The services that
change the board's data (figures, corrections, imports, targets and plans, explanations,
indicators) call ``sync_after_write`` inside their transaction, so the stored board commits with
the change; readers call ``sync`` too, so a write made outside the services (a shell, a fixture,
a unit renamed in the org app) is caught at the next read. ``kaimen targets board rebuild``
recomputes everything (repair, or after a change to how rows are computed: raise
``COMPUTATION`` instead and every stored board is recomputed at its next read).

Every reader goes through this module: ``rows`` (a list of ``board.Row``, for the red-light
job, the metrics, the escalation facts, the briefing and the dashboard) and ``board_for_user``
(the monitoring page and API: scoped, filtered, counted and paginated in SQL). Ranks are not
stored, since one town's new figure moves every peer's rank: each entry keeps the value it is
ranked by and a reader ranks the peers of the rows it shows (one small query per page).

Row texts (the light's explanation, notes) are stored in the site's language (zh-hans).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime

from kaimen.lib import clock
from kaimen.lib.periods import Period, PeriodKind
from kaimen.org import scope
from kaimen.org.models import Unit, UnitKind
from kaimen.org.scope import Perm
from kaimen.targets import monitoring
from kaimen.targets.models import (
    Actual,
    BoardEntry,
    BoardState,
    Explanation,
    Indicator,
    PlanValue,
    Target,
    Tier,
)
from kaimen.targets.monitoring import Light, MonitorResult, rank_peers

log = logging.getLogger(__name__)

# Raise when the computation of a row changes: every stored board is recomputed at its next read.
COMPUTATION = 4
# Attributes of ``board.Row`` stored as columns of the same name (a new one: a column + a name).
ROW_COLUMNS = ("computed_growth_pct", "note", "spring_note")
MONTHS = range(1, 13)
RANKED_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN)
LAGGING_SHOWN = 15
# The board's order, in columns of the entry itself (see BoardEntry: an index holds it).
BOARD_ORDER = (
    "indicator_order",
    "indicator_code",
    "kind_order",
    "unit_order",
    "unit_name",
    "target_id",
)
_ENUMS = {cls.__name__: cls for cls in (Light, monitoring.LightBasis, monitoring.PriceBasis)}
_ENUMS |= {"Expectation": monitoring.Expectation, "PeriodKind": PeriodKind}


# ---------------------------------------------------------------------------------------------
# The stored result: MonitorResult ⇄ JSON, field by field, so a new field needs no code here


def encode(result: MonitorResult | None) -> dict | None:
    if result is None:
        return None
    return {f.name: _encode(getattr(result, f.name)) for f in fields(result)}


def _encode(value):
    if isinstance(value, Enum):
        return {"e": [type(value).__name__, value.value]}
    if isinstance(value, Decimal):
        return {"d": str(value)}
    if isinstance(value, Period):
        return {"p": [value.year, value.kind.value, value.end_month]}
    return value


def decode(data: dict | None) -> MonitorResult | None:
    if data is None:
        return None
    known = {f.name for f in fields(MonitorResult)}
    return MonitorResult(**{k: _decode(v) for k, v in data.items() if k in known})


def _decode(value):
    if isinstance(value, dict) and len(value) == 1:
        (tag, inner), *_ = value.items()
        if tag == "d":
            return Decimal(inner)
        if tag == "p":
            return Period(inner[0], PeriodKind(inner[1]), inner[2])
        if tag == "e":
            return _ENUMS[inner[0]](inner[1])
    return value


# ---------------------------------------------------------------------------------------------
# Keeping the stored board current


def _probe(year: int) -> dict:
    """One query over the tables the board of ``year`` is computed from."""
    quote = connection.ops.quote_name

    def table(model) -> str:
        return quote(model._meta.db_table)

    # Table names come from the models, the year is a parameter: nothing from the request.
    sql = (
        f"SELECT (SELECT MAX(id) FROM {table(Actual)}),"  # noqa: S608 - see above
        f" (SELECT MAX(id) FROM {table(Explanation)}),"
        f" (SELECT MAX(id) FROM {table(PlanValue)}),"
        f" (SELECT COUNT(*) FROM {table(PlanValue)}),"
        f" (SELECT COUNT(*) FROM {table(Target)} WHERE year = %s),"
        f" (SELECT SUM(version) FROM {table(Target)} WHERE year = %s),"
        f" (SELECT MAX(updated_at) FROM {table(Target)} WHERE year = %s),"
        f" (SELECT COUNT(*) FROM {table(Indicator)}),"
        f" (SELECT SUM(version) FROM {table(Indicator)}),"
        f" (SELECT COUNT(*) FROM {table(Unit)}),"
        f" (SELECT SUM(version) FROM {table(Unit)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, year, year])
        row = cursor.fetchone()
    names = ("actual", "explanation", "plan", "plans", "targets", "target_versions")
    names += ("target_changed", "indicators", "indicator_versions", "units", "unit_versions")
    probe = {
        n: (v if v is None or isinstance(v, int) else str(v))
        for n, v in zip(names, row, strict=True)
    }
    probe["computation"] = COMPUTATION
    return probe


def _versions(year: int) -> dict[str, int]:
    """The version of every indicator, unit and target of ``year`` (three small queries)."""
    out = {f"i{pk}": v for pk, v in Indicator.objects.values_list("pk", "version")}
    out |= {f"u{pk}": v for pk, v in Unit.objects.values_list("pk", "version")}
    out |= {f"t{pk}": v for pk, v in Target.objects.filter(year=year).values_list("pk", "version")}
    return out


def sync(year: int) -> BoardState:
    """Bring the stored board of ``year`` up to date with the tables, recomputing only what
    changed; two queries when nothing did."""
    state = BoardState.objects.filter(year=year).first()
    probe = _probe(year)
    if state is not None and state.probe == probe:
        return state
    with transaction.atomic():
        # One writer at a time per year (a no-op on SQLite, whose writes are serial anyway).
        state = BoardState.objects.select_for_update().filter(year=year).first()
        if state is not None and state.probe == probe:
            return state
        if state is None or state.probe.get("computation") != COMPUTATION:
            return rebuild(year, probe=probe)
        targets = _changed_targets(year, state, probe)
        if targets is None:
            return rebuild(year, probe=probe)
        return _refresh(year, targets, state, probe)


def sync_after_write(*years: int) -> None:
    """For the services: bring the stored boards current inside the writer's transaction.
    ``years`` are the years whose data changed; a figure also moves next year's board (last
    year's figure), so that one is synced too when it is stored. No years: every stored one (an
    indicator changed)."""
    stored = set(BoardState.objects.values_list("year", flat=True))
    wanted = {y for changed in years for y in (changed, changed + 1)} if years else stored
    for stored_year in sorted(wanted & stored):
        sync(stored_year)


def rebuild(year: int, *, probe: dict | None = None) -> BoardState:
    """Recompute the stored board of ``year`` whole (``kaimen targets board rebuild``)."""
    with transaction.atomic():
        probe = probe or _probe(year)
        BoardEntry.objects.filter(year=year).delete()
        targets = Target.objects.filter(year=year, tier=Tier.ENSURE)
        _write(year, _with_relations(targets))
        return _stamp(year, probe)


def board_rebuild(*, years: Iterable[int] | None = None, actor_name: str) -> dict[int, int]:
    """Repair: recompute the stored boards of ``years`` (default: every year with targets), one
    transaction and one audit event. Returns the rows stored per year."""
    from kaimen.audit.services import record

    wanted = sorted(set(years) if years else set(Target.objects.values_list("year", flat=True)))
    stored: dict[int, int] = {}
    with transaction.atomic():
        for year in wanted:
            rebuild(year)
            stored[year] = BoardEntry.objects.filter(year=year).count()
        record(
            actor=None,
            actor_name=actor_name,
            action="targets.board.rebuild",
            after={str(y): n for y, n in stored.items()},
        )
    return stored


def _stamp(year: int, probe: dict) -> BoardState:
    state = BoardState.objects.filter(year=year).first() or BoardState(year=year)
    state.probe = probe
    state.versions = _versions(year)
    state.computed_at = clock.now()
    state.generation += 1
    state.save()
    return state


def _changed_targets(year: int, state: BoardState, probe: dict) -> set[int] | None:
    """The ids of the targets of ``year`` whose rows may have changed since ``state``, or None
    when the change cannot be narrowed down (then the year is recomputed whole)."""
    old = state.probe
    pairs: set[tuple[int, int]] = set()
    ids: set[int] = set()
    indicators: set[int] = set()
    units: set[int] = set()
    if probe["actual"] != old["actual"]:
        pairs |= set(
            Actual.objects.filter(pk__gt=old["actual"] or 0, year__in=(year, year - 1))
            .order_by()
            .values_list("indicator_id", "unit_id")
            .distinct()
        )
    if probe["explanation"] != old["explanation"]:
        pairs |= set(
            Explanation.objects.filter(pk__gt=old["explanation"] or 0, year=year)
            .order_by()
            .values_list("indicator_id", "unit_id")
            .distinct()
        )
    if probe["plan"] != old["plan"] or probe["plans"] != old["plans"]:
        new_plans = set(
            PlanValue.objects.filter(pk__gt=old["plan"] or 0)
            .order_by()
            .values_list("target_id", flat=True)
            .distinct()
        )
        fewer = (probe["plans"] or 0) < (old["plans"] or 0)
        if not new_plans and fewer and probe["targets"] >= old["targets"]:
            return None  # plans deleted, not rewritten, and no target went: unknown whose
        ids |= new_plans
    target_keys = ("targets", "target_versions", "target_changed")
    versions_moved = any(probe[k] != old[k] for k in target_keys) or any(
        probe[k] != old[k] for k in ("indicators", "indicator_versions", "units", "unit_versions")
    )
    if versions_moved:
        # Edits go through save_versioned (an UPDATE raising the version) or save() (which
        # moves updated_at): the versions compared one by one catch the first, the time the rest.
        current = _versions(year)
        moved = {k for k, v in current.items() if state.versions.get(k) != v}
        ids |= {int(k[1:]) for k in moved if k[0] == "t"}
        indicators = {int(k[1:]) for k in moved if k[0] == "i"}
        units = {int(k[1:]) for k in moved if k[0] == "u"}
        if old["target_changed"] and probe["target_changed"] != old["target_changed"]:
            since = Target.objects.filter(year=year, updated_at__gte=_moment(old["target_changed"]))
            ids |= set(since.values_list("pk", flat=True))
    if pairs:
        pair_indicators = {i for i, _u in pairs}
        pair_units = {u for _i, u in pairs}
        for pk, i, u in Target.objects.filter(
            year=year, indicator_id__in=pair_indicators, unit_id__in=pair_units
        ).values_list("pk", "indicator_id", "unit_id"):
            if (i, u) in pairs:
                ids.add(pk)
    if indicators or units:
        ids |= set(
            Target.objects.filter(year=year)
            .filter(Q(indicator_id__in=indicators) | Q(unit_id__in=units))
            .values_list("pk", flat=True)
        )
    return ids


def _moment(text: str) -> datetime:
    """A time as the probe read it from the database (UTC, naive on SQLite)."""
    moment = parse_datetime(text)
    if moment is None:
        raise ValueError(f"not a time: {text!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _refresh(year: int, target_ids: set[int], state: BoardState, probe: dict) -> BoardState:
    if target_ids:
        BoardEntry.objects.filter(target_id__in=target_ids).delete()
        targets = Target.objects.filter(pk__in=target_ids, year=year, tier=Tier.ENSURE)
        _write(year, _with_relations(targets))
    log.debug("board %s: %s targets recomputed", year, len(target_ids))
    return _stamp(year, probe)


def _with_relations(qs: QuerySet[Target]) -> list[Target]:
    targets = list(
        qs.only("indicator", "unit", "year", "tier", "value", "growth_pct", "method", "parent")
    )
    indicators = Indicator.objects.in_bulk({t.indicator_id for t in targets})
    units = Unit.objects.in_bulk({t.unit_id for t in targets})
    for target in targets:
        target.indicator = indicators[target.indicator_id]
        target.unit = units[target.unit_id]
    return targets


def _write(year: int, targets: list[Target]) -> None:
    """Compute the rows of ``targets`` at every board month and store them."""
    from kaimen.targets import board  # the row's computation lives with the board

    if not targets:
        return
    from kaimen.targets.selectors import UNIT_KIND_ORDER

    entries = []
    with translation.override(settings.LANGUAGE_CODE):
        for month in MONTHS:
            for row in board.rows_for_targets(targets, year=year, end_month=month):
                target = row.target
                entry = BoardEntry(
                    target=target,
                    year=year,
                    end_month=month,
                    indicator_id=target.indicator_id,
                    unit_id=target.unit_id,
                    unit_kind=target.unit.kind,
                    kind_order=UNIT_KIND_ORDER.get(target.unit.kind, 9),
                    indicator_order=target.indicator.sort_order,
                    indicator_code=target.indicator.code,
                    unit_order=target.unit.sort_order,
                    unit_name=target.unit.name,
                    period_month=row.period.end_month if row.period else None,
                    figure_id=row.figure.pk if row.figure else None,
                    last_year_id=row.last_year.pk if row.last_year else None,
                    explanation_id=row.explanation.pk if row.explanation else None,
                    light=str(row.light or ""),
                    shortfall=row.shortfall,
                    rank_value=board._rank_value(row),
                    result=encode(row.result),
                )
                for name in ROW_COLUMNS:
                    setattr(entry, name, getattr(row, name))
                entries.append(entry)
    BoardEntry.objects.bulk_create(entries, batch_size=2000)


# ---------------------------------------------------------------------------------------------
# Reading


def entries(year: int, end_month: int) -> QuerySet[BoardEntry]:
    """The stored rows of the board of ``year`` at ``end_month``, in the board's order. The
    caller has synced the year."""
    return BoardEntry.objects.filter(year=year, end_month=end_month).order_by(*BOARD_ORDER)


def _loaded(qs: QuerySet[BoardEntry]) -> QuerySet[BoardEntry]:
    return qs.select_related("target", "indicator", "unit", "figure", "last_year", "explanation")


def to_row(entry: BoardEntry):
    from kaimen.targets.board import Row

    target = entry.target
    target.indicator = entry.indicator
    target.unit = entry.unit
    period = Period.cumulative(entry.year, entry.period_month) if entry.period_month else None
    row = Row(
        target,
        period,
        entry.figure,
        entry.last_year,
        decode(entry.result),
        None,
        entry.explanation,
    )
    for name in ROW_COLUMNS:
        setattr(row, name, getattr(entry, name))
    return row


def _rank(rows: list, values: dict[tuple[int, str], dict[int, Decimal | None]]) -> None:
    """Attach ranks to ``rows`` from the rank values of all their peers (target id → value by
    indicator and unit kind)."""
    by_group: dict[tuple[int, str], dict] = {}
    for row in rows:
        group = (row.target.indicator_id, row.target.unit.kind)
        peers = values.get(group)
        if row.target.unit.kind not in RANKED_KINDS or not peers or len(peers) < 2:
            continue
        if group not in by_group:
            ranks = rank_peers(peers, higher_is_better=row.indicator.higher_is_better)
            by_group[group] = {r.key: r for r in ranks}
        row.rank = by_group[group][row.target.pk]


def rows(*, year: int, end_month: int, indicator_id: int | None = None) -> list:
    """Every row of the board (of one indicator if given), ranked; not scoped."""
    sync(year)
    qs = entries(year, end_month)
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    out = [to_row(e) for e in _loaded(qs)]
    values: dict[tuple[int, str], dict[int, Decimal | None]] = defaultdict(dict)
    for row in out:
        values[(row.target.indicator_id, row.target.unit.kind)][row.target.pk] = _stored_rank(row)
    _rank(out, values)
    return out


def _stored_rank(row) -> Decimal | None:
    from kaimen.targets.board import _rank_value

    return _rank_value(row)


def visible(qs: QuerySet[BoardEntry], user) -> QuerySet[BoardEntry]:
    """The entries ``user`` may read: the rule of ``targets.view`` (its unit's rows and the rows
    of indicators its unit owns), in SQL."""
    if not scope.can(user, Perm.TARGETS_VIEW):
        return qs.none()
    own = scope.business_unit_ids(user)
    if own is None:
        return qs
    return qs.filter(Q(unit_id__in=own) | Q(indicator__owner_unit_id__in=own))


class RowPage:
    """The filtered rows of a board, read a page at a time (a ``Paginator`` asks ``count()``
    and a slice). Iterating reads them all."""

    def __init__(self, qs: QuerySet[BoardEntry], year: int, end_month: int):
        self.qs = qs
        self.year = year
        self.end_month = end_month
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return self.count() > 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self.read(self.qs[index])
        return self.read(self.qs[index : index + 1])[0]

    def __iter__(self) -> Iterator:
        return iter(self.read(self.qs))

    def read(self, qs: QuerySet[BoardEntry]) -> list:
        """The rows of ``qs`` (a slice of the board), ranked among all their peers. Two steps:
        the ids in the board's order (read down the order index), then the rows of those ids
        with their target, figures and explanation."""
        return self.read_ids(list(qs.values_list("pk", flat=True)))

    def read_ids(self, ids: list[int]) -> list:
        by_id = {e.pk: e for e in _loaded(BoardEntry.objects.filter(pk__in=ids))}
        out = [to_row(by_id[pk]) for pk in ids]
        ranked = [r for r in out if r.target.unit.kind in RANKED_KINDS]
        if ranked:
            _rank(out, peer_values(self.year, self.end_month, ranked))
        return out


def peer_values(
    year: int, end_month: int, rows: Iterable
) -> dict[tuple[int, str], dict[int, Decimal | None]]:
    """The rank values of every peer of ``rows``: one query."""
    indicators = {r.target.indicator_id for r in rows}
    values: dict[tuple[int, str], dict[int, Decimal | None]] = defaultdict(dict)
    peers = BoardEntry.objects.filter(
        year=year, end_month=end_month, indicator_id__in=indicators, unit_kind__in=RANKED_KINDS
    ).values_list("target_id", "indicator_id", "unit_kind", "rank_value")
    for target_id, indicator_id, kind, value in peers:
        values[(indicator_id, kind)][target_id] = _plain(value)
    return values


def _plain(value: Decimal | None) -> Decimal | None:
    from kaimen.targets.selectors import plain

    return None if value is None else plain(value)


@dataclass
class BoardPage:
    year: int
    end_month: int
    rows: RowPage
    lagging: list
    counts: dict[str, int]


def board_for_user(
    *,
    user,
    year: int,
    end_month: int,
    indicator_id: int | None = None,
    unit_id: int | None = None,
    unit_kind: str = "",
    light: str = "",
) -> BoardPage:
    """The board as ``user`` may read it: counts over every visible row (of the indicator if
    given), the lagging list and the rows after the filters, all in SQL."""
    scope.require(user, Perm.TARGETS_VIEW)
    sync(year)
    qs = visible(entries(year, end_month), user)
    if indicator_id:
        qs = qs.filter(indicator_id=indicator_id)
    red = Q(light=Light.RED)
    counts = qs.aggregate(
        red=Count("pk", filter=red),
        yellow=Count("pk", filter=Q(light=Light.YELLOW)),
        green=Count("pk", filter=Q(light=Light.GREEN)),
        unlit=Count("pk", filter=Q(light="")),
        unexplained=Count("pk", filter=red & Q(explanation__isnull=True)),
    )
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if unit_kind:
        qs = qs.filter(unit_kind=unit_kind)
    if light:
        qs = qs.filter(light="" if light == "none" else light)
    page = RowPage(qs, year, end_month)
    # Red rows first, then yellow, each furthest behind first: two short reads down the
    # lagging index (always both, so the page's query count does not depend on the data).
    lagging_ids: list[int] = []
    for shown in (Light.RED, Light.YELLOW):
        behind = qs.filter(light=shown).order_by("-shortfall", *BOARD_ORDER)
        lagging_ids += behind.values_list("pk", flat=True)[:LAGGING_SHOWN]
    lagging = page.read_ids(lagging_ids[:LAGGING_SHOWN])
    return BoardPage(year, end_month, page, lagging, {k: v or 0 for k, v in counts.items()})


def state_key(year: int) -> str:
    """A key that changes whenever the stored board of ``year`` does (for derived caches)."""
    state = sync(year)
    return f"{state.pk}:{state.generation}:{sorted(state.probe.items())}"
