"""The briefing's xlsx appendix: one sheet per section, built from the snapshot only.

Formula injection (ASVS 5.0 V1.2.10): a text that starts with = + - @ TAB CR or NUL would run as
a formula when the office opens the file in Excel or WPS — and unit explanations are free text
typed by liaison officers ("-3.2%主要是因为…"). Such text is stored as a plain string cell, the
same rule as ``kaimen.lib.xlsx``; real numbers stay numbers so the office can still add them
up. This builder uses the normal (not write-only) workbook because lights are shown as fills.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from kaimen.briefings.snapshot import LIGHT_LABELS, BriefingSnapshot

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
LIGHT_FILLS = {
    "green": PatternFill("solid", fgColor="FF00B050"),
    "yellow": PatternFill("solid", fgColor="FFFFC000"),
    "red": PatternFill("solid", fgColor="FFFF0000"),
}
_HEADER_FILL = PatternFill("solid", fgColor="FFD9D9D9")
_MAX_WIDTH = 60


class Light:
    """A cell value shown as the light's label on the light's colour."""

    def __init__(self, light: str | None) -> None:
        self.light = light


def put(ws: Worksheet, row: int, column: int, value: Any, *, bold: bool = False) -> Cell:
    """Write one cell: numbers and dates as such, any text as a string, never as a formula."""
    c = ws.cell(row=row, column=column)
    if isinstance(value, Light):
        c.value = LIGHT_LABELS.get(value.light or "", "未亮灯")
        if value.light in LIGHT_FILLS:
            c.fill = LIGHT_FILLS[value.light]
    elif value is None or isinstance(value, bool | int | float | Decimal):
        c.value = value
    elif isinstance(value, date) and not isinstance(value, datetime):
        c.value = value
        c.number_format = "yyyy-mm-dd"
    else:
        text = str(value)
        c.value = text
        if text.startswith(FORMULA_STARTS):
            # openpyxl takes a leading "=" as a formula; typing the cell as a string stores
            # the text as text.
            c.data_type = "s"
    if bold:
        c.font = Font(bold=True)
    c.alignment = Alignment(wrap_text=True, vertical="top")
    return c


def _width(value: Any) -> float:
    text = str(value) if value is not None else ""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _sheet(
    wb: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Worksheet:
    ws = wb.create_sheet(title=title[:31])  # Excel's limit on sheet names
    for col, name in enumerate(header, start=1):
        put(ws, 1, col, name, bold=True).fill = _HEADER_FILL
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            put(ws, r, col, value)
    for col, name in enumerate(header, start=1):
        longest = max([_width(name), *(_width(row[col - 1]) for row in rows if col - 1 < len(row))])
        letter = ws.cell(row=1, column=col).column_letter
        ws.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, longest + 2))
    ws.freeze_panes = "A2"
    return ws


def build_workbook(snapshot: BriefingSnapshot) -> Workbook:
    s = snapshot
    wb = Workbook()
    wb.remove(wb.active)
    o = s.overview
    _sheet(
        wb,
        "总体情况",
        ("项目", "内容"),
        [
            ("通报", s.title),
            ("期号", s.number or "草稿（签发时编号）"),
            ("战役", s.campaign),
            ("期间", s.period),
            ("发文机关", s.issuer),
            ("成文日期", s.issue_date),
            ("绿灯指标（项）", o.green),
            ("黄灯指标（项）", o.yellow),
            ("红灯指标（项）", o.red),
            ("未亮灯指标（项）", o.no_light),
            ("任务总数（项）", o.tasks_total),
            ("已完成任务（项）", o.tasks_done),
            ("逾期任务（项）", o.tasks_overdue),
            *((f"情况{i}", text) for i, text in enumerate(o.paragraphs, start=1)),
        ],
    )
    _sheet(
        wb,
        "主要指标",
        (
            "代码",
            "指标",
            "单位",
            "累计",
            "全年目标",
            "完成率（%）",
            "应完成（%）",
            "累计增速（%）",
            "亮灯",
            "亮灯说明",
            "单位说明",
        ),
        [
            (
                r.code,
                r.name,
                r.measure,
                r.actual,
                r.annual_target,
                r.completion_pct,
                r.expected_pct,
                r.growth_pct,
                Light(r.light),
                r.explanation,
                "\n".join(f"{n.unit}：{n.text}" for n in r.unit_notes),
            )
            for r in s.indicators
        ],
    )
    chart_rows = []
    for series in s.charts:
        for i, label in enumerate(series.labels):
            chart_rows.append(
                (
                    series.indicator,
                    series.measure,
                    label,
                    _at(series.actual, i),
                    _at(series.plan, i),
                    _at(series.last_year, i),
                )
            )
    _sheet(wb, "图表数据", ("指标", "单位", "期间", "实际", "计划", "上年同期"), chart_rows)
    _sheet(
        wb,
        "排名",
        ("组别", "名次", "并列", "单位", "总分", "比速度", "比质量", "比创新", "较上期", "备注"),
        [
            (
                r.peer_group,
                r.rank,
                "是" if r.tied else "",
                r.unit,
                r.total,
                r.speed,
                r.quality,
                r.innovation,
                r.movement,
                r.note,
            )
            for r in s.rankings
        ],
    )
    _sheet(
        wb,
        "红黑榜",
        ("榜单", "组别", "单位", "名次", "总分", "理由"),
        [
            (
                "红榜" if e.board == "red" else "黑榜",
                e.peer_group,
                e.unit,
                e.rank,
                e.total,
                e.reason,
            )
            for e in s.honour_roll
        ],
    )
    _sheet(
        wb,
        "逾期任务与督办",
        (
            "任务",
            "内容",
            "牵头单位",
            "完成时限",
            "逾期（工作日）",
            "督办情况",
            "拟采取措施（待确认）",
        ),
        [
            (
                t.task,
                t.title,
                t.lead_unit,
                t.deadline,
                t.overdue_workdays,
                t.supervision,
                t.proposed_step,
            )
            for t in s.overdue_tasks
        ],
    )
    q = s.nowcast_quarter
    _sheet(
        wb,
        f"{q}预测",
        (
            "指标",
            "单位",
            "截至",
            "累计",
            f"{q}末预测",
            "区间下限",
            "区间上限",
            "目标",
            "完成目标概率（%）",
            "说明",
        ),
        [
            (
                r.indicator,
                r.measure,
                r.period,
                r.actual_to_date,
                r.projection,
                r.low,
                r.high,
                r.target,
                r.probability_pct,
                r.note,
            )
            for r in s.nowcast
        ],
    )
    wb.properties.title = s.title
    wb.properties.creator = s.issuer
    # openpyxl writes naive datetimes as they are; the briefing's date at 08:00 local time.
    stamp = datetime.combine(s.issue_date, time(8, 0))
    wb.properties.created = stamp
    wb.properties.modified = stamp
    return wb


def _at(values: tuple[Decimal | None, ...], i: int) -> Decimal | None:
    return values[i] if i < len(values) else None


def build_briefing_xlsx(snapshot: BriefingSnapshot) -> bytes:
    buf = io.BytesIO()
    build_workbook(snapshot).save(buf)
    return buf.getvalue()


def write_briefing_xlsx(snapshot: BriefingSnapshot, path: str | Path) -> Path:
    target = Path(path)
    target.write_bytes(build_briefing_xlsx(snapshot))
    return target
