"""The targets' score metrics: their providers read the monitoring board, and are registered with
``kaimen.lib.contracts.metrics`` from ``TargetsConfig.ready()`` (the scoring in
``kaimen.evaluation`` reads only that registry).

* 指标完成进度: every cumulative indicator target a unit answers for (the district's own targets
  count for the indicator's owner department), its completion against the expected progress the
  monitoring board judged its light by (time progress or the plan's seasonal share), at the
  latest release within the period;
* 红灯说明率: every red light of the period, 100 when the unit wrote its explanation (说明);
  a red light the Spring Festival note marks as not comparable (春节错月) is no data point in a
  campaign that keeps ``spring_festival_exempt`` on.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from kaimen.lib.contracts.metrics import (
    DataPoint,
    Dimension,
    MetricKind,
    MetricSpec,
    PeriodContext,
    register_provider,
)

HUNDRED = Decimal(100)
ZERO = Decimal(0)

# Each data point is one indicator target or one red light.
INDICATOR_PROGRESS = MetricSpec(
    "speed.indicator_progress",
    "指标完成进度",
    Dimension.SPEED,
    "%",
    kind=MetricKind.RESULT,
    description="每项指标的累计完成率对比时间进度（或分解计划的进度）；一项指标一个数据点。",
)

RED_EXPLAINED = MetricSpec(
    "quality.red_explained",
    "红灯说明率",
    Dimension.QUALITY,
    "%",
    kind=MetricKind.DELIVERY,
    description="亮红灯的指标中写明原因和措施的比例；一盏红灯一个数据点。",
)


def _board(ctx: PeriodContext) -> list:
    if "board" in ctx.memo:
        return ctx.memo["board"]
    from kaimen.targets import board
    from kaimen.targets.selectors import latest_period_with_figures

    # The latest cumulative release (1-N月) whose month has ended within the period: a week in
    # March is judged on 1-2月, the month of March on 1-3月 once the bureau has released it.
    end = ctx.end
    year = end.year
    last_month = end.month if (end + timedelta(days=1)).month != end.month else end.month - 1
    latest = latest_period_with_figures(year)
    month = min(latest, last_month) if latest is not None and last_month >= 1 else None
    rows = board.board_rows(year=year, end_month=month) if month else []
    ctx.memo["board"] = rows
    return rows


def _answerable_unit(row) -> int:
    from kaimen.targets.selectors import responsible_unit_id

    return responsible_unit_id(row.target)


def _row_label(row) -> str:
    where = "全区" if row.target.unit.kind == "leadership" else ""
    period = row.period.label if row.period is not None else ""
    return f"{where}{row.indicator.name}（{period}）"


def indicator_progress(ctx: PeriodContext) -> list[DataPoint]:
    code = "speed.indicator_progress"
    points = []
    for row in _board(ctx):
        res = row.result
        indicator = row.indicator
        if res is None or indicator.kind not in ("amount", "count"):
            continue  # ratios and rates have no completion to speak of
        if not indicator.higher_is_better:
            continue
        if res.completion_pct is None or res.expected_pct is None or res.expected_pct <= 0:
            continue
        unit_id = _answerable_unit(row)
        if unit_id not in ctx.units:
            continue
        points.append(
            DataPoint(ctx.key(unit_id), code, res.completion_pct, res.expected_pct, _row_label(row))
        )
    return points


def red_explained(ctx: PeriodContext) -> list[DataPoint]:
    code = "quality.red_explained"
    points = []
    exempt = getattr(ctx.campaign, "spring_festival_exempt", True)
    for row in _board(ctx):
        if row.light != "red":
            continue
        if exempt and row.spring_note:
            continue  # 不宜据此亮灯问责: shown with its note, no reason on a list
        unit_id = _answerable_unit(row)
        if unit_id not in ctx.units:
            continue
        written = row.explanation is not None
        points.append(
            DataPoint(
                ctx.key(unit_id),
                code,
                HUNDRED if written else ZERO,
                label=f"{_row_label(row)}{'已说明' if written else '未说明'}",
            )
        )
    return points


def register() -> None:
    # an indicator's data points carry their own target: its expected progress
    register_provider(INDICATOR_PROGRESS, indicator_progress, points_carry_targets=True)
    register_provider(RED_EXPLAINED, red_explained)
