"""Importing the statistics bureau's workbook: what real files contain, every problem by sheet,
row and column, refusals of files that are not plain workbooks, atomic and idempotent commits."""

from __future__ import annotations

import io
import time
import zipfile
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import Workbook

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.lib.errors import ValidationError
from kaimen.targets import imports
from kaimen.targets.models import (
    Actual,
    ActualCorrection,
    ImportBatch,
    ImportLayout,
    ImportStatus,
)
from tests.targets.conftest import put_figures
from tests.targets.workbooks import (
    MAIN_ROWS,
    OLE_HEADER,
    bureau_workbook,
    docx_bytes,
    xlsm_bytes,
    zip_bomb,
    zip_of,
)

pytestmark = pytest.mark.django_db
D = Decimal


def upload(cat, data: bytes, name: str = "2025年1-2月统计月报.xlsx"):
    return imports.import_upload(actor=cat.cast.office, data=data, file_name=name)


def problems_of(batch) -> set[tuple[str, int | None, str]]:
    return {(p["sheet"], p["row"], p["column"]) for p in batch.problems if p["severity"] == "error"}


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return list(root.rglob("*.xlsx")) if root.exists() else []


# --- what bureau files contain ------------------------------------------------------------


def test_a_clean_bureau_workbook_is_read_with_its_titles_merged_headers_and_footnotes(cat):
    batch, created = upload(cat, bureau_workbook())
    assert created
    assert batch.status == ImportStatus.PREVIEW
    assert (batch.year, batch.end_month) == (2025, 2)  # from the title "2025年1-2月"
    assert batch.problems == []
    rows = {(r["indicator"], r["unit"]): r for r in batch.summary["sample"]}
    # a number stored as text, "10.2" as text too
    assert rows[("fixed_asset_investment", "区委区政府")]["value"] == "52.3100"
    assert rows[("fixed_asset_investment", "区委区政府")]["growth_pct"] == "10.20"
    # "—" for the value: only the published growth is taken
    assert rows[("industrial_value_added", "区委区政府")]["value"] is None
    assert rows[("industrial_value_added", "区委区政府")]["growth_pct"] == "6.80"
    # the 分镇街 sheet: an indicator merged over its 累计 | 增长% pair, "—" for 西城's growth
    assert rows[("retail_sales", "西城街道")]["value"] == "30.0000"
    assert rows[("retail_sales", "西城街道")]["growth_pct"] is None
    assert ("gdp", "区委区政府") not in rows  # "—" in both cells
    assert len(rows) == 8
    notes = " ".join(batch.summary["notes"])
    assert "注释" in notes
    assert "合计" in notes
    assert batch.summary["missing_cells"] == 4


def test_the_preview_lists_every_problem_by_sheet_row_and_column(cat):
    main = [
        *MAIN_ROWS,  # rows 5–9
        ("外资企业出口额", "亿元", 3.2, 1.0),  # row 10: not in the catalogue
        ("一般公共预算收入", "亿元", 11, 2.0),  # row 11: a duplicate of row 9
        ("社会消费品零售总额", "亿元", "约86", 5.1),  # row 12: text in a number cell
    ]
    towns = [
        ("东城街道", -5, 12.0, 40.2, 6.0),  # row 4: a negative amount
        ("南城街道", 1, 1, 1, 1),  # row 5: no such unit
        ("西城街道", "18.5", "8.1", 30.0, "—"),  # row 6: fine
    ]
    batch, _ = upload(cat, bureau_workbook(main_rows=main, towns=towns, formula_without_value=True))
    assert problems_of(batch) == {
        ("主要指标", 10, "A"),
        ("主要指标", 11, "C"),
        ("主要指标", 12, "C"),
        ("主要指标", 13, "C"),  # the formula without a cached value
        ("分镇街", 4, "B"),
        ("分镇街", 5, "A"),
    }
    reasons = {(p["sheet"], p["row"]): p["reason"] for p in batch.problems}
    assert "外资企业出口额" in reasons[("主要指标", 10)]
    assert "其他名称" in reasons[("主要指标", 10)]
    assert "出现了两次" in reasons[("主要指标", 11)]
    assert "第9行" in reasons[("主要指标", 11)]
    assert "约86" in reasons[("主要指标", 12)]
    assert "公式" in reasons[("主要指标", 13)]
    assert "计算结果" in reasons[("主要指标", 13)]
    assert "负数" in reasons[("分镇街", 4)]
    assert "南城街道" in reasons[("分镇街", 5)]
    with pytest.raises(ValidationError, match="处问题"):
        imports.import_commit(actor=cat.cast.office, batch=batch)
    assert not Actual.objects.exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.PREVIEW


