"""红黑榜: the draft of each period's top and bottom, the objection window, commendation citations.

The office publishes nothing straight from the engine. The draft goes to the units first: each
sees its own standing and formula and may lodge an objection (申诉) within a window counted in
official working days; the office answers every objection, then confirms and publishes.

Units held back by the minimum-sample rule never appear on the red list: one good data point is
not a record worth commending. Ties at the cut-off are listed together — leaving out one of two
units with the same score would be arbitrary.

Pure Python.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kaimen.evaluation.scoring import Scoreboard, UnitScore, fmt, fmt_points, movement_text
from kaimen.lib.errors import ValidationError
from kaimen.lib.text import chinese_date
from kaimen.lib.workdays import Overrides, add_workdays

DEFAULT_TOP_K = 3
DEFAULT_BOTTOM_K = 3
DEFAULT_OBJECTION_WORKDAYS = 5


@dataclass(frozen=True)
class RollEntry:
    unit: str
    name: str
    peer_group: str
    rank: int
    peers: int
    tied: bool
    total: Decimal
    movement: int | None
    reason: str


@dataclass(frozen=True)
class GroupRoll:
    group: str
    label: str
    red: tuple[RollEntry, ...]  # 红榜, best first
    black: tuple[RollEntry, ...]  # 黑榜, worst first
    notes: tuple[str, ...]


@dataclass(frozen=True)
class HonourRollDraft:
    scheme: str
    period: str
    top_k: int
    bottom_k: int
    groups: tuple[GroupRoll, ...]

    def group(self, key: str) -> GroupRoll:
        for g in self.groups:
            if g.group == key:
                return g
        raise KeyError(key)


def _entry(u: UnitScore, label: str) -> RollEntry:
    assert u.rank is not None
    assert u.total is not None
    place = f"{'并列' if u.tied else ''}第{u.rank}名"
    strongest = max(
        (d for d in u.dimensions if d.points is not None),
        key=lambda d: d.points or Decimal(0),
        default=None,
    )
    weakest = min(
        (d for d in u.dimensions if d.points is not None),
        key=lambda d: d.points or Decimal(0),
        default=None,
    )
    detail = ""
    if strongest is not None and weakest is not None and strongest is not weakest:
        detail = (
            f"，{strongest.dimension.label}得分最高（{fmt_points(strongest.points or Decimal(0))}分），"
            f"{weakest.dimension.label}得分最低（{fmt_points(weakest.points or Decimal(0))}分）"
        )
    reason = (
        f"总分{fmt_points(u.total)}分，{label}组{u.peers}个单位中{place}{detail}，"
        f"{movement_text(u.previous_rank, u.rank)}。"
    )
    return RollEntry(
        unit=u.unit,
        name=u.name,
        peer_group=u.peer_group,
        rank=u.rank,
        peers=u.peers,
        tied=u.tied,
        total=u.total,
        movement=u.movement,
        reason=reason,
    )


def _take(ordered: Sequence[UnitScore], k: int) -> list[UnitScore]:
    """The first k of ``ordered`` plus anyone tied with the k-th."""
    if k <= 0 or not ordered:
        return []
    if len(ordered) <= k:
        return list(ordered)
    cut = ordered[k - 1].rank
    return [u for i, u in enumerate(ordered) if i < k or u.rank == cut]


def draft_honour_roll(
    board: Scoreboard, *, top_k: int = DEFAULT_TOP_K, bottom_k: int = DEFAULT_BOTTOM_K
) -> HonourRollDraft:
    """Top ``top_k`` (红榜) and bottom ``bottom_k`` (黑榜) of each peer group, as a draft."""
    if top_k < 0 or bottom_k < 0:
        raise ValidationError("红黑榜的入榜数量不能为负数。", field="top_k")
    groups = []
    for g in board.groups:
        ranked = [u for u in g.units if u.rank is not None and u.total is not None]
        ranked.sort(key=lambda u: u.rank or 0)
        notes: list[str] = []
        limited = [u for u in ranked if u.limited]
        if limited:
            notes.append(
                "按最少样本规则不列入红榜："
                + "、".join(
                    f"{u.name}（总分{fmt_points(u.total or Decimal(0))}分）" for u in limited
                )
                + "。"
            )
        unranked = [u for u in g.units if u.rank is None]
        if unranked:
            notes.append(
                "本期没有可计分数据、未参与排名，不列入红黑榜："
                + "、".join(u.name for u in unranked)
                + "。"
            )
        red = _take([u for u in ranked if not u.limited], top_k)
        red_keys = {u.unit for u in red}
        black = _take([u for u in reversed(ranked) if u.unit not in red_keys], bottom_k)
        for chosen, k, what in ((red, top_k, "红榜"), (black, bottom_k, "黑榜")):
            if len(chosen) > k:
                notes.append(f"{what}第{k}位有并列，并列单位一并列入（共{len(chosen)}个）。")
        groups.append(
            GroupRoll(
                group=g.group,
                label=g.label,
                red=tuple(_entry(u, g.label) for u in red),
                black=tuple(_entry(u, g.label) for u in black),
                notes=tuple(notes),
            )
        )
    return HonourRollDraft(board.scheme, board.period, top_k, bottom_k, tuple(groups))


# ---------------------------------------------------------------------------------------------
# The objection window


@dataclass(frozen=True)
class ObjectionWindow:
    shown_on: date  # the day the units could see their own standing
    closes_on: date  # the last day an objection is accepted (inclusive)
    workdays: int

    def is_open(self, today: date) -> bool:
        return self.shown_on <= today <= self.closes_on

    @property
    def text(self) -> str:
        return (
            f"自{chinese_date(self.shown_on)}起，各单位可在{self.workdays}个工作日内"
            f"（截至{chinese_date(self.closes_on)}）对本单位的得分、排名和计算过程提出申诉。"
        )


def objection_window(
    shown_on: date,
    *,
    workdays: int = DEFAULT_OBJECTION_WORKDAYS,
    overrides: Overrides | None = None,
    complete_years: Collection[int] = (),
) -> ObjectionWindow:
    """The window opened by showing the draft on ``shown_on``.

    As 民法典 第201条 counts periods, the day of showing is not counted: shown on a Friday
    with 5 working days, the window closes at the end of the following Friday (or later, when a
    holiday intervenes, on the official calendar).
    """
    if workdays < 1:
        raise ValidationError("申诉期至少为1个工作日。", field="workdays")
    closes = add_workdays(shown_on, workdays, overrides, complete_years=complete_years)
    return ObjectionWindow(shown_on, closes, workdays)


def publication_blockers(
    window: ObjectionWindow, *, today: date, unanswered_objections: int
) -> tuple[str, ...]:
    """Why the office may not publish yet; empty when it may."""
    blockers: list[str] = []
    if today <= window.closes_on:
        blockers.append(
            f"申诉期尚未结束（截至{chinese_date(window.closes_on)}），请在申诉期结束后再发布。"
        )
    if unanswered_objections > 0:
        blockers.append(f"还有{unanswered_objections}件申诉未答复，请全部答复后再发布。")
    return tuple(blockers)


# ---------------------------------------------------------------------------------------------
# Commendations


@dataclass(frozen=True)
class Commendation:
    kind: str  # "unit" (先进单位) | "person" (先进个人)
    name: str
    unit: str
    citation: str


def unit_citation(entry: RollEntry, *, campaign: str, period: str) -> Commendation:
    """A draft citation for a red-list unit, for the office to edit before publishing."""
    place = f"{'并列' if entry.tied else ''}第{entry.rank}名"
    citation = (
        f"{entry.name}在{campaign}工作竞赛中，{period}综合得分{fmt(entry.total)}分，"
        f"位列同类单位{place}，特予通报表扬，授予“先进单位”称号。"
    )
    return Commendation("unit", entry.name, entry.unit, citation)


def person_citation(
    *, name: str, unit: str, unit_name: str, deeds: str, campaign: str
) -> Commendation:
    """A draft citation for a person; ``deeds`` is what the unit wrote about them."""
    if not name.strip() or not deeds.strip():
        raise ValidationError("先进个人需要姓名和主要事迹。", field="deeds")
    deeds = deeds.strip().rstrip("。")
    citation = (
        f"{unit_name}{name}同志在{campaign}中{deeds}，表现突出，特予通报表扬，授予“先进个人”称号。"
    )
    return Commendation("person", name, unit, citation)
