"""Dimensions, metrics and the open registry that refuses metrics of activity.

They live in ``kaimen.lib.contracts.metrics``, below every app, so that the apps that have
something to score (the ledger, the targets, later modules) register their metrics there from
their own ``AppConfig.ready()``; the names are re-exported here for the engine.
"""

from __future__ import annotations

from kaimen.lib.contracts.metrics import (
    ACTIVITY_RULES_TEXT,
    REGISTRY,
    Aggregate,
    Dimension,
    MetricKind,
    MetricRegistry,
    MetricSpec,
    activity_reason,
    register_metric,
)

# Every metric the apps registered (the six of the speech's three dimensions are registered by
# the ledger, the targets and evaluation itself): a live view, read when iterated.
BUILTIN_METRICS = REGISTRY

__all__ = [
    "ACTIVITY_RULES_TEXT",
    "BUILTIN_METRICS",
    "REGISTRY",
    "Aggregate",
    "Dimension",
    "MetricKind",
    "MetricRegistry",
    "MetricSpec",
    "activity_reason",
    "register_metric",
]
