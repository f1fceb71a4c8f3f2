"""Scorecards: every unit scored on the speech's 比速度 / 比质量 / 比创新 and ranked among its peers.

The speech asks units to "比发展速度、比工作质量、比创新能力". A scheme (考核方案) gives each of the
three dimensions a weight, and each dimension a set of metrics with weights, a normalisation to
0–100 and a minimum sample. Departments and towns are ranked separately (peer groups): a town's
GDP share and a department's task list are not comparable.

Every score carries an ``Explanation`` tree down to the data points, the normalisation formula
and the weights, so a unit can see exactly why it ranks where it does.

Only results are scored. The metric registry refuses metrics of activity (logins, clicks, time
online, check-ins, 点赞): the 2026 State Council rules for government apps forbid scoring them
and the 2024 减负 rules call them formalism. Later modules (appeals, investment, policies) add
their own result metrics with ``register_metric`` without touching this engine.

Pure Python, Decimal in and out.
"""

from __future__ import annotations

from kaimen.evaluation.scoring.engine import (
    score_period,
)
from kaimen.evaluation.scoring.metrics import (
    ACTIVITY_RULES_TEXT,
    BUILTIN_METRICS,
    REGISTRY,
    Aggregate,
    Dimension,
    MetricKind,
    MetricRegistry,
    MetricSpec,
    activity_reason,
    register_metric,
)
from kaimen.evaluation.scoring.normalisation import (
    Band,
    Method,
    Normalisation,
    band_points,
    competition_ranks,
    min_max_points,
    rank_points,
    ratio_points,
)
from kaimen.evaluation.scoring.numbers import (
    CITYSCORE_CAP,
    DEFAULT_MIN_SAMPLES,
    HUNDRED,
    RATIO_QUANTUM,
    SCORE_QUANTUM,
    fmt,
    fmt4,
    fmt_points,
    quantize,
)
from kaimen.evaluation.scoring.results import (
    PEER_GROUP_LABELS,
    DataPoint,
    DimensionScore,
    Explanation,
    MetricScore,
    MetricStatus,
    PeerGroupResult,
    Scoreboard,
    UnitRef,
    UnitScore,
    movement_text,
)
from kaimen.evaluation.scoring.schemes import (
    MissingPolicy,
    Scheme,
    SchemeDimension,
    SchemeMetric,
    check_scheme_metrics,
    check_weights,
)

__all__ = [
    "ACTIVITY_RULES_TEXT",
    "Aggregate",
    "BUILTIN_METRICS",
    "Band",
    "CITYSCORE_CAP",
    "DEFAULT_MIN_SAMPLES",
    "DataPoint",
    "Dimension",
    "DimensionScore",
    "Explanation",
    "HUNDRED",
    "Method",
    "MetricKind",
    "MetricRegistry",
    "MetricScore",
    "MetricSpec",
    "MetricStatus",
    "MissingPolicy",
    "Normalisation",
    "PEER_GROUP_LABELS",
    "PeerGroupResult",
    "RATIO_QUANTUM",
    "REGISTRY",
    "SCORE_QUANTUM",
    "Scheme",
    "SchemeDimension",
    "SchemeMetric",
    "Scoreboard",
    "UnitRef",
    "UnitScore",
    "activity_reason",
    "band_points",
    "check_scheme_metrics",
    "check_weights",
    "competition_ranks",
    "fmt",
    "fmt4",
    "fmt_points",
    "min_max_points",
    "movement_text",
    "quantize",
    "rank_points",
    "ratio_points",
    "register_metric",
    "score_period",
]
