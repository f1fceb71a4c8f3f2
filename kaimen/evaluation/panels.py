"""The home panel: the user's own unit's latest standing (and, for the office, the objections
waiting for an answer); the dashboard's panel: the latest published ranking of each peer group
and its 红黑榜, as the office published them."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.evaluation import selectors
from kaimen.evaluation.rows import RankingRow, RollRow
from kaimen.lib.contracts import dashboard
from kaimen.lib.contracts.dashboard import LIST_LIMIT, Fragment, Frame
from kaimen.lib.contracts.home import Panel
from kaimen.org.models import Unit


def standing_panel(request: HttpRequest) -> Panel | None:
    standing = selectors.home_standing(user=request.user)
    ranked = standing is not None and any(
        row.rank is not None or row.total is not None for row in standing.rows
    )
    if standing is None or not (ranked or standing.unanswered):
        return None  # no card for a role or unit without a rank, with nothing to answer
    return Panel(
        _("Rankings: where my unit stands"),
        "evaluation/_panel_standing.html",
        {"standing": standing},
        order=30,
    )


# ---------------------------------------------------------------------------------------------
# The dashboard's panel


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
class Rankings:
    period: str  # the published run's period, "2025年3月"
    groups: tuple[PeerGroup, ...]
    rules: tuple[str, ...] = ()  # the 红黑榜 rules the run applied, shown with the lists

    @property
    def has_ranking(self) -> bool:
        return bool(self.groups)


def dashboard_panel(frame: Frame) -> dashboard.Panel:
    groups = _peer_groups(frame.campaign)
    period = selectors.published_period_label(frame.campaign) if groups else ""
    rules = selectors.published_roll_rules(frame.campaign) if groups else ()
    return dashboard.Panel(
        "evaluation",
        Rankings(period, groups, rules),
        (Fragment(dashboard.MAIN, "evaluation/_dashboard.html#ranking", 30),),
    )


def _peer_groups(campaign) -> tuple[PeerGroup, ...]:
    ranking = selectors.published_ranking_rows(campaign)
    roll = selectors.published_roll_rows(campaign) if ranking else ()
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
