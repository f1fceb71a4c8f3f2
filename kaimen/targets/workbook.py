"""Reading a statistics bureau's workbook safely: checks before any parser opens it, then a grid.

An uploaded "xlsx" is a ZIP of XML parts. Before any parser sees it (ASVS 5.0 V5, SECURITY.md
"Files from users"): the size is capped; legacy or encrypted OLE files (``D0 CF 11 E0``) are
refused with a message to re-save; the ZIP must hold ``[Content_Types].xml`` and
``xl/workbook.xml`` (a Word file renamed to .xlsx is named as such); macro parts
(``vbaProject.bin``, xlsm) are refused; and the declared uncompressed sizes, compression ratios
and entry count are checked, so a zip bomb is refused without being inflated. An XML part that
declares a DTD or entities is refused before it is parsed.

Values are read by calamine (``python-calamine``, Rust), the cached results of formulas and
never the formulas, and made alike in one place (``cell_value``: calamine gives every number
as a float and dates as ``date``). A formula whose result was never cached (a file written by a
program rather than saved by Excel) reads as empty, so the sheet XML is scanned to tell the two
apart (by expat with every DTD refused), together with the cells whose style changes their
meaning (a percentage format, an indented label); sheets that have neither are only searched,
not parsed. Merged ranges come from calamine. openpyxl stays the library for writing.

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
# The used area of one sheet (rows × columns, empty cells included), read into memory at once:
# a 100,000-row table of 200 columns at most.
MAX_CELLS = 20_000_000

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
    indents: dict[tuple[int, int], int] = field(default_factory=dict)  # Excel's alignment indent

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
_FORMULA_NEEDLES = (b"<f>", b"<f ", b"<f/>")
_DOCTYPE_NEEDLES = (b"<!DOCTYPE", b"<!ENTITY")


_ROW_NUMBER = re.compile(rb'row\s[^>]*?\br="(\d+)"')
# Cells beyond column Z; a sheet with none is at most 26 columns wide.
_WIDE_COLUMN = re.compile(rb'\sr="([A-Z]{2,3})\d')


@dataclass
class _Extent:
    """The last row and the widest column a sheet's XML names (what calamine will allocate)."""

    rows: int = 0
    columns: int = 0


def _search(
    archive: zipfile.ZipFile,
    part: str,
    needles: tuple[bytes, ...],
    extent: _Extent | None = None,
) -> set[bytes]:
    """Which of ``needles`` occur in a part, read once in chunks (a sheet of 100,000 rows
    inflates to tens of MB; searching it costs a fraction of parsing it); with ``extent``, also
    how far the sheet reaches."""
    found: set[bytes] = set()
    overlap = max(64, *(len(n) for n in needles)) if needles else 64
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            window = tail + chunk
            found.update(n for n in needles if n not in found and n in window)
            if extent is not None:
                # Rows come in order: the last row tag of the part is the sheet's last row.
                last = window.rfind(b"row ")
                m = _ROW_NUMBER.match(window, last) if last >= 0 else None
                numbers = [m[1]] if m else _ROW_NUMBER.findall(window)  # "row " in a text
                if numbers:
                    extent.rows = max(extent.rows, *(int(n) for n in numbers))
                extent.columns = max(extent.columns, 26)
                for letters in set(_WIDE_COLUMN.findall(window)):
                    extent.columns = max(extent.columns, _column_number(letters.decode()))
            elif len(found) == len(needles):
                break
            tail = window[-overlap:]
    return found


def _column_number(letters: str) -> int:
    column = 0
    for ch in letters:
        column = column * 26 + ord(ch) - 64
    return column


def _refuse_doctype(*_args) -> None:
    raise DefusedXmlException("DTD in a worksheet part")


