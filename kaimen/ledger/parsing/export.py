"""The 任务分解表 as an Excel sheet and a Word table, ready to print on A4 landscape.

Columns are the ones campaign offices use: 序号, 任务内容, 牵头单位, 配合单位, 完成时限, 进展情况,
状态. Tasks are grouped under their level-1 section (一、……) as in the speech.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kaimen.ledger.parsing.structure import Node, display_width

if TYPE_CHECKING:
    from kaimen.ledger.parsing import ParsedDocument

COLUMNS = ("序号", "任务内容", "牵头单位", "配合单位", "完成时限", "进展情况", "状态")
# Excel column widths (in characters of the default font; a hanzi takes two).
XLSX_WIDTHS = (6, 60, 16, 20, 14, 24, 9)
# Word column widths in centimetres; they add up to the 25.7 cm between A4 landscape margins.
DOCX_WIDTHS_CM = (1.2, 10.6, 3.0, 3.4, 2.6, 3.6, 1.3)
INITIAL_STATUS = "未启动"
RECURRENCE_LABEL = {
    "daily": "每日",
    "weekly": "每周",
    "ten_days": "每旬",
    "monthly": "每月",
    "quarterly": "每季度",
}

# Excel would run a cell text starting with one of these as a formula (CSV/formula injection,
# SECURITY.md "formula injection on export").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\x00")
# XML 1.0 cannot carry these at all; they are dropped, not escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class LedgerRow:
    number: int
    content: str
    lead: str
    co: str
    deadline: date | None
    deadline_text: str
    recurrence: str | None
    progress: str
    status: str


@dataclass(frozen=True)
class SectionRow:
    title: str


def _deadline_text(deadline: date | None, recurrence: str | None) -> str:
    text = f"{deadline.year}年{deadline.month}月{deadline.day}日前" if deadline else ""
    if recurrence:
        cadence = RECURRENCE_LABEL.get(recurrence, recurrence)
        text = f"{text}({cadence}报送进展)" if text else f"{cadence}报送进展"
    return text


def ledger_rows(
    doc: ParsedDocument, *, include_exhortations: bool = False
) -> list[LedgerRow | SectionRow]:
    rows: list[LedgerRow | SectionRow] = []
    number = 0
    for root in doc.nodes:
        section_added = False
        for node in root.walk():
            if node.children or node.task is None:
                continue
            if node.task.kind != "task" and not include_exhortations:
                continue
            if not section_added:
                rows.append(SectionRow(f"{root.marker}{root.heading}"))
                section_added = True
            number += 1
            task = node.task
            rows.append(
                LedgerRow(
                    number=number,
                    content=_content(node),
                    lead="、".join(task.lead_units),
                    co="、".join(task.co_units),
                    deadline=task.deadline,
                    deadline_text=_deadline_text(task.deadline, task.recurrence),
                    recurrence=task.recurrence,
                    progress="",
                    status=INITIAL_STATUS if task.kind == "task" else "(号召性要求)",
                )
            )
    return rows


def _content(node: Node) -> str:
    return node.text or node.heading


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


# ---------------------------------------------------------------------------------------------
# Excel


def _set_text(cell, text: str) -> None:
    """Store ``text`` as a string cell whatever it starts with: never as a formula."""
    cell.value = _clean(text)
    # openpyxl turns a string starting with "=" into a formula cell; "s" keeps it a string, so
    # no <f> element reaches the sheet XML. A quote prefix would change what the user sees.
    cell.data_type = "s"


def _row_height(values: list[str], widths: tuple[int, ...]) -> float:
    lines = 1
    for value, width in zip(values, widths, strict=True):
        for part in value.split("\n"):
            lines_here = max(1, math.ceil(display_width(part) / max(width - 1, 1)))
            lines = max(lines, lines_here + value.count("\n"))
    return min(409.0, 15.0 * lines + 4)


def write_xlsx(
    doc: ParsedDocument, path: str | Path, *, include_exhortations: bool = False
) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")

    title = f"{doc.title}任务分解表" if doc.title else "任务分解表"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    _set_text(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = center
    ws.row_dimensions[1].height = _row_height([title], (sum(XLSX_WIDTHS),)) + 8

    for col, (heading, width) in enumerate(zip(COLUMNS, XLSX_WIDTHS, strict=True), start=1):
        cell = ws.cell(row=2, column=col)
        _set_text(cell, heading)
        cell.font = Font(bold=True)
        cell.alignment = center
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        ws.column_dimensions[get_column_letter(col)].width = width

    row_index = 3
    for row in ledger_rows(doc, include_exhortations=include_exhortations):
        if isinstance(row, SectionRow):
            ws.merge_cells(
                start_row=row_index, start_column=1, end_row=row_index, end_column=len(COLUMNS)
            )
            cell = ws.cell(row=row_index, column=1)
            _set_text(cell, row.title)
            cell.font = Font(bold=True)
            cell.alignment = wrap
            for col in range(1, len(COLUMNS) + 1):
                ws.cell(row=row_index, column=col).border = border
            row_index += 1
            continue
        values: list[object] = [
            row.number,
            row.content,
            row.lead,
            row.co,
            # A plain deadline is a real date cell; one with a reporting cadence needs words.
            row.deadline if row.deadline and not row.recurrence else row.deadline_text,
            row.progress,
            row.status,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row_index, column=col)
            if isinstance(value, str):
                _set_text(cell, value)
            else:
                # Real numbers and dates stay numbers and dates, so they still sort and add up.
                cell.value = value
                if isinstance(value, date):
                    cell.number_format = 'yyyy"年"m"月"d"日"'
            cell.alignment = center if col in (1, 5, 7) else wrap
            cell.border = border
        ws.row_dimensions[row_index].height = _row_height(
            [row.deadline_text if isinstance(v, date) else str(v) for v in values], XLSX_WIDTHS
        )
        row_index += 1

    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ---------------------------------------------------------------------------------------------
# Word


def _set_run_font(run, *, east_asia: str, size_pt: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size_pt)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)


def _fill_cell(cell, text: str, *, bold: bool = False, center: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = cell.paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(_clean(text))
    _set_run_font(run, east_asia="宋体", size_pt=10.5, bold=bold)


def _repeat_as_header(row) -> None:
    """Mark a table row to repeat at the top of every printed page (w:tblHeader)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def write_docx(
    doc: ParsedDocument, path: str | Path, *, include_exhortations: bool = False
) -> Path:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    path = Path(path)
    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(1.8)

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = f"{doc.title}任务分解表" if doc.title else "任务分解表"
    _set_run_font(heading.add_run(_clean(title)), east_asia="黑体", size_pt=16, bold=True)

    rows = ledger_rows(doc, include_exhortations=include_exhortations)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(w) for w in DOCX_WIDTHS_CM]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, name, width in zip(header.cells, COLUMNS, widths, strict=True):
        cell.width = width
        _fill_cell(cell, name, bold=True, center=True)

    for row in rows:
        cells = table.add_row().cells
        for cell, width in zip(cells, widths, strict=True):
            cell.width = width
        if isinstance(row, SectionRow):
            merged = cells[0].merge(cells[-1])
            _fill_cell(merged, row.title, bold=True)
            continue
        values = (
            str(row.number),
            row.content,
            row.lead,
            row.co,
            row.deadline_text,
            row.progress,
            row.status,
        )
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _fill_cell(cell, value, center=i in (0, 4, 6))

    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
