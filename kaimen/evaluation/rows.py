"""The published ranking and 红黑榜 as rows: what the briefing prints and the dashboard shows.

Plain frozen dataclasses of text and Decimals, read from the scoreboard and the 红黑榜 a run
stored when it was published; the briefing freezes them into its snapshot as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kaimen.evaluation.honour_roll import HonourRollDraft
from kaimen.evaluation.scoring import Scoreboard


@dataclass(frozen=True)
class RankingRow:
    peer_group: str  # "镇街", "部门"
    unit: str
    rank: int | None
    tied: bool
    total: Decimal | None
    speed: Decimal | None
    quality: Decimal | None
    innovation: Decimal | None
    movement: int | None  # previous rank − rank: positive means up
    note: str = ""
    limited: bool = False  # short of samples: may not rank first, on neither list

    @property
    def rank_label(self) -> str:
        if self.rank is None:
            return "未排名"
        return f"并列{self.rank}" if self.tied else str(self.rank)

    @property
    def movement_label(self) -> str:
        if self.movement is None:
            return "—"
        if self.movement > 0:
            return f"↑{self.movement}"
        if self.movement < 0:
            return f"↓{-self.movement}"
        return "持平"


@dataclass(frozen=True)
class RollRow:
    board: str  # "red" (红榜) | "black" (黑榜)
    peer_group: str
    unit: str
    rank: int
    total: Decimal
    reason: str


# ---------------------------------------------------------------------------------------------
# From the evaluation results to rows


def ranking_rows(board: Scoreboard) -> tuple[RankingRow, ...]:
    rows = []
    for g in board.groups:
        for u in g.units:
            by_dim = {d.dimension.value: d.points for d in u.dimensions}
            rows.append(
                RankingRow(
                    peer_group=g.label,
                    unit=u.name,
                    rank=u.rank,
                    tied=u.tied,
                    total=u.total,
                    speed=by_dim.get("speed"),
                    quality=by_dim.get("quality"),
                    innovation=by_dim.get("innovation"),
                    movement=u.movement,
                    note="样本不足，不列入红黑榜" if u.limited else "",
                    limited=u.limited,
                )
            )
    return tuple(rows)


def roll_rows(draft: HonourRollDraft) -> tuple[RollRow, ...]:
    """Rows from a 红黑榜 draft, once the office has confirmed it."""
    rows: list[RollRow] = []
    for g in draft.groups:
        for board, entries in (("red", g.red), ("black", g.black)):
            rows.extend(RollRow(board, g.label, e.name, e.rank, e.total, e.reason) for e in entries)
    return tuple(rows)
