"""What the throwaway app registers: a metric with its provider, a home panel and a rule."""

from __future__ import annotations

from decimal import Decimal

from kaimen.lib.contracts.home import Panel
from kaimen.lib.contracts.metrics import DataPoint, Dimension, MetricSpec, PeriodContext
from kaimen.org import scope
from kaimen.org.models import Role

RESOLVED = MetricSpec("quality.throwaway_resolved", "企业诉求办结率", Dimension.QUALITY, "%")


def resolved_points(ctx: PeriodContext):
    for pk in ctx.units:
        yield DataPoint(unit=ctx.key(pk), metric=RESOLVED.code, value=Decimal(80), label="诉求")


def liaisons_only(s, obj) -> bool:
    return Role.LIAISON in s.roles


def home_panel(request) -> Panel | None:
    if not scope.can(request.user, "throwaway.view"):
        return None
    return Panel("试验面板", "org/_panel_stats.html", {"stats": [("待办诉求", 7, "core:home")]})
