"""The published ledger of a campaign as the 任务分解表 offices print: xlsx and docx, A4 landscape,
columns 序号 / 任务内容 / 牵头单位 / 配合单位 / 完成时限 / 进展情况 / 状态, tasks grouped under their
level-1 section as in the speech.

Rows are plain dataclasses built by the caller; the writers take a file object. A text cell that
starts with = + - @ TAB or NUL is written as text, never as a formula (SECURITY.md).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from kaimen.ledger.parsing.export import COLUMNS, DOCX_WIDTHS_CM, XLSX_WIDTHS
from kaimen.ledger.parsing.structure import display_width

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Row:
    number: int
    content: str
    lead: str
    co: str
    deadline: date
    progress: str
    status: str


@dataclass(frozen=True)
class Section:
    title: str


def _clean(text: str) -> str:
    # XML 1.0 cannot carry these control characters at all; they are dropped.
    return _XML_ILLEGAL.sub("", text)


def _deadline_text(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日前"


def _text_cell(cell, text: str) -> None:
    cell.value = _clean(text)
    # "s" keeps a string starting with "=" a string: no <f> element reaches the sheet XML.
    cell.data_type = "s"


def _height(values: list[str]) -> float:
    lines = 1
    for value, width in zip(values, XLSX_WIDTHS, strict=True):
        for part in value.split("\n") or [""]:
            lines = max(lines, math.ceil(display_width(part) / max(width - 1, 1)))
    return min(409.0, 15.0 * lines + 4)


def write_xlsx(title: str, rows: list[Row | Section], out: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "任务分解表"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    center = Alignment(wrap_text=True, vertical="center", horizontal="center")
    width = len(COLUMNS)

    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    _text_cell(ws.cell(row=1, column=1), title)
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.cell(row=1, column=1).alignment = center
    ws.row_dimensions[1].height = 30
    for col, (name, col_width) in enumerate(zip(COLUMNS, XLSX_WIDTHS, strict=True), start=1):
        cell = ws.cell(row=2, column=col)
        _text_cell(cell, name)
        cell.font = Font(bold=True)
        cell.alignment = center
        cell.border = border
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        ws.column_dimensions[get_column_letter(col)].width = col_width

    r = 3
    for row in rows:
        if isinstance(row, Section):
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
            _text_cell(ws.cell(row=r, column=1), row.title)
            ws.cell(row=r, column=1).font = Font(bold=True)
            for col in range(1, width + 1):
                ws.cell(row=r, column=col).border = border
            r += 1
            continue
        values: list[object] = [
            row.number,
            row.content,
            row.lead,
            row.co,
            row.deadline,
            row.progress,
            row.status,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col)
            if isinstance(value, str):
                _text_cell(cell, value)
            else:
                # Numbers and dates stay real numbers and dates: they still sort and add up.
                cell.value = value
                if isinstance(value, date):
                    cell.number_format = 'yyyy"年"m"月"d"日"'
            cell.alignment = center if col in (1, 5, 7) else wrap
            cell.border = border
        ws.row_dimensions[r].height = _height(
            [
                str(row.number),
                row.content,
                row.lead,
                row.co,
                "0000年00月00日",
                row.progress,
                row.status,
            ]
        )
        r += 1

    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    wb.save(out)


def _font(run, *, east_asia: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)


def _fill(cell, text: str, *, bold: bool = False, center: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = cell.paragraphs[0]
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(_clean(text)), east_asia="宋体", size=10.5, bold=bold)


def write_docx(title: str, rows: list[Row | Section], out: BinaryIO) -> None:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin = section.bottom_margin = Cm(1.8)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(heading.add_run(_clean(title)), east_asia="黑体", size=16, bold=True)

    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [Cm(w) for w in DOCX_WIDTHS_CM]
    header = table.rows[0]
    # The header row repeats on every printed page.
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(marker)
    for cell, name, w in zip(header.cells, COLUMNS, widths, strict=True):
        cell.width = w
        _fill(cell, name, bold=True, center=True)
    for row in rows:
        cells = table.add_row().cells
        for cell, w in zip(cells, widths, strict=True):
            cell.width = w
        if isinstance(row, Section):
            _fill(cells[0].merge(cells[-1]), row.title, bold=True)
            continue
        values = (
            str(row.number),
            row.content,
            row.lead,
            row.co,
            _deadline_text(row.deadline),
            row.progress,
            row.status,
        )
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _fill(cell, value, center=i in (0, 4, 6))
    document.save(out)
