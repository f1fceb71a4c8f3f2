"""Detection: where a sheet's table starts, which period the workbook reports, and the
proposed mapping of every column; the layout's fingerprint."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period, PeriodKind, parse_period
from kaimen.lib.quantities import parse_decimal
from kaimen.lib.text import normalize_fullwidth
from kaimen.targets.importers.layouts import (
    _SCAN_ROWS,
    _SPACES,
    MAX_HEADER_ROWS,
    ROLE_GROWTH,
    ROLE_IGNORE,
    ROLE_MEASURE,
    ROLE_VALUE,
    ROWS_INDICATOR,
    ROWS_UNIT,
    Catalogue,
    ColumnMap,
    Layout,
    SheetLayout,
    _text,
)
from kaimen.targets.workbook import CellValue, SheetGrid, WorkbookGrid, column_letter


def _is_number(value: CellValue) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    if isinstance(value, str) and value.strip():
        try:
            return parse_decimal(value) is not None
        except ValidationError:
            return False
    return False


def _is_missing_marker(value: CellValue) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        return parse_decimal(value) is None
    except ValidationError:
        return False


def _distinct(row: list[CellValue]) -> list[str]:
    return list(dict.fromkeys(t for t in (_text(v) for v in row) if t))


def _looks_like_data(row: list[CellValue], catalogue: Catalogue | None) -> bool:
    if any(_is_number(v) or _is_missing_marker(v) for v in row):
        return True
    if catalogue is not None:
        # Only the row's first text: a header row names indicators too ("固定资产投资" over a
        # pair of columns), but it starts with a heading such as "指标名称" or "镇街".
        first = next((t for t in (_text(v) for v in row) if t), "")
        return bool(first and (catalogue.find_indicator(first) or catalogue.find_unit(first)))
    return False


@dataclass(frozen=True)
class _Frame:
    header_rows: tuple[int, ...]
    first_data_row: int
    above: tuple[str, ...]  # texts of the title and unit lines above the header


def _frame(sheet: SheetGrid, catalogue: Catalogue | None) -> _Frame | None:
    above: list[str] = []
    limit = min(sheet.max_row, _SCAN_ROWS)
    r = 1
    while r <= limit:
        texts = _distinct(sheet.rows[r - 1])
        if len(texts) >= 2 and not _looks_like_data(sheet.rows[r - 1], catalogue):
            break
        if len(texts) >= 2:
            return None  # data before any header: not a table we can read
        above.extend(texts)
        r += 1
    else:
        return None
    header = [r]
    while (
        len(header) < MAX_HEADER_ROWS
        and header[-1] + 1 <= sheet.max_row
        and not _looks_like_data(sheet.rows[header[-1]], catalogue)
        and _distinct(sheet.rows[header[-1]])
    ):
        header.append(header[-1] + 1)
    return _Frame(tuple(header), header[-1] + 1, tuple(above))


def _header_texts(sheet: SheetGrid, frame: _Frame) -> dict[int, str]:
    texts: dict[int, str] = {}
    width = max((len(sheet.rows[r - 1]) for r in frame.header_rows), default=0)
    for c in range(1, width + 1):
        parts = list(dict.fromkeys(_text(sheet.value(r, c)) for r in frame.header_rows))
        text = "/".join(p for p in parts if p)
        if text:
            texts[c] = text
    return texts


_PERIOD_IN_TEXT = re.compile(
    r"(?P<year>(?:19|20)\d{2})\s*年\s*(?:度\s*)?"
    r"(?P<span>1\s*[-\u2010-\u2015\u2212~\u301c－至到]+\s*\d{1,2}\s*月|\d{1,2}\s*月|"
    r"[一1]\s*季度|上半年|前三季度|全年)"
)


def detect_period(grid: WorkbookGrid) -> tuple[Period | None, str]:
    """The period the workbook reports, from its titles (or sheet names): "2025年1-2月"."""
    texts: list[str] = []
    for sheet in grid.sheets:
        for row in sheet.rows[:_SCAN_ROWS]:
            texts.extend(_distinct(row))
        texts.append(sheet.name)
    for text in texts:
        m = _PERIOD_IN_TEXT.search(normalize_fullwidth(text))
        if m is None:
            continue
        try:
            period = parse_period(f"{m['year']}年{m['span']}")
        except ValidationError:
            continue
        note = ""
        if period.kind == PeriodKind.MONTH and period.end_month > 1:
            # Monthly reports are titled by their month ("2025年3月") but hold 累计 figures.
            note = f"标题中的“{m[0]}”按累计期间“1-{period.end_month}月”理解。"
        elif period.kind in (PeriodKind.QUARTER, PeriodKind.YEAR):
            note = f"标题中的“{m[0]}”按累计期间“1-{period.end_month}月”理解。"
        return Period.cumulative(period.year, period.end_month), note
    return None, ""


_GROWTH_HEADER = re.compile(r"增长|增速|同比|比上年|比去年|±|增减")
# 本月 / 当月 alone is the single month's figure; 本月止 (to this month) is cumulative.
_IGNORE_HEADER = re.compile(
    r"去年同期|上年同期|上年|去年|备注|说明|排[名位]|位次|序号|占比|比重|当月|本月(?!止)"
)
_LAST_YEARS = re.compile(r"(?<![比较])(?:去年|上年)同期")
_MEASURE_HEADER = re.compile(r"^(?:计量|计算)?单位$")
_UNIT_IN_TEXT = re.compile(r"(亿美元|万美元|亿元|万元|元|个|家|项|人)")
_UNIT_LINE = re.compile(r"单位[:：]\s*(亿美元|万美元|亿元|万元|元)")


def _measure_in(text: str) -> str:
    for part in re.findall(r"[(（]([^()（）]*)[)）]", text) + re.findall(r"单位[:：](\S+)", text):
        m = _UNIT_IN_TEXT.search(part)
        if m:
            return m[1]
    return ""


def detect_layout(grid: WorkbookGrid, catalogue: Catalogue) -> Layout:
    """A proposed mapping of every sheet: where the names are and what each column holds."""
    sheets: list[SheetLayout] = []
    for sheet in grid.sheets:
        frame = _frame(sheet, catalogue)
        if frame is None:
            sheets.append(
                SheetLayout(
                    sheet.name, False, ROWS_INDICATOR, 1, (), 1, notes=("未识别到表头，已跳过。",)
                )
            )
            continue
        headers = _header_texts(sheet, frame)
        data_rows = sheet.rows[frame.first_data_row - 1 : frame.first_data_row - 1 + 300]
        width = max((len(r) for r in data_rows), default=0)
        width = max(width, max(headers, default=0))
        best = (0, 0, 1, ROWS_INDICATOR)  # (matches, -column, column, kind)
        by_indicator, by_unit = (0, 0), (0, 0)  # (matches, -column)
        for c in range(1, width + 1):
            texts = [
                _text(r[c - 1]) for r in data_rows if len(r) >= c and isinstance(r[c - 1], str)
            ]
            indicators = sum(1 for t in texts if catalogue.find_indicator(t))
            units = sum(1 for t in texts if catalogue.find_unit(t))
            matches = max(indicators, units)
            kind = ROWS_UNIT if units > indicators else ROWS_INDICATOR
            if (matches, -c) > best[:2]:
                best = (matches, -c, c, kind)
            by_indicator = max(by_indicator, (indicators, -c))
            by_unit = max(by_unit, (units, -c))
        label_column, row_kind = best[2], best[3]
        unit_column = 0
        half = len(data_rows) / 2
        if by_indicator[0] > half and by_unit[0] > half and by_indicator[1] != by_unit[1]:
            # A long table (分单位分指标): the names of indicators and of units side by side.
            label_column, row_kind, unit_column = -by_indicator[1], ROWS_INDICATOR, -by_unit[1]
        notes: list[str] = []
        if best[0] == 0:
            notes.append("没有在任何一列中找到已知的指标名称或单位名称，请在映射中指定名称所在列。")
        measure_unit = ""
        for text in frame.above:
            m = _UNIT_LINE.search(normalize_fullwidth(text))
            if m:
                measure_unit = m[1]
        # A sheet about one indicator, one row per unit, names it in its title or its name.
        sheet_indicator = ""
        if row_kind == ROWS_UNIT:
            for text in (*frame.above, sheet.name):
                sheet_indicator = catalogue.find_indicator_in(text) or ""
                if sheet_indicator:
                    break
        columns: list[ColumnMap] = []
        value_taken: set[str] = set()
        growth_taken: set[str] = set()
        for c in range(1, width + 1):
            if c in (label_column, unit_column):
                continue
            header = headers.get(c, "")
            key = _SPACES.sub("", normalize_fullwidth(header))
            indicator = ""
            if row_kind == ROWS_UNIT:
                for part in header.split("/"):
                    indicator = catalogue.find_indicator(part) or ""
                    if indicator:
                        break
                indicator = indicator or sheet_indicator
            if _MEASURE_HEADER.match(key):
                role = ROLE_MEASURE
            elif _IGNORE_HEADER.search(key) and not _GROWTH_HEADER.search(key):
                role = ROLE_IGNORE
            elif _IGNORE_HEADER.search(key) and _LAST_YEARS.search(key):
                # 上年同期增长 is last year's growth, not this year's; 比上年同期增长 ("growth
                # over the same period last year") is this year's, the commonest growth header.
                role = ROLE_IGNORE
            elif _GROWTH_HEADER.search(key) or "%" in key:
                role = ROLE_GROWTH
            elif any(_is_number(r[c - 1]) for r in data_rows if len(r) >= c):
                role = ROLE_VALUE
            else:
                role = ROLE_IGNORE
            slot = indicator if row_kind == ROWS_UNIT else ""
            if role in (ROLE_VALUE, ROLE_GROWTH) and row_kind == ROWS_UNIT and not indicator:
                notes.append(
                    f"{column_letter(c)}列“{header or '（无表头）'}”不是已知指标，已忽略。"
                )
                role = ROLE_IGNORE
            taken = value_taken if role == ROLE_VALUE else growth_taken
            if role in (ROLE_VALUE, ROLE_GROWTH):
                if slot in taken:
                    notes.append(
                        f"{column_letter(c)}列“{header}”与前面的列重复，已忽略；如应使用这一列，请在映射中调整。"
                    )
                    role = ROLE_IGNORE
                else:
                    taken.add(slot)
            measure = _measure_in(header) if role == ROLE_VALUE else ""
            columns.append(ColumnMap(c, header, role, indicator, measure))
        use = bool(best[0]) and any(c.role in (ROLE_VALUE, ROLE_GROWTH) for c in columns)
        sheets.append(
            SheetLayout(
                sheet=sheet.name,
                use=use,
                row_kind=row_kind,
                label_column=label_column,
                header_rows=frame.header_rows,
                first_data_row=frame.first_data_row,
                unit="",
                measure_unit=measure_unit,
                columns=tuple(columns),
                notes=tuple(notes),
                unit_column=unit_column,
            )
        )
    return Layout(tuple(sheets))


_DIGITS = re.compile(r"\d+")


def fingerprint(grid: WorkbookGrid, catalogue: Catalogue | None = None) -> str:
    """A workbook layout's identity: sheet names and header texts, digits taken out (next
    month's "1-3月" header is the same layout as this month's "1-2月")."""
    shape = []
    for sheet in grid.sheets:
        frame = _frame(sheet, catalogue)
        headers = _header_texts(sheet, frame) if frame else {}
        normalised = {c: _DIGITS.sub("#", _SPACES.sub("", t)) for c, t in headers.items()}
        shape.append([_DIGITS.sub("#", sheet.name), sorted(normalised.items())])
    payload = json.dumps(shape, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
