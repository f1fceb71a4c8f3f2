"""What the engine takes in (units, data points) and gives back (scores with explanations)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kaimen.evaluation.scoring.metrics import Dimension
from kaimen.lib.contracts.metrics import DataPoint  # noqa: F401  (the engine's input, re-exported)

PEER_GROUP_LABELS: Mapping[str, str] = {
    "department": "部门",
    "town": "镇街",
    "task_force": "专班",
}


@dataclass(frozen=True)
class UnitRef:
    key: str
    name: str
    peer_group: str  # units are ranked only against units of the same group


class MetricStatus(StrEnum):
    SCORED = "scored"
    MISSING = "missing"  # no data point this period
    INSUFFICIENT = "insufficient"  # fewer data points than the minimum sample

    @property
    def label(self) -> str:
        return {
            MetricStatus.SCORED: "计分",
            MetricStatus.MISSING: "无数据",
            MetricStatus.INSUFFICIENT: "样本不足",
        }[self]


@dataclass(frozen=True)
class Explanation:
    """One node of a score's explanation: what it is (``kind``), a Chinese sentence, and the
    nodes it is made of. ``render()`` gives the indented text a unit reads."""

    kind: str  # total | rank | dimension | metric | inputs | normalisation | weight | rule
    text: str
    children: tuple[Explanation, ...] = ()

    def lines(self, depth: int = 0) -> list[str]:
        out = [("  " * depth) + ("" if depth == 0 else "· ") + self.text]
        for child in self.children:
            out.extend(child.lines(depth + 1))
        return out

    def render(self) -> str:
        return "\n".join(self.lines())

    def find(self, kind: str) -> list[Explanation]:
        found = [self] if self.kind == kind else []
        for child in self.children:
            found.extend(child.find(kind))
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "children": [c.to_dict() for c in self.children],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explanation:
        return cls(
            str(data["kind"]),
            str(data["text"]),
            tuple(cls.from_dict(c) for c in data.get("children", ())),
        )


@dataclass(frozen=True)
class MetricScore:
    code: str
    name: str
    dimension: Dimension
    status: MetricStatus
    samples: int
    value: Decimal | None  # the aggregated raw value
    target: Decimal | None
    points: Decimal | None  # 0–100; None when not scored (0 under the ZERO policy for MISSING)
    nominal_weight: Decimal  # percent of the dimension, as configured
    share: Decimal  # percent of the dimension after re-weighting (0 when left out)
    effective_weight: Decimal  # percent of the total score
    contribution: Decimal  # points × effective weight ÷ 100
    explanation: Explanation


@dataclass(frozen=True)
class DimensionScore:
    dimension: Dimension
    nominal_weight: Decimal
    effective_weight: Decimal  # percent of the total after re-weighting (0 when left out)
    points: Decimal | None  # 0–100 within the dimension
    contribution: Decimal
    metrics: tuple[MetricScore, ...]
    explanation: Explanation


@dataclass(frozen=True)
class UnitScore:
    unit: str
    name: str
    peer_group: str
    total: Decimal | None  # None: nothing could be scored this period (not ranked)
    rank: int | None
    peers: int  # units ranked in the group
    tied: bool
    limited: bool  # some metric is below its minimum sample: may not rank first
    held_off_top: bool  # limited and would otherwise have ranked first
    previous_rank: int | None
    movement: int | None  # previous rank − rank: positive means up
    dimensions: tuple[DimensionScore, ...]
    explanation: Explanation

    @property
    def rank_text(self) -> str:
        if self.rank is None:
            return "不参与排名"
        return f"并列第{self.rank}名" if self.tied else f"第{self.rank}名"

    @property
    def movement_text(self) -> str:
        return movement_text(self.previous_rank, self.rank)

    def metric(self, code: str) -> MetricScore:
        for d in self.dimensions:
            for m in d.metrics:
                if m.code == code:
                    return m
        raise KeyError(code)


@dataclass(frozen=True)
class PeerGroupResult:
    group: str
    label: str
    units: tuple[UnitScore, ...]  # ranked units by rank, then those not ranked


@dataclass(frozen=True)
class Scoreboard:
    scheme: str
    period: str
    groups: tuple[PeerGroupResult, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def units(self) -> tuple[UnitScore, ...]:
        return tuple(u for g in self.groups for u in g.units)

    def unit(self, key: str) -> UnitScore:
        for u in self.units:
            if u.unit == key:
                return u
        raise KeyError(key)

    def group(self, key: str) -> PeerGroupResult:
        for g in self.groups:
            if g.group == key:
                return g
        raise KeyError(key)


def movement_text(previous_rank: int | None, rank: int | None) -> str:
    if rank is None:
        return "本期未排名"
    if previous_rank is None:
        return "上期未参与排名"
    delta = previous_rank - rank
    if delta > 0:
        return f"较上期（第{previous_rank}名）上升{delta}位"
    if delta < 0:
        return f"较上期（第{previous_rank}名）下降{-delta}位"
    return f"与上期（第{previous_rank}名）持平"
