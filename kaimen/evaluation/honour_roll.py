"""红黑榜: the draft of each period's top and bottom, the objection window, commendation citations.

The office publishes nothing straight from the engine. The draft goes to the units first: each
sees its own standing and formula and may lodge an objection (申诉) within a window counted in
official working days; the office answers every objection, then confirms and publishes.

The rules an office can defend, set per scheme (``RollRules``) and printed beside the list:

* 红榜: a total at or above an absolute bar (e.g. ≥ 85 points) AND a place within the top K (or
  the top share) of the group — first among weak units is no commendation;
* 黑榜: a total below a bar (e.g. < 60 points) AND a place within the bottom K (or share) — last
  among good units is no disgrace;
* a unit short of data points (the minimum-sample rule) is on neither list: one data point is
  not a record to commend or to name;
* a group with fewer units eligible than its minimum publishes no list, and says why.

Ties at the cut-off are listed together — leaving out one of two units with the same score would
be arbitrary.

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
DEFAULT_RED_MIN_TOTAL = Decimal(85)
DEFAULT_BLACK_BELOW_TOTAL = Decimal(60)
DEFAULT_MIN_GROUP_SIZE = 5


@dataclass(frozen=True)
class RollRules:
    """What puts a unit on the red or the black list; ``text`` is what the page prints.

    ``top_share``/``bottom_share`` (percent of the group's eligible units, rounded down, at
    least one) replace ``top_k``/``bottom_k`` when set. A bar of None means no bar."""

    top_k: int = DEFAULT_TOP_K
    bottom_k: int = DEFAULT_BOTTOM_K
    top_share: Decimal | None = None
    bottom_share: Decimal | None = None
    red_min_total: Decimal | None = DEFAULT_RED_MIN_TOTAL
    black_below_total: Decimal | None = DEFAULT_BLACK_BELOW_TOTAL
    min_group_size: int = DEFAULT_MIN_GROUP_SIZE

    def red_places(self, eligible: int) -> int:
        return _places(eligible, self.top_k, self.top_share)

    def black_places(self, eligible: int) -> int:
        return _places(eligible, self.bottom_k, self.bottom_share)

    @property
    def text(self) -> tuple[str, ...]:
        """The rules in the office's words, one sentence each."""
        red_where = (
            f"位列本组前{fmt(self.top_share)}%"
            if self.top_share is not None
            else f"位列本组前{self.top_k}名"
        )
        black_where = (
            f"位列本组后{fmt(self.bottom_share)}%"
            if self.bottom_share is not None
            else f"位列本组后{self.bottom_k}名"
        )
        red = (
            f"红榜：总分不低于{fmt(self.red_min_total)}分且{red_where}。"
            if self.red_min_total is not None
            else f"红榜：{red_where}。"
        )
        black = (
            f"黑榜：总分低于{fmt(self.black_below_total)}分且{black_where}。"
            if self.black_below_total is not None
            else f"黑榜：{black_where}。"
        )
        return (
            red,
            black,
            "数据点少于方案规定最少样本数的单位，不列入红黑榜。",
            f"本组数据充足的参与排名单位少于{self.min_group_size}个时，本组不发布红黑榜。",
            "名次在分界处并列的单位一并列入。",
        )


def _places(eligible: int, k: int, share: Decimal | None) -> int:
    if share is None:
        return k
    if eligible <= 0 or share <= 0:
        return 0
    return max(1, int(Decimal(eligible) * share / 100))


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
    rules: RollRules | None = None  # None: a draft stored before the rules were configurable

    @property
    def rules_text(self) -> tuple[str, ...]:
        return self.rules.text if self.rules is not None else ()

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
    board: Scoreboard,
    *,
    rules: RollRules | None = None,
    top_k: int = DEFAULT_TOP_K,
    bottom_k: int = DEFAULT_BOTTOM_K,
) -> HonourRollDraft:
    """红榜 and 黑榜 of each peer group under ``rules``, as a draft.

    Without ``rules``: the top ``top_k`` and bottom ``bottom_k`` with no bar and no minimum group
    size (the units short of samples are left out all the same)."""
    if rules is None:
        rules = RollRules(
            top_k=top_k, bottom_k=bottom_k, red_min_total=None, black_below_total=None,
            min_group_size=1,
        )  # fmt: skip
    if rules.top_k < 0 or rules.bottom_k < 0:
        raise ValidationError("红黑榜的入榜数量不能为负数。", field="top_k")
    groups = [_group_roll(g, rules) for g in board.groups]
    return HonourRollDraft(
        board.scheme, board.period, rules.top_k, rules.bottom_k, tuple(groups), rules
    )


def _names(units: Sequence[UnitScore]) -> str:
    return "、".join(f"{u.name}（总分{fmt_points(u.total or Decimal(0))}分）" for u in units)


def _group_roll(g, rules: RollRules) -> GroupRoll:
    ranked = [u for u in g.units if u.rank is not None and u.total is not None]
    ranked.sort(key=lambda u: u.rank or 0)
    notes: list[str] = []
    limited = [u for u in ranked if u.limited]
    if limited:
        notes.append(f"按最少样本规则不列入红黑榜：{_names(limited)}。")
    unranked = [u for u in g.units if u.rank is None]
    if unranked:
        notes.append(
            "本期没有可计分数据、未参与排名，不列入红黑榜："
            + "、".join(u.name for u in unranked)
            + "。"
        )
    eligible = [u for u in ranked if not u.limited]
    if len(eligible) < rules.min_group_size:
        notes.append(
            f"本期数据充足的参与排名单位只有{len(eligible)}个，少于方案规定的"
            f"{rules.min_group_size}个，本组不发布红黑榜。"
        )
        return GroupRoll(g.group, g.label, (), (), tuple(notes))
    red_k, black_k = rules.red_places(len(eligible)), rules.black_places(len(eligible))
    red_places = _take(eligible, red_k)
    red = [u for u in red_places if _meets(u, rules.red_min_total, red=True)]
    red_keys = {u.unit for u in red}
    black_places = _take(list(reversed(eligible)), black_k)
    black = [
        u
        for u in black_places
        if u.unit not in red_keys and _meets(u, rules.black_below_total, red=False)
    ]
    short_of_red = [u for u in red_places if u not in red]
    if short_of_red and rules.red_min_total is not None:
        notes.append(
            f"名次在前{red_k}名、但总分低于红榜分数线{fmt(rules.red_min_total)}分，"
            f"不列入红榜：{_names(short_of_red)}。"
        )
    above_black = [u for u in black_places if u not in black and u.unit not in red_keys]
    if above_black and rules.black_below_total is not None:
        notes.append(
            f"名次在后{black_k}名、但总分不低于黑榜分数线{fmt(rules.black_below_total)}分，"
            f"不列入黑榜：{_names(above_black)}。"
        )
    for chosen, places, k, what in (
        (red, red_places, red_k, "红榜"),
        (black, black_places, black_k, "黑榜"),
    ):
        if len(places) > k and chosen:
            notes.append(f"{what}第{k}位有并列，并列单位一并列入（共{len(places)}个）。")
    return GroupRoll(
        group=g.group,
        label=g.label,
        red=tuple(_entry(u, g.label) for u in red),
        black=tuple(_entry(u, g.label) for u in black),
        notes=tuple(notes),
    )


def _meets(u: UnitScore, bar: Decimal | None, *, red: bool) -> bool:
    if bar is None:
        return True
    assert u.total is not None
    return u.total >= bar if red else u.total < bar


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
