"""Reading a statistics bureau's workbook safely: checks before any parser opens it, then a grid.

An uploaded "xlsx" is a ZIP of XML parts. Before openpyxl sees it (ASVS 5.0 V5, SECURITY.md
"Files from users"): the size is capped; legacy or encrypted OLE files (``D0 CF 11 E0``) are
refused with a message to re-save; the ZIP must hold ``[Content_Types].xml`` and
``xl/workbook.xml`` (a Word file renamed to .xlsx is named as such); macro parts
(``vbaProject.bin``, xlsm) are refused; and the declared uncompressed sizes, compression ratios
and entry count are checked, so a zip bomb is refused without being inflated.

Values are read with ``data_only=True`` (the cached results of formulas, never the formulas).
openpyxl returns None both for an empty cell and for a formula whose result was never cached
(a file written by a program rather than saved by Excel), so the sheet XML is scanned once to
tell the two apart (by expat with every DTD refused; sheets without formulas or merged cells are
only searched, not parsed): such a formula cell is an error for that cell, not a blank. The same
pass collects the merged ranges, which openpyxl's fast read-only mode does not expose.

Pure Python (no Django); messages in Chinese say what, where and how to fix it.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import parse as parse_xml

from kaimen.lib import packages
from kaimen.lib.errors import ValidationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# A district's monthly workbook has a handful of sheets; a 100,000-row export has a few dozen
# parts. Thousands of entries, gigabytes inflated or a 1:200 ratio on a big part are a bomb.
MAX_ENTRIES = 1000
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200
RATIO_CHECK_FROM_BYTES = 1024 * 1024
ZIP_LIMITS = packages.ZipLimits(
    max_entries=MAX_ENTRIES,
    max_uncompressed=MAX_UNCOMPRESSED_BYTES,
    max_ratio=MAX_RATIO,
    ratio_from_bytes=RATIO_CHECK_FROM_BYTES,
)
MAX_SHEETS = 60
MAX_COLUMNS = 200

_OLE_MAGIC = packages.OLE_MAGIC
_ZIP_MAGIC = packages.ZIP_MAGIC
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_RESAVE = "请在Excel或WPS中打开后“另存为”Excel工作簿（*.xlsx）格式，再重新上传。"


def _refuse(message: str) -> ValidationError:
    return ValidationError(message, field="file", code="bad_file")


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}MB"


def check_upload(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse anything that is not a plain, reasonably sized .xlsx workbook."""
    suffix = posixpath.splitext(name.lower())[1]
    if not data:
        raise _refuse(f"文件“{name}”是空的（0字节），请重新导出统计月报后上传。")
    if len(data) > max_bytes:
        raise _refuse(
            f"文件“{name}”大小为{_megabytes(len(data))}，超过上限{_megabytes(max_bytes)}"
            f"（{max_bytes}字节）。请删去无关的工作表或把数据拆成几个文件再上传。"
        )
    if data.startswith(_OLE_MAGIC):
        if suffix == ".xls":
            raise _refuse(
                f"文件“{name}”是旧版Excel 97-2003格式（.xls），本系统只读取.xlsx。{_RESAVE}"
            )
        raise _refuse(
            f"文件“{name}”是旧版或加密的Office文件（OLE格式）：设置了打开密码的工作簿也会保存成这种格式。"
            f"请取消密码，{_RESAVE}"
        )
    if not data.startswith(_ZIP_MAGIC):
        if data.startswith(b"%PDF"):
            what = "PDF文件"
        elif data.startswith(b"MZ"):
            what = "可执行程序"
        else:
            what = "无法识别的文件"
        raise _refuse(f"文件“{name}”不是Excel工作簿，而是{what}。{_RESAVE}")
    if suffix == ".xlsm" or suffix == ".xltm":
        raise _refuse(f"文件“{name}”是启用宏的工作簿（{suffix}），出于安全原因不接收宏。{_RESAVE}")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refuse(f"文件“{name}”已损坏，无法作为.xlsx打开。{_RESAVE}") from exc
    _check_bomb(infos, name)
    names = {info.filename for info in infos}
    if packages.has_macros(names):
        raise _refuse(f"文件“{name}”包含宏（vbaProject.bin），出于安全原因不接收宏。{_RESAVE}")
    if "[Content_Types].xml" not in names:
        raise _refuse(f"文件“{name}”缺少[Content_Types].xml，不是有效的Office文件。{_RESAVE}")
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            what = "Word文档（.docx）被改成了.xlsx扩展名"
        elif "ppt/presentation.xml" in names:
            what = "PowerPoint演示文稿被改成了.xlsx扩展名"
        else:
            what = "缺少xl/workbook.xml，不是Excel工作簿"
        raise _refuse(f"文件“{name}”是{what}。请上传统计部门提供的Excel工作簿（.xlsx）。")
    if archive.getinfo("[Content_Types].xml").file_size > RATIO_CHECK_FROM_BYTES:
        raise _refuse(
            f"文件“{name}”的[Content_Types].xml异常庞大，不是正常的工作簿，已拒收。{_RESAVE}"
        )
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types:
        raise _refuse(f"文件“{name}”是启用宏的工作簿，出于安全原因不接收宏。{_RESAVE}")
    if suffix not in (".xlsx", ""):
        raise _refuse(
            f"文件“{name}”的内容是.xlsx工作簿，但扩展名是“{suffix}”，扩展名与内容不一致："
            "请把文件名改为以.xlsx结尾后重新上传。"
        )


