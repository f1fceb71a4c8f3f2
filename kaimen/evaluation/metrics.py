"""Metric providers: the data points of each metric for one period, read from the stored data.

The engine (``scoring``) knows metrics only as ``MetricSpec`` and data points. A provider is the
function that returns ``DataPoint``s for one metric and one period; each app registers its own
next to its spec with ``register_provider`` (``kaimen.lib.contracts.metrics``) from its
``AppConfig.ready()``: the ledger's tasks and reports (``kaimen/ledger/metrics.py``), the
targets' indicators and red lights (``kaimen/targets/metrics.py``), and here evaluation's own
rated innovation practices. A later module (appeals, investment, policies) adds a metric the
same way, without touching the engine or this module; evaluation reads only the registry.

A provider that finds nothing returns nothing: the scheme's missing-data rule decides what that
means and the explanation says so. A provider that fails is reported as a note on the run and
its metric is treated as missing; the ranking is never lost to one module's error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from kaimen.evaluation.models import InnovationPractice
from kaimen.lib.contracts import metrics as registry
from kaimen.lib.contracts.metrics import (  # noqa: F401  (re-exported for the run and tests)
    PROVIDERS,
    REGISTRY,
    WITH_TARGETS,
    Aggregate,
    DataPoint,
    Dimension,
    MetricKind,
    MetricSpec,
    PeriodContext,
    Provider,
    register_provider,
)
from kaimen.lib.errors import KaimenError

logger = logging.getLogger(__name__)

PRACTICE_RATING = MetricSpec(
    "innovation.practice_rating",
    "创新举措评分",
    Dimension.INNOVATION,
    "分",
    kind=MetricKind.RATING,
    aggregate=Aggregate.SUM,
    description="单位报送、调度办评定的创新举措得分之和；一项举措一个数据点。",
)


@dataclass(frozen=True)
class Collected:
    points: tuple[DataPoint, ...]
    notes: tuple[str, ...]


def collect(ctx: PeriodContext, codes: Iterable[str]) -> Collected:
    """Every data point of the metrics ``codes`` for the period, and notes on what was missing."""
    points: list[DataPoint] = []
    notes: list[str] = []
    wanted = {ctx.key(pk) for pk in ctx.units}
    for code in codes:
        name = REGISTRY.get(code).name if code in REGISTRY else code
        provider = registry.provider_for(code)
        if provider is None:
            notes.append(f"指标“{name}”没有登记数据来源，本期按缺项处理。")
            continue
        try:
            found = [p for p in provider(ctx) if p.unit in wanted and p.metric == code]
        except KaimenError as exc:
            notes.append(f"指标“{name}”的数据读取失败（{exc.message}），本期按缺项处理。")
            continue
        except Exception:  # a later module's provider must not cost the office its ranking
            logger.exception("metric provider %s failed", code)
            notes.append(f"指标“{name}”的数据读取出错，本期按缺项处理；请联系系统管理员查看日志。")
            continue
        points.extend(found)
    return Collected(tuple(points), tuple(notes))


# ---------------------------------------------------------------------------------------------
# Innovation


def practice_rating(ctx: PeriodContext) -> list[DataPoint]:
    code = "innovation.practice_rating"
    return [
        DataPoint(ctx.key(p.unit_id), code, p.rating, label=p.title[:30])
        for p in InnovationPractice.objects.filter(
            campaign=ctx.campaign,
            unit_id__in=list(ctx.units),
            rating__isnull=False,
            practiced_on__gte=ctx.start,
            practiced_on__lte=ctx.end,
        ).order_by("practiced_on", "pk")
        if p.rating is not None
    ]


def register() -> None:
    register_provider(PRACTICE_RATING, practice_rating)