def test_a_formula_with_a_cached_value_is_read_as_its_value(cat):
    batch, _ = upload(cat, bureau_workbook(formula_with_value=True))
    assert problems_of(batch) == set()
    rows = {(r["indicator"], r["unit"]): r for r in batch.summary["sample"]}
    assert rows[("foreign_trade", "区委区政府")]["value"] == "9.5000"


def one_sheet(*, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(["指标", "累计", "增长%"])
    ws.append(["固定资产投资", 52.31, 10.2])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def percent_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "社零"
    ws.append(["2025年1-2月社会消费品零售总额"])
    ws.append(["单位", "1-2月累计（万元）", "增长%"])
    ws.append(["东城街道", 402000, 0.068])
    ws["C3"].number_format = "0.0%"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_percent_formatted_cell_and_a_wan_yuan_column_are_converted(cat):
    batch, _ = upload(cat, percent_workbook())
    assert batch.problems == []
    (row,) = batch.summary["sample"]
    # 0.068 formatted "0.0%" is the published 6.8; 402000万元 is 40.2亿元
    assert (row["unit"], row["value"], row["growth_pct"]) == ("东城街道", "40.2000", "6.80")
    assert row["converted_from"] == "万元"


def test_wan_yuan_written_where_yi_yuan_is_expected_is_caught(cat):
    put_figures(cat.fai, cat.cast.top, 2024, {2: "49.64"})
    main = [("固定资产投资", "亿元", 523100, 10.2)]  # 52.31亿元 typed in 万元
    batch, _ = upload(cat, bureau_workbook(main_rows=main, towns=[]))
    (problem,) = [p for p in batch.problems if p["severity"] == "error"]
    assert (problem["sheet"], problem["row"], problem["column"]) == ("主要指标", 5, "C")
    assert "万元" in problem["reason"]
    assert "亿元" in problem["reason"]


def test_a_period_in_the_future_and_a_missing_period_are_errors(cat):
    batch, _ = upload(cat, bureau_workbook(title="示范区2099年1-2月主要经济指标"))
    assert any("尚未结束" in p["reason"] for p in batch.problems)
    untitled, _ = upload(cat, one_sheet(title="示范区主要经济指标"), "无期间.xlsx")
    assert untitled.year is None
    assert any("统计期间" in p["reason"] for p in untitled.problems)


# --- files that are not plain workbooks -----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (xlsm_bytes(), "月报.xlsm", "宏"),
        (xlsm_bytes(), "月报.xlsx", "vbaProject.bin"),
        (docx_bytes(), "月报.xlsx", "Word"),
        (OLE_HEADER, "月报.xls", "97-2003"),
        (OLE_HEADER, "月报.xlsx", "另存为"),
        (b"MZ\x90\x00 a renamed program", "月报.xlsx", "可执行程序"),
        (zip_of({"[Content_Types].xml": "<Types/>"}), "月报.xlsx", "xl/workbook.xml"),
        (bureau_workbook()[:2000], "月报.xlsx", "损坏"),
        (b"", "月报.xlsx", "空的"),
        (bureau_workbook(), "月报.xls", "扩展名"),
    ],
    ids=[
        "xlsm",
        "macro-renamed",
        "docx",
        "xls",
        "ole",
        "exe",
        "no-workbook",
        "truncated",
        "empty",
        "extension",
    ],
)
def test_files_that_are_not_plain_workbooks_are_refused_clearly(cat, settings, data, name, message):
    with pytest.raises(ValidationError, match=message) as refused:
        upload(cat, data, name)
    assert name in refused.value.message
    assert not ImportBatch.objects.exists()
    assert stored_files(settings) == []
    event = AuditEvent.objects.get(action="targets.import.refuse")
    assert event.outcome == Outcome.FAILURE


