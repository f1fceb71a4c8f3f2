"""Rebuild published task tables as Word documents for the evaluation corpus.

Some published documents carry their task table as text: either flattened by
the publishing site into one cell per line, or one row per line with the cells
separated by spaces. Real users receive such tables as .docx files, so this
script rebuilds each of them as a real Word table (header row, category rows
merged across the full width, one row per measure) from the text kept in the
corpus, and writes the .docx next to it. Run from the repository root:
``python corpus/build_a-tables.py``.
"""

import datetime as dt
import re
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

CORPUS = Path(__file__).resolve().parent
CATEGORY = re.compile(r"^[一二三四五六七八九十]+、")

# source text, .docx to write, number of columns, and how the text holds the table
TABLES = [
    {
        "source": "a-gov-2018-zhichi-chuangxin-gaige-tuiguang-tongzhi.txt",
        "target": "a-gov-2018-zhichi-chuangxin-gaige-tuiguang-qingdan.docx",
        "columns": 5,
        "layout": "cell-per-line",
        "date": dt.datetime(2018, 12, 23, tzinfo=dt.UTC),
    },
    {
        "source": "a-gov-2016-lianghua-zhibiao-renwu-fengong-tongzhi.txt",
        "target": "a-gov-2016-lianghua-zhibiao-renwu-fengong-biao.docx",
        "columns": 3,
        "layout": "row-per-line",
        "title": "2016年《政府工作报告》量化指标任务分工",
        # the stored page stops inside row 10, whose unit cell is cut short
        "last_row": 9,
        "date": dt.datetime(2016, 4, 6, tzinfo=dt.UTC),
    },
]


def read_attachment(lines, columns):
    """Split the flattened attachment into label, title, header, and rows.

    Rows are ("category", text) or ("row", [cell, ...]).
    """
    start = lines.index("附件")
    label, title = lines[start], lines[start + 1]
    header = lines[start + 2 : start + 2 + columns]
    body = lines[start + 2 + columns :]
    rows = []
    i = 0
    while i < len(body):
        if CATEGORY.match(body[i]):
            rows.append(("category", body[i]))
            i += 1
            continue
        cells = body[i : i + columns]
        if len(cells) != columns or not cells[0].isdigit():
            raise ValueError(f"第{i + 1}行起不是完整的表格行：{cells}")
        rows.append(("row", cells))
        i += columns
    return label, title, header, rows


def read_row_per_line(lines, title, last_row):
    """A table written one row per line: 序号, the task, and the unit last.

    The header line follows the title; its cells are separated by spaces, but
    one header cell is letter-spaced ("工 作 任 务"), so it is split into the
    first word, the last word, and everything between.
    """
    start = lines.index(title)
    first, *middle, last = lines[start + 1].split()
    header = [first, " ".join(middle), last]
    rows = []
    for line in lines[start + 2 :]:
        number, rest = line.split(maxsplit=1)
        task, unit = rest.rsplit(maxsplit=1)
        if int(number) > last_row:
            break
        rows.append(("row", [number, task, unit]))
    return None, title, header, rows


def set_font(paragraph, size, bold=False):
    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = "仿宋_GB2312"
        run.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")


def build(spec):
    columns = spec["columns"]
    lines = [
        line.strip()
        for line in (CORPUS / spec["source"]).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if spec["layout"] == "cell-per-line":
        label, title, header, rows = read_attachment(lines, columns)
    else:
        label, title, header, rows = read_row_per_line(lines, spec["title"], spec["last_row"])

    doc = Document()
    doc.core_properties.created = spec["date"]
    doc.core_properties.modified = spec["date"]
    doc.core_properties.last_modified_by = ""
    doc.core_properties.author = ""
    if label:
        set_font(doc.add_paragraph(label), 16)
    heading = doc.add_paragraph(title)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(heading, 18, bold=True)

    table = doc.add_table(rows=1, cols=columns)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        set_font(cell.paragraphs[0], 12, bold=True)
    for kind, value in rows:
        cells = table.add_row().cells
        if kind == "category":
            merged = cells[0].merge(cells[-1])
            merged.text = value
            set_font(merged.paragraphs[0], 12, bold=True)
        else:
            for cell, text in zip(cells, value, strict=True):
                cell.text = text
                set_font(cell.paragraphs[0], 12)
    doc.save(CORPUS / spec["target"])
    return len(rows)


def main():
    for spec in TABLES:
        count = build(spec)
        print(f"{spec['target']}: {count} rows")


if __name__ == "__main__":
    main()
