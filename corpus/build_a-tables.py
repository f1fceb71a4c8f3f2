"""Rebuild published task tables as Word documents for the evaluation corpus.

Some published documents carry their task table as an attachment that the
publishing site flattened into one cell per line. Real users receive such
tables as .docx files, so this script rebuilds each of them as a real Word
table (header row, category rows merged across the full width, one row per
measure) from the flattened text kept in the corpus, and writes the .docx next
to it. Run from the repository root: ``python corpus/build_a-tables.py``.
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

# (flattened source text, .docx to write, number of columns in the table)
TABLES = [
    (
        "a-gov-2018-zhichi-chuangxin-gaige-tuiguang-tongzhi.txt",
        "a-gov-2018-zhichi-chuangxin-gaige-tuiguang-qingdan.docx",
        5,
    ),
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


def set_font(paragraph, size, bold=False):
    for run in paragraph.runs:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = "仿宋_GB2312"
        run.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")


def build(source, target, columns):
    lines = [
        line.strip()
        for line in (CORPUS / source).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    label, title, header, rows = read_attachment(lines, columns)

    doc = Document()
    doc.core_properties.created = dt.datetime(2018, 12, 23, tzinfo=dt.UTC)
    doc.core_properties.modified = dt.datetime(2018, 12, 23, tzinfo=dt.UTC)
    doc.core_properties.last_modified_by = ""
    doc.core_properties.author = ""
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
    doc.save(CORPUS / target)
    return len(rows)


def main():
    for source, target, columns in TABLES:
        count = build(source, target, columns)
        print(f"{target}: {count} rows")


if __name__ == "__main__":
    main()
