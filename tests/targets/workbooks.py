"""Workbooks like the statistics bureau's, built inside the tests (no binary fixtures)."""

from __future__ import annotations

import io
import re
import zipfile

from openpyxl import Workbook

# The demo catalogue's names as a bureau writes them.
MAIN_ROWS = [
    # label, unit of measure, cumulative, growth
    ("一、地区生产总值", "亿元", "—", "—"),
    ("规模以上工业增加值*", "指数", "—", 6.8),
    ("固定资产投资", "亿元", "52.31", "10.2"),  # numbers stored as text
    ("社会消费品零售总额", "亿元", 86.4, 5.1),
    ("一般公共预算收入", "亿元", 12.5, 3.2),
]


def bureau_workbook(
    *,
    title: str = "示范区2025年1-2月主要经济指标",
    main_rows: list[tuple] | None = None,
    towns: list[tuple] | None = None,
    formula_without_value: bool = False,
    formula_with_value: bool = False,
    extra_sheets: int = 0,
) -> bytes:
    """Sheet 主要指标: title row, unit line, header merged over two rows, footnotes. Sheet
    分镇街: one row per town, an indicator's name merged over its 累计 | 增长% pair."""
    wb = Workbook()
    ws = wb.active
    ws.title = "主要指标"
    ws.append([title])
    ws.merge_cells("A1:D1")
    ws.append([None, None, None, "单位：亿元、%"])
    ws.append(["指标名称", "计量单位", "1-2月", None])
    ws.append([None, None, "累计", "同比增长（%）"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    for row in main_rows if main_rows is not None else MAIN_ROWS:
        ws.append(list(row))
    formula_rows = []
    if formula_without_value or formula_with_value:
        ws.append(["外贸进出口总额", "亿元", "=C7*2", 4.0])
        formula_rows.append(ws.max_row)
    ws.append([])
    ws.append(["注：1.规模以上工业增加值增速按可比价计算。"])
    ws.append(["2.“—”表示该期无数据；地区生产总值按季度核算。"])

    town = wb.create_sheet("分镇街")
    town.append(["2025年1-2月分镇街主要指标"])
    town.merge_cells("A1:E1")
    town.append(["镇街", "固定资产投资", None, "社会消费品零售总额", None])
    town.append([None, "累计（亿元）", "增长%", "累计（亿元）", "增长%"])
    town.merge_cells("A2:A3")
    town.merge_cells("B2:C2")
    town.merge_cells("D2:E2")
    for row in (
        towns
        if towns is not None
        else [
            ("东城街道", 20.1, 12.0, 40.2, 6.0),
            ("西城街道", "18.5", "8.1", 30.0, "—"),
        ]
    ):
        town.append(list(row))
    town.append(["合计", 38.6, None, 70.2, None])
    for i in range(extra_sheets):
        wb.create_sheet(f"附表{i + 1}").append(["说明"])
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if formula_with_value:
        data = cache_formula_values(
            data, "xl/worksheets/sheet1.xml", {f"C{formula_rows[0]}": "9.5"}
        )
    return data


def cache_formula_values(data: bytes, part: str, values: dict[str, str]) -> bytes:
    """Write cached results into formula cells, as Excel does on save (openpyxl never does)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                xml = content.decode("utf-8")
                for ref, value in values.items():
                    xml, n = re.subn(
                        rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?',
                        rf"\g<1><v>{value}</v>",
                        xml,
                    )
                    assert n == 1, ref
                content = xml.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue()


def zip_of(parts: dict[str, bytes | str], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def zip_bomb(*, inflated_mb: int = 500) -> bytes:
    """Many MB of zeros that deflate to a tiny part, next to a valid-looking skeleton."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(inflated_mb):
                sheet.write(chunk)
    return out.getvalue()


def docx_bytes() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("这是一份Word文档")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsm_bytes() -> bytes:
    """A workbook with a macro part, as Excel saves .xlsm."""
    data = bureau_workbook()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0fake macro storage")
    return out.getvalue()


OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504
