"""The snapshot of a briefing, read from the ledger and the targets' monitoring board.

Everything the document says is gathered here once and frozen into a ``BriefingSnapshot``; the
builders never read the database. Rankings and the 红黑榜 come from the latest score run the
office has published (never a draft); until there is one they stay empty, and the overview says
so rather than showing invented numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from kaimen.briefings.snapshot import (
    BriefingSnapshot,
    ChartSeries,
    IndicatorRow,
    NowcastRow,
    Overview,
    UnitNote,
    overview_counts,
)
from kaimen.campaigns.models import Campaign
from kaimen.evaluation import selectors as evaluation
from kaimen.ledger import selectors as ledger_selectors
from kaimen.ledger.models import OPEN_STATUSES, Task
from kaimen.ledger.overdue import OverdueTask, overdue_rows
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.org.models import UnitKind
from kaimen.targets import board
from kaimen.targets.board import Row
from kaimen.targets.selectors import district_unit, latest_period_with_figures

ISSUER = "区开门红工作调度办公室"
MASTHEAD = "开门红工作调度通报"
ADDRESSEE = "各镇街，区直各部门："
CHARTED_INDICATORS = 3  # the first key indicators get a chart each: a briefing, not an atlas
QUARTER_NAMES = {1: "一季度", 2: "二季度", 3: "三季度", 4: "四季度"}
_PERIOD = re.compile(r"^(?:1-)?(\d{1,2})月$")


def parse_period(text: str | None, *, year: int) -> int | None:
    """The end month of "1-3月" or "3月" (None: the latest month with figures)."""
    if not text:
        return latest_period_with_figures(year)
    match = _PERIOD.match(text.strip())
    if not match or not 1 <= int(match.group(1)) <= 12:
        raise ValidationError(f"期别“{text}”无法识别：请写成“1-3月”或“3月”的形式。", field="period")
    return int(match.group(1))


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _campaign_tasks(campaign: Campaign | None, year: int) -> list[Task]:
    qs = Task.objects.select_related("lead_unit", "campaign")
    if campaign is not None:
        return list(qs.filter(campaign=campaign))
    return list(qs.filter(campaign__start__year__lte=year, campaign__end__year__gte=year))


def _overdue(tasks: list[Task], today: date) -> tuple[OverdueTask, ...]:
    late = [t for t in tasks if t.status in OPEN_STATUSES and t.deadline < today]
    return tuple(row for _task, row in overdue_rows(late, today))


def _indicator_rows(rows: list[Row], district_id: int | None) -> list[Row]:
    return [r for r in rows if r.target.unit_id == district_id]


def _unit_notes(rows: list[Row]) -> dict[int, tuple[UnitNote, ...]]:
    notes: dict[int, list[UnitNote]] = defaultdict(list)
    for r in rows:
        if r.explanation is not None and r.light in ("red", "yellow"):
            notes[r.indicator.pk].append(UnitNote(r.target.unit.name, r.explanation.text))
    return {k: tuple(v) for k, v in notes.items()}


def _indicator(row: Row, notes: tuple[UnitNote, ...]) -> IndicatorRow:
    res = row.result
    ind = row.indicator
    return IndicatorRow(
        code=ind.code,
        name=ind.name,
        measure=ind.measure_unit,
        actual=res.actual if res else None,
        annual_target=res.annual_target if res else None,
        completion_pct=res.completion_pct if res else None,
        expected_pct=res.expected_pct if res else None,
        growth_pct=res.growth_pct if res else None,
        light=str(res.light) if res and res.light else None,
        # a Spring Festival release keeps its light and says why it is not one to act on
        explanation=" ".join(
            t for t in ((res.explanation if res else row.note) or row.note, row.spring_note) if t
        ),
        unit_notes=notes,
    )


def _chart_and_nowcast(
    row: Row, end_month: int
) -> tuple[ChartSeries | None, NowcastRow | None, str]:
    focus = board.focus_for_user(user=None, target=row.target, end_month=end_month)
    data = {s["kind"]: s["data"] for s in focus.chart["series"]}
    ind = row.indicator
    series = ChartSeries(
        indicator=ind.name,
        measure=focus.chart.get("measure", ind.measure_unit),  # "%" for a growth-only one
        labels=tuple(focus.chart["labels"]),
        actual=tuple(_decimal(v) for v in data.get("actual", ())),
        plan=tuple(_decimal(v) for v in data.get("plan", ())),
        last_year=tuple(_decimal(v) for v in data.get("last_year", ())),
    )
    if not any(v is not None for v in series.actual):
        series = None
    fc = focus.forecast
    if fc is None:
        return series, None, ""
    projection = fc.quarter_end or fc.year_end
    horizon = "quarter" if fc.quarter_end is not None else "year"
    prob = fc.probability_of_target
    nowcast_row = NowcastRow(
        indicator=ind.name,
        measure=ind.measure_unit,
        period=fc.period.label,
        actual_to_date=fc.actual_to_date,
        projection=projection.value,
        low=projection.low,
        high=projection.high,
        target=fc.target if horizon == "year" else None,
        probability_pct=(prob * 100).quantize(Decimal("1"))
        if prob is not None and horizon == "year"
        else None,
        note=projection.interval_note,
    )
    return series, nowcast_row, horizon


def assemble_snapshot(
    *,
    year: int,
    campaign: Campaign | None = None,
    end_month: int | None = None,
    number: int | None = None,
    issue_date: date | None = None,
) -> BriefingSnapshot:
    """Read the stored data into the snapshot of one briefing (no permission check: the
    service that calls it has checked)."""
    today = issue_date or clock.today()
    if end_month is None:
        end_month = latest_period_with_figures(year)
    district = district_unit()
    all_rows = board.board_rows(year=year, end_month=end_month) if end_month else []
    key_rows = _indicator_rows(all_rows, district.pk if district else None)
    notes = _unit_notes(
        [r for r in all_rows if r.target.unit.kind in (UnitKind.TOWN, UnitKind.DEPARTMENT)]
    )
    indicators = tuple(_indicator(r, notes.get(r.indicator.pk, ())) for r in key_rows)

    charts: list[ChartSeries] = []
    projected: list[tuple[NowcastRow, str]] = []
    for i, row in enumerate(key_rows):
        if row.result is None:
            continue
        series, nowcast_row, horizon = _chart_and_nowcast(row, end_month)
        if series is not None and i < CHARTED_INDICATORS:
            charts.append(series)
        if nowcast_row is not None:
            projected.append((nowcast_row, horizon))
    if end_month and end_month % 3:
        nowcast_quarter = QUARTER_NAMES[(end_month - 1) // 3 + 1]
        nowcasts = [n for n, h in projected if h == "quarter"]
    else:
        # the latest figures close a quarter: the projection looks ahead to the year end
        nowcast_quarter = "全年"
        nowcasts = [n for n, h in projected if h == "year"]

    tasks = _campaign_tasks(campaign, year)
    overdue = _overdue(tasks, today)
    counts = overview_counts(i.light for i in indicators)
    task_lights = ledger_selectors.light_counts(Task.objects.filter(pk__in=[t.pk for t in tasks]))
    period_label = Period.cumulative(year, end_month).label if end_month else "本期"
    as_of = f"截至{end_month}月底" if end_month else "截至目前"
    ranked = campaign or evaluation.campaign_with_published_run(year)
    rankings = evaluation.published_ranking_rows(ranked)
    roll = evaluation.published_roll_rows(ranked)
    if rankings:
        ranking_text = (
            f"排名与红黑榜采用{evaluation.published_period_label(ranked)}考核结果，"
            "已经各单位申诉期并由调度办确认发布。"
        )
    else:
        ranking_text = "本期尚未开展评分排名，排名与红黑榜待调度办确认评分方案后发布。"
    paragraphs = [
        f"{as_of}，{task_lights.sentence}",
        ranking_text,
    ]
    campaign_name = campaign.name if campaign else f"{year}年重点工作"
    return BriefingSnapshot(
        title=document_title(campaign_name),
        issuer=ISSUER,
        issue_date=today,
        number=f"第{number}期" if number else "",
        campaign=campaign_name,
        period=f"{year}年{period_label}",
        overview=Overview(
            paragraphs=tuple(paragraphs),
            green=counts["green"],
            yellow=counts["yellow"],
            red=counts["red"],
            no_light=counts["no_light"],
            tasks_total=len(tasks),
            tasks_done=sum(1 for t in tasks if t.status == "closed"),
            tasks_overdue=len(overdue),
        ),
        indicators=indicators,
        charts=tuple(charts),
        rankings=rankings,
        honour_roll=roll,
        overdue_tasks=overdue,
        nowcast_quarter=nowcast_quarter,
        nowcast=tuple(nowcasts),
        addressee=ADDRESSEE,
        masthead=MASTHEAD,
        period_short=period_label,
        as_of=as_of,
    )


def document_title(campaign: str) -> str:
    """The title under the masthead: "关于2025年一季度开门红工作推进情况的通报"."""
    work = campaign if campaign.endswith("工作") else f"{campaign}工作"
    return f"关于{work}推进情况的通报"