def _style_needles(styles: _Styles) -> tuple[bytes, ...]:
    return tuple(f' s="{i}"'.encode() for i in sorted({*styles.percent, *styles.indent}))


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, grid: SheetGrid, styles: _Styles, *, formulas: bool
) -> None:
    """Formula cells with no cached value, and the cells whose style matters (percentages,
    indented labels), from the sheet's XML; run only when the sheet has any of them.

    A bare expat parser with handlers (no element tree): a 100,000-row sheet has a million
    elements. A worksheet part never has a DTD, so any DOCTYPE is refused outright, which
    shuts out entity expansion and external entities (what defusedxml guards against)."""
    state = {"ref": "", "formula": False, "cached": False, "in_v": False, "style": -1, "t": ""}
    percent, indent = styles.percent, styles.indent

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "c":
            style = attrs.get("s")
            state.update(
                ref=attrs.get("r", ""),
                formula=False,
                cached=False,
                style=int(style) if style and style.isdigit() else -1,
                t=attrs.get("t", "n"),
            )
        elif local == "f":
            state["formula"] = True
        elif local == "v":
            state["in_v"] = True

    def text(data: str) -> None:
        if state["in_v"] and data.strip():
            state["cached"] = True

    def end(name: str) -> None:
        local = name.rpartition("}")[2]
        if local == "v":
            state["in_v"] = False
        elif local == "c":
            style = state["style"]
            if formulas and state["formula"] and not state["cached"]:
                where = _coordinate(state["ref"])
                if where is not None:
                    grid.formula_without_value.add(where)
            elif style in percent and state["t"] == "n" and state["cached"]:
                where = _coordinate(state["ref"])
                if where is not None:
                    grid.percent_decimals[where] = percent[style]
            if style in indent:
                where = _coordinate(state["ref"])
                if where is not None:
                    grid.indents[where] = indent[style]

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.ExternalEntityRefHandler = _refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


_PERCENT_FORMAT = re.compile(r"0(?:\.(0+))?\s*%")
# Excel's built-in number formats that are percentages: 9 "0%", 10 "0.00%".
_BUILTIN_PERCENT = {9: 0, 10: 2}


def _percent_decimals(number_format: str) -> int:
    m = _PERCENT_FORMAT.search(number_format)
    return len(m[1] or "") if m else 2


@dataclass(frozen=True)
class _Styles:
    """Cell styles (``s`` indices) that change what a value means: percentage formats (with
    their decimals) and indented alignment (the indent level)."""

    percent: dict[int, int] = field(default_factory=dict)
    indent: dict[int, int] = field(default_factory=dict)


def _styles(archive: zipfile.ZipFile) -> _Styles:
    try:
        root = parse_xml(archive.open("xl/styles.xml")).getroot()
    except KeyError:
        return _Styles()
    formats = {
        int(f.get("numFmtId", "-1")): f.get("formatCode", "")
        for f in root.iter(f"{_MAIN_NS}numFmt")
        if f.get("numFmtId", "").isdigit()
    }
    styles = _Styles()
    cell_xfs = root.find(f"{_MAIN_NS}cellXfs")
    for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
        fmt_id = xf.get("numFmtId", "0")
        fmt = int(fmt_id) if fmt_id.isdigit() else 0
        if fmt in formats and "%" in formats[fmt]:
            styles.percent[index] = _percent_decimals(formats[fmt])
        elif fmt not in formats and fmt in _BUILTIN_PERCENT:
            styles.percent[index] = _BUILTIN_PERCENT[fmt]
        alignment = xf.find(f"{_MAIN_NS}alignment")
        level = alignment.get("indent", "0") if alignment is not None else "0"
        if level.isdigit() and int(level) > 0:
            styles.indent[index] = int(level)
    return styles


_WHOLE = float(2**53)


def normalise_row(raw: list[object]) -> list[CellValue]:
    """Cells as the importer sees them, whichever library read them: the one place where types
    are made alike. Empty is None; a whole number stored as a float is an int (Excel stores
    every number as a double: 10 is written "10" and read back as 10, as openpyxl does); a date
    is a datetime at midnight, as openpyxl gives it. Trailing empty cells are dropped.

    One expression per cell rather than a call: a 100,000-row sheet has 400,000 cells."""
    row = [
        None
        if v == ""
        else (
            int(v)  # type: ignore[arg-type]
            if v.__class__ is float and v.is_integer() and -_WHOLE < v < _WHOLE  # type: ignore[union-attr,operator]
            else (datetime.combine(v, time()) if v.__class__ is date else v)  # type: ignore[arg-type]
        )
        for v in raw[:MAX_COLUMNS]
    ]
    while row and row[-1] is None:
        row.pop()
    return row  # type: ignore[return-value]