def _check_bomb(infos: list[zipfile.ZipInfo], name: str) -> None:
    bomb = packages.bomb_signal(infos, ZIP_LIMITS)
    if bomb is None:
        return
    if bomb.reason == "entries":
        raise _refuse(
            f"文件“{name}”内部有{bomb.entries}个条目（上限{MAX_ENTRIES}），疑似恶意构造的压缩文件，"
            "已拒收。请上传统计部门提供的原始工作簿。"
        )
    if bomb.reason == "ratio":
        raise _refuse(
            f"文件“{name}”中的“{bomb.member[:60]}”压缩比异常"
            f"（{_megabytes(bomb.compressed)}解压后声明为{_megabytes(bomb.declared)}），"
            "疑似压缩炸弹，已拒收。请上传统计部门提供的原始工作簿。"
        )
    raise _refuse(
        f"文件“{name}”解压后声明为{_megabytes(bomb.total)}，超过上限{_megabytes(MAX_UNCOMPRESSED_BYTES)}，"
        "疑似压缩炸弹，已拒收。如确为超大数据，请拆分成几个文件上传。"
    )


# ---------------------------------------------------------------------------------------------
# The grid


CellValue = str | int | float | Decimal | bool | datetime | date | time | None


@dataclass
class SheetGrid:
    """A sheet's values by (row, column), both 1-based, with what the values alone do not say."""

    name: str
    rows: list[list[CellValue]]
    percent_decimals: dict[tuple[int, int], int] = field(default_factory=dict)
    formula_without_value: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2

    @property
    def max_row(self) -> int:
        return len(self.rows)

    @property
    def max_column(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def value(self, row: int, column: int) -> CellValue:
        if 1 <= row <= len(self.rows):
            cells = self.rows[row - 1]
            if 1 <= column <= len(cells):
                return cells[column - 1]
        return None


@dataclass
class WorkbookGrid:
    sheets: list[SheetGrid]

    def sheet(self, name: str) -> SheetGrid | None:
        return next((s for s in self.sheets if s.name == name), None)


def column_letter(column: int) -> str:
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COORD = re.compile(r"([A-Z]{1,3})(\d+)")


def _coordinate(ref: str) -> tuple[int, int] | None:
    m = _COORD.fullmatch(ref)
    if m is None:
        return None
    column = 0
    for ch in m[1]:
        column = column * 26 + ord(ch) - 64
    return int(m[2]), column


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the ZIP path of its XML, through xl/workbook.xml and its relationships."""
    workbook = parse_xml(archive.open("xl/workbook.xml")).getroot()
    try:
        rels = parse_xml(archive.open("xl/_rels/workbook.xml.rels")).getroot()
    except KeyError:
        return {}
    targets = {}
    for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(path)
    parts = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        rid = sheet.get(f"{_REL_NS}id")
        if rid in targets:
            parts[sheet.get("name", "")] = targets[rid]
    return parts


_SCAN_CHUNK = 1 << 20
_NEEDLES = (b"<f>", b"<f ", b"<f/>", b"<mergeCell ")


def _needs_scan(archive: zipfile.ZipFile, part: str) -> bool:
    """Whether the sheet has any formula or merged cell (most data sheets have neither)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            window = tail + chunk
            if any(needle in window for needle in _NEEDLES):
                return True
            tail = window[-16:]
    return False


def _refuse_doctype(*_args) -> None:
    raise DefusedXmlException("DTD in a worksheet part")


def _scan_sheet(archive: zipfile.ZipFile, part: str, grid: SheetGrid) -> None:
    """Formula cells with no cached value, and merged ranges, from the sheet's XML.

    A bare expat parser with handlers (no element tree): a 100,000-row sheet has a million
    elements. A worksheet part never has a DTD, so any DOCTYPE is refused outright, which
    shuts out entity expansion and external entities (what defusedxml guards against)."""
    try:
        if not _needs_scan(archive, part):
            return
        stream = archive.open(part)
    except KeyError:
        return
    state = {"ref": "", "formula": False, "cached": False, "in_v": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "c":
            state.update(ref=attrs.get("r", ""), formula=False, cached=False)
        elif local == "f":
            state["formula"] = True
        elif local == "v":
            state["in_v"] = True
        elif local == "mergeCell":
            first, _, last = attrs.get("ref", "").partition(":")
            begin, end = _coordinate(first), _coordinate(last or first)
            if begin and end:
                grid.merged.append((begin[0], begin[1], end[0], end[1]))

    def text(data: str) -> None:
        if state["in_v"] and data.strip():
            state["cached"] = True

    def end(name: str) -> None:
        local = name.rpartition("}")[2]
        if local == "v":
            state["in_v"] = False
        elif local == "c" and state["formula"] and not state["cached"]:
            where = _coordinate(state["ref"])
            if where is not None:
                grid.formula_without_value.add(where)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with stream:
        while chunk := stream.read(_SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


_PERCENT_FORMAT = re.compile(r"0(?:\.(0+))?\s*%")


def _percent_decimals(number_format: str) -> int:
    m = _PERCENT_FORMAT.search(number_format)
    return len(m[1] or "") if m else 2


def read_workbook(data: bytes, *, name: str = "文件") -> WorkbookGrid:
    """Every visible sheet as a grid of cached values (call ``check_upload`` first)."""
    from openpyxl import load_workbook

    archive = zipfile.ZipFile(io.BytesIO(data))
    try:
        parts = _sheet_parts(archive)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged part
        if _entity_refusal(exc):
            raise _refuse(
                f"文件“{name}”的XML中含有实体声明，这不是正常导出的工作簿，已拒收。{_RESAVE}"
            ) from exc
        raise _refuse(f"文件“{name}”内容损坏，无法读取（{type(exc).__name__}）。{_RESAVE}") from exc
    sheets: list[SheetGrid] = []
    try:
        worksheets = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if len(worksheets) > MAX_SHEETS:
            raise _refuse(f"文件“{name}”有{len(worksheets)}个工作表，超过上限{MAX_SHEETS}个。")
        for ws in worksheets:
            grid = SheetGrid(name=ws.title, rows=[])
            for r, row in enumerate(ws.iter_rows(), start=1):
                values: list[CellValue] = []
                for c, cell in enumerate(row[:MAX_COLUMNS], start=1):
                    value = cell.value
                    values.append(value)
                    if (
                        value.__class__ is float or value.__class__ is int
                    ) and "%" in cell.number_format:
                        grid.percent_decimals[(r, c)] = _percent_decimals(cell.number_format)
                while values and values[-1] is None:
                    values.pop()
                grid.rows.append(values)
            while grid.rows and not grid.rows[-1]:
                grid.rows.pop()
            if ws.title in parts:
                try:
                    _scan_sheet(archive, parts[ws.title], grid)
                except (DefusedXmlException, expat.ExpatError) as exc:
                    raise _refuse(
                        f"文件“{name}”工作表“{ws.title}”的XML中含有实体声明，已拒收。{_RESAVE}"
                    ) from exc
            _fill_merged_text(grid)
            sheets.append(grid)
    except ValidationError:
        raise
    except Exception as exc:
        if _entity_refusal(exc):
            raise _refuse(
                f"文件“{name}”的XML中含有实体声明，这不是正常导出的工作簿，已拒收。{_RESAVE}"
            ) from exc
        raise _refuse(f"文件“{name}”内容损坏，无法读取（{type(exc).__name__}）。{_RESAVE}") from exc
    finally:
        workbook.close()
    if not any(s.rows for s in sheets):
        raise _refuse(
            f"文件“{name}”中没有任何数据（所有工作表都是空的）。请核对是否上传了正确的文件。"
        )
    return WorkbookGrid(sheets)


def _entity_refusal(exc: BaseException | None) -> bool:
    """Whether defusedxml refused an entity somewhere down the chain (openpyxl wraps it)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _fill_merged_text(grid: SheetGrid) -> None:
    """Give every cell of a merged range its text, so a header merged over two columns
    ("固定资产投资" over 累计 | 增长) labels both. Numbers are not copied: a figure is one cell."""
    for r1, c1, r2, c2 in grid.merged:
        value = grid.value(r1, c1)
        if not isinstance(value, str):
            continue
        for r in range(r1, min(r2, grid.max_row) + 1):
            cells = grid.rows[r - 1]
            for c in range(c1, min(c2, MAX_COLUMNS) + 1):
                if (r, c) == (r1, c1):
                    continue
                while len(cells) < c:
                    cells.append(None)
                if cells[c - 1] is None:
                    cells[c - 1] = value
