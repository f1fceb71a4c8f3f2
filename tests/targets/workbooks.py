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


# --- bulletins with sub-items (其中 rows), shaped like published tables -----------------------
#
# Where each shape was seen (public pages reached through the project's page search):
# * "其中:" and then unmarked siblings, section headings without figures (分地区, 分产业):
#   人民网 2013-08-09, 国家统计局 2013年1-7月民间固定资产投资主要数据,
#   http://finance.people.com.cn/BIG5/n/2013/0809/c1004-22507710.html
# * "  其中:限额以上企业(单位)消费品零售额", heading "按经营地分" over indented "  城镇", "  乡村":
#   国家统计局 2011年9月社会消费品零售总额主要数据 (as copied on
#   http://nakedoat.com/gzdt/2011-10/18/content_1972317.htm)
# * "# 批发零售业" followed by the indented sibling "住宿餐饮业" (the "#" marks the first of a
#   group of parts): 上海市统计局 2022年9月社会消费品零售总额 (as copied on
#   http://m.digitalblesphamy.com/nw48796/20221202/0d577d1504db494aa7be31dabf473219.html), and
#   its 生产总值 table "  按行业分 / # 工业 / 建筑业" (copy on
#   http://www.gzfuluhua.cn/nw48786/20220902/d4cabd60f2164ab3a7d210c61ace0723.html)
# * "一般公共预算收入 … 其中:税收收入": 重庆市巴南区财政收支情况,
#   http://cqbn.gov.cn/zwgk_252/fdzdgknr/czyjs/qtczgkxx/202107/t20210727_9511455_wap.html
# * numbered levels "一、社会消费品零售总额" over "1、批发零售贸易业", "在总额中:" over commodity
#   rows, figures in 万元: 深圳市龙岗区统计月报 2015年3月,
#   https://www.lg.gov.cn/bmzz/tjj/xxgk/tjsj/tjyb/2015n/3yf/content/post_2797787.html

BULLETIN_ROWS = [
    # label (as written, with its indentation), unit of measure, cumulative, growth
    ("规模以上工业增加值", "%", "—", 6.8),  # row 5
    ("  其中:高技术制造业", "%", "—", 12.1),  # row 6
    ("固定资产投资", "亿元", 52.31, 10.2),  # row 7
    ("  其中：工业投资", "亿元", 20.1, 15.0),  # row 8
    ("        民间投资", "亿元", 18.2, 3.0),  # row 9: a sibling, indented, unmarked
    ("社会消费品零售总额", "亿元", 86.4, 5.1),  # row 10
    ("　　# 批发零售业", "亿元", 76.0, 4.8),  # row 11: ideographic spaces, "#"
    ("　　　住宿餐饮业", "亿元", 10.4, 7.9),  # row 12
    ("内：限额以上单位消费品零售额", "亿元", 40.0, 6.0),  # row 13: "内:" not indented
    ("按经营地分", None, None, None),  # row 14: a heading, no figures
    ("  城镇", "亿元", 70.1, 5.0),  # row 15
    ("一般公共预算收入", "亿元", 12.5, 3.2),  # row 16
    ("其中 税收收入", "亿元", 9.8, 2.1),  # row 17: no colon
]


def bulletin_workbook(
    *,
    title: str = "示范区2025年1-2月主要经济指标",
    rows: list[tuple] | None = None,
    towns: list[tuple] | None = None,
) -> bytes:
    """A district bulletin (统计月报) whose main sheet breaks indicators down into 其中 rows,
    and whose town sheet has a 其中 line for a park inside a town."""
    wb = Workbook()
    ws = wb.active
    ws.title = "主要指标"
    ws.append([title])
    ws.merge_cells("A1:D1")
    ws.append([None, None, None, "单位：亿元、%"])
    ws.append(["指标名称", "计量单位", "1-2月", None])
    ws.append([None, None, "累计", "比上年同期增长（%）"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:D3")
    for row in rows if rows is not None else BULLETIN_ROWS:
        ws.append(list(row))
    ws.append([])
    ws.append(["注：规模以上工业增加值及其分项的增速按可比价计算。"])
    town = wb.create_sheet("分镇街")
    town.append(["2025年1-2月分镇街主要指标"])
    town.append(["镇街", "固定资产投资", None])
    town.append([None, "累计（亿元）", "增长%"])
    town.merge_cells("B2:C2")
    town.merge_cells("A2:A3")
    for row in (
        towns
        if towns is not None
        else [
            ("东城街道", 20.1, 12.0),
            ("  其中：东城科技园", 8.0, 30.5),
            ("西城街道", 18.5, 8.1),
        ]
    ):
        town.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def numbered_bulletin_workbook() -> bytes:
    """A 龙岗-style table: numbered levels, figures in 万元, an "在总额中:" heading over rows
    indented by Excel's alignment (not by spaces)."""
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.active
    ws.title = "主要指标"
    ws.append(["示范区2025年1-3月统计月报"])
    ws.append(["项目名称", "计算单位", "1-3月累计", "累计比上年同期增长(%)"])
    ws.append(["一、社会消费品零售总额", "万元", 1173850, 2.0])  # row 3
    ws.append(["1、批发零售贸易业", "万元", 1044727, 0.6])  # row 4
    ws.append(["2、餐饮业", "万元", 129123, 14.7])  # row 5
    ws.append(["在总额中:", None, None, None])  # row 6
    ws.append(["食品饮料烟酒类", "万元", 225428, 29.2])  # row 7, indented below
    ws.append(["汽车类", "万元", 101409, -47.1])  # row 8, indented below
    ws.append(["二、一般公共预算收入", "万元", 125000, 3.2])  # row 9
    for r in (7, 8):
        ws.cell(r, 1).alignment = Alignment(indent=2)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