def cell_value(value: object) -> CellValue:
    """One cell made alike (see ``normalise_row``)."""
    row = normalise_row([value])
    return row[0] if row else None


def _rows(values: list[list[object]]) -> list[list[CellValue]]:
    rows = [normalise_row(raw) for raw in values]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _damaged(name: str, exc: BaseException) -> ValidationError:
    if _entity_refusal(exc):
        return _refuse(
            f"文件“{name}”的XML中含有实体声明，这不是正常导出的工作簿，已拒收。{_RESAVE}"
        )
    return _refuse(f"文件“{name}”内容损坏，无法读取（{type(exc).__name__}）。{_RESAVE}")


def _inspect_parts(
    archive: zipfile.ZipFile, name: str, sheets: set[str], sheet_needles: tuple[bytes, ...]
) -> dict[str, set[bytes]]:
    """One pass over every XML part: a part that declares a DTD or entities is refused before
    any parser sees it (no part of a workbook has one, and the fast reader must not be asked to
    expand them); in sheet parts, which of ``sheet_needles`` (formulas, styles that matter)
    occur."""
    found: dict[str, set[bytes]] = {}
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        is_sheet = info.filename in sheets
        extent = _Extent() if is_sheet else None
        hits = _search(
            archive, info.filename, _DOCTYPE_NEEDLES + (sheet_needles if is_sheet else ()), extent
        )
        if any(n in hits for n in _DOCTYPE_NEEDLES):
            raise _refuse(
                f"文件“{name}”的XML部件“{info.filename[:60]}”中含有实体声明，"
                f"这不是正常导出的工作簿，已拒收。{_RESAVE}"
            )
        if extent is not None and extent.rows * extent.columns > MAX_CELLS:
            # Two cells in far corners (A1 and XFD1048576) span billions of empty ones, which
            # the reader would hold in memory at once.
            raise _refuse(
                f"文件“{name}”中有工作表的数据区域过大（到第{extent.rows}行、第{extent.columns}列），"
                "远超统计报表的规模："
                "请删去表格以外的行和列（或把数据复制到新工作簿）后重新上传。"
            )
        found[info.filename] = hits
    return found


def read_workbook(data: bytes, *, name: str = "文件") -> WorkbookGrid:
    """Every visible sheet as a grid of cached values (call ``check_upload`` first).

    The values are read by calamine (Rust; several times faster than openpyxl's read-only
    mode on a large sheet); what calamine does not say (formulas without a cached value,
    percentage formats, indents) comes from the styles and, only when a sheet uses them, one
    pass over its XML."""
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        parts = _sheet_parts(archive)
        styles = _styles(archive)
        needles = _FORMULA_NEEDLES + _style_needles(styles)
        found = _inspect_parts(archive, name, set(parts.values()), needles)
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except ValidationError:
        raise
    except Exception as exc:  # a damaged part fails in many ways
        raise _damaged(name, exc) from exc
    sheets: list[SheetGrid] = []
    try:
        visible = [
            m.name
            for m in book.sheets_metadata
            if m.visible == SheetVisibleEnum.Visible and m.typ == SheetTypeEnum.WorkSheet
        ]
        if len(visible) > MAX_SHEETS:
            raise _refuse(f"文件“{name}”有{len(visible)}个工作表，超过上限{MAX_SHEETS}个。")
        for title in visible:
            sheet = book.get_sheet_by_name(title)
            grid = SheetGrid(name=title, rows=_rows(sheet.to_python(skip_empty_area=False)))
            grid.merged = [
                (r1 + 1, c1 + 1, r2 + 1, c2 + 1)
                for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or ())
            ]
            hits = found.get(parts.get(title, ""))
            if hits:
                try:
                    _scan_sheet(
                        archive,
                        parts[title],
                        grid,
                        styles,
                        formulas=any(n in hits for n in _FORMULA_NEEDLES),
                    )
                except (DefusedXmlException, expat.ExpatError) as exc:
                    raise _refuse(
                        f"文件“{name}”工作表“{title}”的XML中含有实体声明，已拒收。{_RESAVE}"
                    ) from exc
            _fill_merged_text(grid)
            sheets.append(grid)
    except ValidationError:
        raise
    except Exception as exc:
        raise _damaged(name, exc) from exc
    finally:
        book.close()
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