def test_a_zip_bomb_is_refused_without_being_inflated(cat):
    bomb = zip_bomb(inflated_mb=500)
    assert len(bomb) < 2 * 1024 * 1024
    started = time.monotonic()
    with pytest.raises(ValidationError, match="压缩"):
        upload(cat, bomb)
    assert time.monotonic() - started < 2
    many = zip_of({f"xl/x{i}.xml": "" for i in range(1200)} | {"[Content_Types].xml": ""})
    with pytest.raises(ValidationError, match="条目"):
        upload(cat, many)


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
def test_xml_entity_declarations_are_refused(cat, part):
    data = bureau_workbook(formula_without_value=True)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == part:
                content = laughs.encode() + content.split(b"?>", 1)[-1]
            target.writestr(info, content)
    with pytest.raises(ValidationError, match="实体声明"):
        upload(cat, out.getvalue())
    assert not Actual.objects.exists()


def test_the_size_cap_plus_one_byte_is_refused_and_nothing_is_stored(cat, settings, client, login):
    data = bureau_workbook()
    settings.TARGETS_IMPORT_MAX_BYTES = len(data) - 1
    with pytest.raises(ValidationError, match="超过上限"):
        upload(cat, data)
    login(cat.cast.office)
    response = client.post(
        reverse("targets:import_list"), {"file": io.BytesIO(data)}, format="multipart"
    )
    assert response.status_code == 200
    assert "limit" in str(response.context["form"].errors) or "上限" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert stored_files(settings) == []
    settings.TARGETS_IMPORT_MAX_BYTES = len(data)
    batch, created = upload(cat, data)
    assert created
    assert batch.size == len(data)


# --- commit: atomic, idempotent, one batch per file ---------------------------------------


def test_a_commit_writes_every_figure_in_one_go(cat, settings):
    batch, _ = upload(cat, bureau_workbook())
    result = imports.import_commit(actor=cat.cast.office, batch=batch)
    assert (result.created, result.unchanged, result.corrections) == (8, 0, 0)
    assert Actual.objects.filter(batch=batch).count() == 8
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert stored_files(settings) == []  # the upload is not kept once imported
    figure = Actual.objects.get(indicator=cat.fai, unit=cat.cast.top)
    assert (figure.value, figure.growth_pct, figure.provenance) == (
        D("52.31"),
        D("10.2"),
        "official",
    )
    assert "主要指标!C7" in figure.source_ref
    assert ImportLayout.objects.filter(fingerprint=batch.fingerprint).exists()


def test_a_failure_after_k_rows_writes_nothing_and_marks_the_batch_failed(cat, monkeypatch):
    batch, _ = upload(cat, bureau_workbook())
    monkeypatch.setattr(imports, "CHUNK_SIZE", 3)
    written = []
    original = imports.write_chunk

    def failing(chunk):
        if written:
            raise RuntimeError("disk full")
        original(chunk)
        written.append(len(chunk))

    monkeypatch.setattr(imports, "write_chunk", failing)
    with pytest.raises(RuntimeError):
        imports.import_commit(actor=cat.cast.office, batch=batch)
    assert written == [3]  # three figures were written before the failure …
    assert Actual.objects.count() == 0  # … and rolled back with it
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "RuntimeError" in batch.message
    failed = AuditEvent.objects.filter(action="targets.import.commit").get()
    assert failed.outcome == Outcome.FAILURE
    monkeypatch.setattr(imports, "write_chunk", original)
    assert imports.import_commit(actor=cat.cast.office, batch=batch).created == 8


