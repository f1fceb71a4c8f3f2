"""Sub-items of a statistics bulletin (其中 rows and their kin) that the catalogue does not know
are left out with a note, not refused; and the fast reader reads cells as openpyxl did."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from kaimen.targets import imports, workbook
from kaimen.targets.importers import leading_width, numbering_level, sub_item_mark
from kaimen.targets.models import Actual
from tests.targets.workbooks import (
    BULLETIN_ROWS,
    bulletin_workbook,
    bureau_workbook,
    numbered_bulletin_workbook,
)

pytestmark = pytest.mark.django_db
D = Decimal


def upload(cat, data: bytes, name: str = "2025年1-2月统计月报.xlsx"):
    return imports.import_upload(actor=cat.cast.office, data=data, file_name=name)


def errors_of(batch) -> set[tuple[str, int | None, str]]:
    return {(p["sheet"], p["row"], p["column"]) for p in batch.problems if p["severity"] == "error"}


def test_sub_items_of_a_bulletin_are_noted_and_the_rest_imports(cat):
    batch, _ = upload(cat, bulletin_workbook())
    assert errors_of(batch) == set()
    left_out = {(i["sheet"], i["row"]) for i in batch.summary["not_imported"]}
    assert left_out == {
        ("主要指标", 6),  # "  其中:高技术制造业"
        ("主要指标", 8),  # "  其中：工业投资" (full-width colon)
        ("主要指标", 9),  # its indented sibling "民间投资"
        ("主要指标", 11),  # "# 批发零售业" after ideographic spaces
        ("主要指标", 12),  # its indented sibling
        ("主要指标", 13),  # "内：限额以上…"
        ("主要指标", 15),  # "  城镇" under the heading "按经营地分"
        ("主要指标", 17),  # "其中 税收收入"
        ("分镇街", 5),  # "  其中：东城科技园", a park inside a town
    }
    assert batch.summary["not_imported_count"] == 9
    notes = " ".join(batch.summary["notes"])
    assert "8个分项未导入" in notes
    assert "1个分项未导入" in notes
    assert "第6行“其中:高技术制造业”" in notes
    assert "其中：工业投资" in notes
    assert "其中 税收收入" in notes
    assert "指标目录" in notes  # how to have one imported
    result = imports.import_commit(actor=cat.cast.office, batch=batch)
    assert result.created == 6  # four district figures, two towns' 固投
    assert result.not_imported == 9
    assert "9" in result.text
    figures = {
        (a.indicator.code, a.unit.name): (a.value, a.growth_pct)
        for a in Actual.objects.select_related("indicator", "unit")
    }
    # Each indicator took its own row, never a sub-item's figure.
    assert figures[("fixed_asset_investment", "区委区政府")] == (D("52.31"), D("10.2"))
    assert figures[("retail_sales", "区委区政府")] == (D("86.4"), D("5.1"))
    assert figures[("budget_revenue", "区委区政府")] == (D("12.5"), D("3.2"))
    assert figures[("industrial_value_added", "区委区政府")] == (None, D("6.8"))
    assert figures[("fixed_asset_investment", "东城街道")] == (D("20.1"), D("12.0"))
    assert figures[("fixed_asset_investment", "西城街道")] == (D("18.5"), D("8.1"))
    assert len(figures) == 6


def test_a_row_of_its_own_that_the_catalogue_does_not_know_is_still_an_error(cat):
    rows = [*BULLETIN_ROWS, ("外资企业出口额", "亿元", 3.2, 1.0)]  # row 18, not a sub-item
    batch, _ = upload(cat, bulletin_workbook(rows=rows))
    assert errors_of(batch) == {("主要指标", 18, "A")}
    assert batch.summary["not_imported_count"] == 9


def test_a_sub_item_the_catalogue_knows_is_imported(cat):
    # 规上工业增加值 is an alias of an indicator: as a 其中 row of 工业增加值 it is imported.
    rows = [("工业增加值", "亿元", 30.0, 5.0), ("  其中：规上工业增加值", "%", "—", 6.8)]
    batch, _ = upload(cat, bulletin_workbook(rows=rows, towns=[]))
    assert errors_of(batch) == {("主要指标", 5, "A")}  # 工业增加值 is not in the catalogue
    assert {r["indicator"] for r in batch.summary["sample"]} == {"industrial_value_added"}


def test_numbered_levels_and_excel_indents_mark_sub_items(cat):
    batch, _ = upload(cat, numbered_bulletin_workbook(), name="龙岗区统计月报.xlsx")
    assert errors_of(batch) == set()
    assert [i["row"] for i in batch.summary["not_imported"]] == [4, 5, 7, 8]
    sample = {r["indicator"]: r for r in batch.summary["sample"]}
    assert sample["retail_sales"]["value"] == "117.3850"  # 1,173,850 万元
    assert sample["retail_sales"]["converted_from"] == "万元"
    assert sample["budget_revenue"]["value"] == "12.5000"


def test_outline_helpers():
    assert sub_item_mark("其中:高技术制造业")
    assert sub_item_mark("　其中：工业投资")
    assert sub_item_mark("＃批发零售业")
    assert sub_item_mark("内：限额以上")
    assert sub_item_mark("在总额中:")
    assert not sub_item_mark("内资企业")
    assert not sub_item_mark("固定资产投资")
    assert leading_width("  a") == 2
    assert leading_width("　a") == 2
    assert leading_width("a") == 0
    assert numbering_level("一、地区生产总值") == 1
    assert numbering_level("（一）工业") == 2
    assert numbering_level("1、批发零售贸易业") == 3
    assert numbering_level("(1)餐饮") == 4
    assert numbering_level("1.5亿元") is None
    assert numbering_level("固定资产投资") is None


# --- the fast reader ------------------------------------------------------------------------


def test_cells_are_normalised_in_one_place():
    assert workbook.cell_value("") is None
    assert workbook.cell_value(10.0) == 10
    assert type(workbook.cell_value(10.0)) is int
    assert workbook.cell_value(10.5) == 10.5
    assert workbook.cell_value(date(2025, 2, 1)) == datetime(2025, 2, 1)
    assert workbook.cell_value(True) is True
    assert workbook.cell_value("  其中") == "  其中"


def _openpyxl_grid(data: bytes) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    grids = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows(values_only=True):
            values = list(row)
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        while rows and not rows[-1]:
            rows.pop()
        grids[ws.title] = rows
    wb.close()
    return grids


def test_the_fast_reader_gives_the_values_openpyxl_gives():
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws["C3"] = 10
    ws["D3"] = 10.25
    ws["E3"] = "  其中：税收收入"
    ws["F3"] = datetime(2025, 2, 1)
    ws["G3"] = -0.5
    ws["B5"] = "12.30"
    buffer = io.BytesIO()
    wb.save(buffer)
    for data in (buffer.getvalue(), bureau_workbook(), bulletin_workbook()):
        ours = workbook.read_workbook(data)
        theirs = _openpyxl_grid(data)
        for sheet in ours.sheets:
            merged = {
                (r, c)
                for r1, c1, r2, c2 in sheet.merged
                for r in range(r1, r2 + 1)
                for c in range(c1, c2 + 1)
                if (r, c) != (r1, c1)
            }
            expected = theirs[sheet.name]
            assert sheet.max_row == len(expected)
            for r, row in enumerate(expected, start=1):
                for c, value in enumerate(row, start=1):
                    if (r, c) not in merged:  # merged cells take the range's text
                        got = sheet.value(r, c)
                        assert (got, type(got)) == (value, type(value)), (sheet.name, r, c)


def test_hidden_sheets_are_not_read():
    wb = Workbook()
    wb.active.title = "主要指标"
    wb.active.append(["a", 1])
    hidden = wb.create_sheet("底稿")
    hidden.append(["b", 2])
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    wb.save(buffer)
    assert [s.name for s in workbook.read_workbook(buffer.getvalue()).sheets] == ["主要指标"]


def test_a_sheet_spanning_far_corners_is_refused_not_read_into_memory():
    from kaimen.lib.errors import ValidationError

    wb = Workbook()
    ws = wb.active
    ws["A1"] = "2025年1-2月主要指标"
    ws["XFD1048576"] = 1
    buffer = io.BytesIO()
    wb.save(buffer)
    with pytest.raises(ValidationError, match="数据区域过大"):
        workbook.read_workbook(buffer.getvalue())


def test_the_import_command_names_the_sub_items_it_left_out(cat, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "2025年1-2月统计月报.xlsx"
    path.write_bytes(bulletin_workbook())
    out = StringIO()
    call_command("targets", "import", str(path), stdout=out)
    text = out.getvalue()
    assert "其中：工业投资" in text
    assert "新增6个数" in text
    assert "9个不在指标目录中的分项未导入" in text
