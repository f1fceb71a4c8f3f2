"""Normalisation of a metric's value to 0–100 points: ratio to target, bands, group methods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from kaimen.evaluation.scoring.numbers import (
    CITYSCORE_CAP,
    HUNDRED,
    SCORE_QUANTUM,
    _dec,
    fmt,
    quantize,
)
from kaimen.lib.errors import ValidationError


class Method(StrEnum):
    RATIO_TO_TARGET = "ratio_to_target"  # value ÷ target, capped (CityScore)
    BANDS = "bands"  # thresholds → points (0–100 分档)
    MIN_MAX = "min_max"  # position between the peer group's lowest and highest
    RANK = "rank"  # position in the peer group's ranking

    @property
    def label(self) -> str:
        return {
            Method.RATIO_TO_TARGET: "对目标比值，参照波士顿CityScore",
            Method.BANDS: "0–100分档",
            Method.MIN_MAX: "组内极差法",
            Method.RANK: "组内名次法",
        }[self]

    @property
    def relative(self) -> bool:
        return self in (Method.MIN_MAX, Method.RANK)


@dataclass(frozen=True)
class Band:
    threshold: Decimal  # at least this (higher is better) or at most this (lower is better)
    points: Decimal


@dataclass(frozen=True)
class Normalisation:
    method: Method
    target: Decimal | None = None  # ratio: the target when the data points carry none
    cap: Decimal = CITYSCORE_CAP  # ratio: the ratio that earns 100 points
    bands: tuple[Band, ...] = ()
    floor_points: Decimal = Decimal(0)  # bands: points below every band

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "method", Method(self.method))
        except ValueError:
            allowed = "、".join(m.value for m in Method)
            raise ValidationError(
                f"标准化方法“{self.method}”无效，可选：{allowed}。", field="normalisation"
            ) from None
        cap = _dec(self.cap, what="比值封顶", field="cap")
        if cap <= 0:
            raise ValidationError(
                f"比值封顶应大于0（现为{fmt(cap)}），如1.25（CityScore）或1。", field="cap"
            )
        object.__setattr__(self, "cap", cap)
        if self.target is not None:
            target = _dec(self.target, what="统一目标", field="target")
            if target <= 0:
                raise ValidationError(f"统一目标应大于0（现为{fmt(target)}）。", field="target")
            object.__setattr__(self, "target", target)
        floor = _dec(self.floor_points, what="档外得分", field="bands")
        _check_points(floor, "档外得分")
        object.__setattr__(self, "floor_points", floor)
        bands = tuple(
            Band(
                _dec(b.threshold, what="分档阈值", field="bands"),
                _dec(b.points, what="分档得分", field="bands"),
            )
            for b in self.bands
        )
        if self.method == Method.BANDS:
            if not bands:
                raise ValidationError(
                    "按0–100分档折算需要至少一个分档，如“≥90得100分”。", field="bands"
                )
            thresholds = [b.threshold for b in bands]
            if len(set(thresholds)) != len(thresholds):
                raise ValidationError("分档阈值不能重复，请核对。", field="bands")
            for b in bands:
                _check_points(b.points, f"阈值{fmt(b.threshold)}的得分")
        object.__setattr__(self, "bands", bands)


def _check_points(points: Decimal, what: str) -> None:
    if not 0 <= points <= HUNDRED:
        raise ValidationError(f"{what}应在0到100之间（现为{fmt(points)}）。", field="bands")


def _clamp(points: Decimal) -> Decimal:
    return quantize(min(max(points, Decimal(0)), HUNDRED))


def ratio_points(
    value: Decimal, target: Decimal, *, cap: Decimal = CITYSCORE_CAP, higher_is_better: bool = True
) -> tuple[Decimal, Decimal]:
    """(ratio, points): ratio = value ÷ target (target ÷ value when lower is better), and
    points = min(ratio, cap) ÷ cap × 100, never below 0."""
    if target <= 0:
        raise ValidationError(f"目标值应大于0（现为{fmt(target)}），无法按比值折算。")
    if not higher_is_better and value <= 0:
        # At or below zero a "lower is better" measure (overdue days, complaints) is perfect.
        return cap, HUNDRED.quantize(SCORE_QUANTUM)
    ratio = value / target if higher_is_better else target / value
    ratio = max(ratio, Decimal(0))
    return ratio, _clamp(min(ratio, cap) / cap * HUNDRED)


def band_points(
    value: Decimal,
    bands: Sequence[Band],
    *,
    floor_points: Decimal = Decimal(0),
    higher_is_better: bool = True,
) -> tuple[Decimal, Band | None]:
    """The points of the best band ``value`` reaches, and that band (None: below every band)."""
    if higher_is_better:
        reached = [b for b in bands if value >= b.threshold]
        best = max(reached, key=lambda b: b.threshold, default=None)
    else:
        reached = [b for b in bands if value <= b.threshold]
        best = min(reached, key=lambda b: b.threshold, default=None)
    return _clamp(best.points if best else floor_points), best


def min_max_points(
    value: Decimal, low: Decimal, high: Decimal, *, higher_is_better: bool = True
) -> Decimal:
    """Position between the group's lowest and highest, × 100; all equal → everyone 100."""
    if high == low:
        return HUNDRED.quantize(SCORE_QUANTUM)
    share = (value - low) / (high - low) if higher_is_better else (high - value) / (high - low)
    return _clamp(share * HUNDRED)


def rank_points(rank: int, peers: int) -> Decimal:
    """(peers − rank) ÷ (peers − 1) × 100: first gets 100, last 0; a group of one gets 100."""
    if peers <= 1:
        return HUNDRED.quantize(SCORE_QUANTUM)
    return _clamp(Decimal(peers - rank) / Decimal(peers - 1) * HUNDRED)


def competition_ranks(
    values: Mapping[str, Decimal], *, higher_is_better: bool = True
) -> dict[str, int]:
    """ "1224" ranking: equal values share a rank and the next rank is skipped."""
    ranks: dict[str, int] = {}
    for key, value in values.items():
        better = sum(
            1 for other in values.values() if (other > value if higher_is_better else other < value)
        )
        ranks[key] = better + 1
    return ranks
