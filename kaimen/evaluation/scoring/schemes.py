"""Schemes (考核方案): dimensions and metrics with weights that sum to 100%."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from kaimen.evaluation.scoring.metrics import REGISTRY, Dimension, MetricRegistry
from kaimen.evaluation.scoring.normalisation import Normalisation
from kaimen.evaluation.scoring.numbers import DEFAULT_MIN_SAMPLES, HUNDRED, _dec, fmt
from kaimen.lib.errors import ValidationError


class MissingPolicy(StrEnum):
    REWEIGHT = "reweight"  # a metric without data is left out and its weight shared out
    ZERO = "zero"  # a metric without data scores 0 (缺项计0分)

    @property
    def label(self) -> str:
        return {
            MissingPolicy.REWEIGHT: "缺项不计、权重按比例重新分配",
            MissingPolicy.ZERO: "缺项计0分",
        }[self]


@dataclass(frozen=True)
class SchemeMetric:
    code: str
    weight: Decimal  # percent of its dimension
    normalisation: Normalisation
    min_samples: int | None = None  # None: the scheme's minimum


@dataclass(frozen=True)
class SchemeDimension:
    dimension: Dimension
    weight: Decimal  # percent of the total score
    metrics: tuple[SchemeMetric, ...]


@dataclass(frozen=True)
class Scheme:
    """A 考核方案: dimension weights sum to 100%, and so do the metric weights in each dimension."""

    name: str
    dimensions: tuple[SchemeDimension, ...]
    missing: MissingPolicy = MissingPolicy.REWEIGHT
    min_samples: int = DEFAULT_MIN_SAMPLES

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", _enum(MissingPolicy, self.missing, "缺项处理规则"))
        dims = tuple(
            SchemeDimension(
                _enum(Dimension, d.dimension, "考核维度"),
                _dec(d.weight, what=f"维度“{d.dimension}”的权重", field="weights"),
                tuple(
                    SchemeMetric(
                        m.code,
                        _dec(m.weight, what=f"指标“{m.code}”的权重", field="weights"),
                        m.normalisation,
                        m.min_samples,
                    )
                    for m in d.metrics
                ),
            )
            for d in self.dimensions
        )
        object.__setattr__(self, "dimensions", dims)
        check_weights(self)

    def metric_min_samples(self, metric: SchemeMetric) -> int:
        return self.min_samples if metric.min_samples is None else metric.min_samples

    @property
    def metrics(self) -> tuple[SchemeMetric, ...]:
        return tuple(m for d in self.dimensions for m in d.metrics)


def _enum(enum: type[StrEnum], value: object, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = "、".join(m.value for m in enum)
        raise ValidationError(f"{what}“{value}”无效，可选：{allowed}。", field="scheme") from None


def _metric_label(code: str) -> str:
    return REGISTRY.get(code).name if code in REGISTRY else code


def _sum_problem(what: str, parts: Sequence[tuple[str, Decimal]]) -> str | None:
    total = sum((w for _, w in parts), Decimal(0))
    if total == HUNDRED:
        return None
    diff = total - HUNDRED
    direction = f"多{fmt(diff)}个百分点" if diff > 0 else f"少{fmt(-diff)}个百分点"
    listed = "、".join(f"{name}{fmt(w)}%" for name, w in parts)
    return f"{what}合计为{fmt(total)}%，应为100%，{direction}（{listed}）"


def check_weights(scheme: Scheme) -> None:
    """Refuse a scheme whose weights do not add up, saying which weights and by how much."""
    problems: list[str] = []
    if not scheme.dimensions:
        problems.append("没有任何考核维度，请至少设置比速度、比质量、比创新中的一个")
    if scheme.min_samples < 1:
        problems.append(f"最少样本数应至少为1（现为{scheme.min_samples}）")
    seen_dims: set[Dimension] = set()
    seen_metrics: set[str] = set()
    for d in scheme.dimensions:
        if d.dimension in seen_dims:
            problems.append(f"维度“{d.dimension.label}”重复设置")
        seen_dims.add(d.dimension)
        if d.weight <= 0:
            problems.append(f"维度“{d.dimension.label}”的权重应大于0（现为{fmt(d.weight)}%）")
        if not d.metrics:
            problems.append(f"维度“{d.dimension.label}”下没有指标")
            continue
        for m in d.metrics:
            if m.code in seen_metrics:
                problems.append(f"指标“{_metric_label(m.code)}”重复设置")
            seen_metrics.add(m.code)
            if m.weight <= 0:
                problems.append(
                    f"“{d.dimension.label}”下指标“{_metric_label(m.code)}”的权重应大于0"
                    f"（现为{fmt(m.weight)}%）"
                )
            if m.min_samples is not None and m.min_samples < 1:
                problems.append(f"指标“{_metric_label(m.code)}”的最少样本数应至少为1")
        problem = _sum_problem(
            f"“{d.dimension.label}”下各指标的权重",
            [(_metric_label(m.code), m.weight) for m in d.metrics],
        )
        if problem:
            problems.append(problem)
    if scheme.dimensions:
        problem = _sum_problem(
            "各维度的权重", [(d.dimension.label, d.weight) for d in scheme.dimensions]
        )
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError(
            f"考核方案“{scheme.name}”的设置有误：" + "；".join(problems) + "。请调整后重新保存。",
            field="weights",
            code="weights",
        )


def check_scheme_metrics(scheme: Scheme, registry: MetricRegistry) -> None:
    """Every metric is registered, under the dimension it was registered for."""
    for d in scheme.dimensions:
        for m in d.metrics:
            spec = registry.get(m.code)
            if spec.dimension != d.dimension:
                raise ValidationError(
                    f"指标“{spec.name}”登记在“{spec.dimension.label}”维度，不能放在“{d.dimension.label}”下。",
                    field="metric",
                )