def test_importing_the_same_file_again_changes_nothing(cat):
    data = bureau_workbook()
    batch, _ = upload(cat, data)
    imports.import_commit(actor=cat.cast.office, batch=batch)
    figures = list(Actual.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    again, created = upload(cat, data, "改了名字的同一个文件.xlsx")
    assert (again.pk, created) == (batch.pk, False)
    result = imports.import_commit(actor=cat.cast.office, batch=again)
    assert result.already_imported
    assert list(Actual.objects.order_by("pk").values()) == figures
    assert AuditEvent.objects.count() == events
    assert ImportBatch.objects.count() == 1


def test_two_uploads_of_one_file_at_the_same_moment_make_one_batch(cat, monkeypatch):
    data = bureau_workbook()
    original = imports._storage_dir
    other = {}

    def racing():
        # the other upload commits its batch between our look-up and our insert
        if not other:
            with transaction.atomic():
                other["batch"] = ImportBatch.objects.create(
                    sha256=imports.hashlib.sha256(data).hexdigest(),
                    file_name="另一个人上传的.xlsx",
                    size=len(data),
                    created_at=imports.clock.now(),
                )
        return original()

    monkeypatch.setattr(imports, "_storage_dir", racing)
    batch, created = upload(cat, data)
    assert (batch.pk, created) == (other["batch"].pk, False)
    assert ImportBatch.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportBatch.objects.create(
            sha256=batch.sha256, file_name="x.xlsx", size=1, created_at=imports.clock.now()
        )


def test_a_revision_by_the_bureau_becomes_a_correction_request_not_an_overwrite(cat):
    first, _ = upload(cat, bureau_workbook())
    imports.import_commit(actor=cat.cast.office, batch=first)
    revised = [
        row if row[0] != "固定资产投资" else ("固定资产投资", "亿元", "53.02", "10.9")
        for row in MAIN_ROWS
    ]
    second, _ = upload(cat, bureau_workbook(main_rows=revised), "2025年1-2月统计月报（修订）.xlsx")
    assert second.summary["counts"] == {"new": 0, "unchanged": 7, "revised": 1}
    result = imports.import_commit(actor=cat.cast.office, batch=second)
    assert (result.created, result.unchanged, result.corrections) == (0, 7, 1)
    figure = Actual.objects.get(indicator=cat.fai, unit=cat.cast.top)
    assert figure.value == D("52.31")  # untouched until someone approves
    correction = ActualCorrection.objects.get()
    assert (correction.value, correction.growth_pct) == (D("53.02"), D("10.9"))
    assert "统计局数据修订" in correction.reason


def test_the_column_mapping_is_remembered_for_the_same_layout(cat):
    batch, _ = upload(cat, bureau_workbook())
    layout = imports._layout_of(batch)
    main = layout.sheet("主要指标")
    columns = tuple(
        c
        if c.role != "growth"
        else type(c)(c.column, c.header, "ignore", c.indicator, c.measure_unit)
        for c in main.columns
    )
    changed = type(layout)(
        tuple(
            type(main)(**{**main.__dict__, "columns": columns}) if s is main else s
            for s in layout.sheets
        )
    )
    imports.import_save_layout(actor=cat.cast.office, batch=batch, layout=changed, name="统计月报")
    saved = ImportLayout.objects.get(name="统计月报")
    assert saved.fingerprint == batch.fingerprint
    # next month's file: another title, the same layout → the saved mapping, growth ignored
    march, _ = upload(cat, bureau_workbook(title="示范区2025年1-3月主要经济指标"), "1-3月.xlsx")
    assert march.layout_id == saved.pk
    assert (march.year, march.end_month) == (2025, 3)
    rows = {(r["indicator"], r["unit"]): r for r in march.summary["sample"]}
    assert rows[("fixed_asset_investment", "区委区政府")]["growth_pct"] is None


def test_the_upload_page_shows_the_preview_with_its_problems(client, login, cat):
    login(cat.cast.office)
    data = bureau_workbook(formula_without_value=True)
    response = client.post(reverse("targets:import_list"), {"file": _named(data)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "主要指标" in page
    assert "计算结果" in page
    response = client.post(reverse("targets:import_commit", args=[batch.pk]))
    assert response.status_code == 302
    assert not Actual.objects.exists()


def _named(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("2025年1-2月统计月报.xlsx", data)


# --- the command line ---------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("targets", *args, stdout=out)
    return out.getvalue()


def test_the_import_command_previews_imports_and_then_does_nothing(cat, tmp_path):
    path = tmp_path / "月报.xlsx"
    path.write_bytes(bureau_workbook())
    dry = run("import", str(path), "--dry-run")
    assert "找到8个数" in dry
    assert "试运行" in dry
    assert "2025年1-2月" in dry
    assert not Actual.objects.exists()
    assert not ImportBatch.objects.exists()
    done = run("import", str(path))
    assert "新增8个数" in done
    assert Actual.objects.count() == 8
    again = run("import", str(path))
    assert "未做任何改动" in again
    assert Actual.objects.count() == 8
    commit = AuditEvent.objects.get(action="targets.import.commit")
    assert commit.actor_name == "kaimen targets import"


def test_the_import_command_refuses_a_bad_file_and_an_unknown_layout(cat, tmp_path):
    path = tmp_path / "月报.xlsx"
    path.write_bytes(bureau_workbook(formula_without_value=True))
    with pytest.raises(CommandError, match="1处错误"):
        run("import", str(path), "--dry-run")
    path.write_bytes(bureau_workbook())
    with pytest.raises(CommandError, match="没有名为|no workbook layout|There is no"):
        run("import", str(path), "--layout", "不存在的版式")
    (tmp_path / "旧.xls").write_bytes(OLE_HEADER)
    with pytest.raises(CommandError, match="97-2003"):
        run("import", str(tmp_path / "旧.xls"))


def test_the_backtest_command_prints_mape_and_coverage(cat, tmp_path):
    lines = ["year,period,value"]
    for year in range(2015, 2025):
        total = 100 + (year - 2015) * 8
        for month, share in ((2, 0.15), (3, 0.24), (6, 0.5), (9, 0.74), (12, 1.0)):
            lines.append(f"{year},1-{month},{total * share * (1 + (year % 3) / 100):.2f}")
    series = tmp_path / "series.csv"
    series.write_text("\n".join(lines), encoding="utf-8")
    out = run("backtest", "--series", str(series))
    assert "季节法MAPE%" in out
    assert "时间进度法MAPE%" in out
    assert "区间覆盖率" in out
    assert "1-3月" in out
    assert "1-2月合并发布" in out
    with pytest.raises(CommandError, match="历史数据"):
        run("backtest")
    for year in range(2019, 2025):
        put_figures(cat.fai, cat.cast.top, year, {m: m * 10 + year - 2000 for m in range(2, 13)})
    stored = run("backtest")
    assert "固定资产投资（fixed_asset_investment" in stored
    assert "1-2月" in stored


@pytest.mark.django_db(transaction=True)
def test_two_real_concurrent_uploads_make_one_batch_on_postgresql(cat, monkeypatch):
    """Two threads, two database connections, both past the look-up before either inserts."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database serialises writers; see the simulated race")
    data = bureau_workbook()
    barrier = threading.Barrier(2, timeout=20)
    original = imports._storage_dir
    waited = threading.local()

    def both_past_the_look_up():
        # the first call of each thread comes right after its look-up, before its insert
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return original()

    monkeypatch.setattr(imports, "_storage_dir", both_past_the_look_up)
    results, errors = [], []

    def one_upload():
        try:
            results.append(upload(cat, data))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one_upload) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert ImportBatch.objects.count() == 1
    assert {batch.pk for batch, _created in results} == {ImportBatch.objects.get().pk}
    assert sorted(created for _batch, created in results) == [False, True]


def long_table(rows: list[tuple]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "分单位分指标"
    ws.append(["2025年1-2月分单位主要指标"])
    ws.append(["单位名称", "指标名称", "本月止累计", "比上年同期增长%"])
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_long_table_with_a_unit_column_is_read(cat):
    batch, _ = upload(
        cat,
        long_table(
            [
                ("东城街道", "固定资产投资", 20.1, 12.0),
                ("东城街道", "社会消费品零售总额", 40.2, 6.0),
                ("西城街道", "固投", "18.5", "8.1"),
                ("北城街道", "社零", 1, 1),
            ]
        ),
    )
    assert problems_of(batch) == {("分单位分指标", 6, "A")}
    rows = {(r["indicator"], r["unit"]) for r in batch.summary["sample"]}
    assert rows == {
        ("fixed_asset_investment", "东城街道"),
        ("retail_sales", "东城街道"),
        ("fixed_asset_investment", "西城街道"),
    }


def test_files_of_uploads_never_imported_are_cleared_and_come_back_on_upload(cat, settings, clock):
    data = bureau_workbook()
    batch, _ = upload(cat, data)
    assert len(stored_files(settings)) == 1
    assert imports.imports_clear_stale_files() == 0  # not a week old yet
    clock.advance(days=8)
    assert imports.imports_clear_stale_files() == 1
    assert stored_files(settings) == []
    again, created = upload(cat, data)
    assert (again.pk, created) == (batch.pk, False)
    assert imports.import_commit(actor=cat.cast.office, batch=again).created == 8
