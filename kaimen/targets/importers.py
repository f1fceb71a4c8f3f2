"""From a statistics bureau's monthly workbook to figures: layout, column mapping, extraction.

Bureau workbooks are made for people: a title row ("示范区2025年1-2月主要经济指标"), a unit line
("单位：亿元、%"), header cells merged over two rows or over a pair of columns ("固定资产投资"
over 累计 | 增长%), numbers stored as text, "—" where there is no figure, section headings
("一、工业"), totals (合计) and footnotes ("注：…") under the table. Two shapes are common:

* one row per indicator (主要指标), the figures belonging to one unit (the district, or the
  unit the sheet is about), with a value column and a growth column;
* one row per unit (分镇街), with a value and a growth column per indicator.

``detect_layout`` proposes a mapping of every column; people correct it once, and it is
remembered under the layout's ``fingerprint`` (sheet names and header texts, with the digits of
periods taken out so next month's file has the same fingerprint). ``extract`` applies a mapping
and lists every problem by sheet, row, column and reason; nothing is written here.

Pure Python: no Django, Decimal throughout.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kaimen.core.errors import ValidationError
from kaimen.core.periods import Period, PeriodKind, parse_period
from kaimen.core.quantities import parse_decimal
from kaimen.core.text import normalize_fullwidth, preview_for_message
from kaimen.targets.workbook import CellValue, SheetGrid, WorkbookGrid, column_letter

ROLE_VALUE, ROLE_GROWTH, ROLE_MEASURE, ROLE_IGNORE = "value", "growth", "measure", "ignore"
ROLES = (ROLE_VALUE, ROLE_GROWTH, ROLE_MEASURE, ROLE_IGNORE)
ROWS_INDICATOR, ROWS_UNIT = "indicator", "unit"
ERROR, WARNING = "error", "warning"

MAX_HEADER_ROWS = 4
_SCAN_ROWS = 40
# Figures fit the database columns (20 digits, 4 places) and growth rates are percentages.
MAX_ABS_VALUE = Decimal(10) ** 15
VALUE_PLACES = Decimal("0.0001")
RATE_PLACES = Decimal("0.01")
MIN_GROWTH, MAX_GROWTH = Decimal(-100), Decimal(100000)
# A figure 20× its reference is worth a second look; 1,000× is almost always 万元 vs 亿元.
JUMP_WARNING, JUMP_ERROR = Decimal(20), Decimal(1000)


# ---------------------------------------------------------------------------------------------
# Names as written in workbooks

_SPACES = re.compile(r"\s+")
_LEADING = re.compile(
    r"^(?:其中[:：]?|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[#△▲*※])+"
)
_TRAILING = re.compile(r"(?:[*※①②③④⑤⑥⑦⑧⑨⑩]+|[(（]注?\d[)）])+$")
_PARENTHESES = re.compile(r"[(（][^()（）]*[)）]")
_TOTALS = {"合计", "总计", "小计", "总量", "汇总"}
_FOOTNOTE = re.compile(r"^(?:注|说明|备注|附注|资料来源|数据来源|注释)\s*[:：\d.、]")


def label_key(text: str) -> str:
    """A name reduced for matching: full-width folded, no spaces, numbering and footnote marks
    removed ("（一）规上工业增加值*" → "规上工业增加值")."""
    key = _SPACES.sub("", normalize_fullwidth(text))
    key = _LEADING.sub("", key)
    return _TRAILING.sub("", key)


def _keys(text: str) -> list[str]:
    key = label_key(text)
    bare = _PARENTHESES.sub("", key)
    return [k for k in dict.fromkeys([key, bare]) if k]


def _text(value: CellValue) -> str:
    if value is None:
        return ""
    return value.strip() if isinstance(value, str) else str(value)


# ---------------------------------------------------------------------------------------------
# What the workbook is matched against


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    measure_unit: str
    kind: str  # amount | growth | count | ratio
    release_months: tuple[int, ...]


@dataclass(frozen=True)
class Catalogue:
    indicators: dict[str, IndicatorInfo]
    indicator_keys: dict[str, str]  # label key → indicator code
    unit_keys: dict[str, str]  # label key → unit name
    district: str
    # A 100,000-row sheet repeats a few thousand names: each is reduced and matched once.
    _memo: dict[tuple[str, str], str | None] = field(default_factory=dict, compare=False)

    @classmethod
    def build(
        cls,
        indicators: Iterable[tuple[IndicatorInfo, Iterable[str]]],
        units: Iterable[tuple[str, Iterable[str]]],
        *,
        district: str,
    ) -> Catalogue:
        by_code: dict[str, IndicatorInfo] = {}
        indicator_keys: dict[str, str] = {}
        for info, aliases in indicators:
            by_code[info.code] = info
            for name in (info.name, info.code, *aliases):
                for key in _keys(name):
                    indicator_keys.setdefault(key, info.code)
        unit_keys: dict[str, str] = {}
        for name, aliases in units:
            for alias in (name, *aliases):
                for key in _keys(alias):
                    unit_keys.setdefault(key, name)
        # A bureau writes the district's own row as 全区 / 全县 / 全市 / 本区.
        for alias in ("全区", "全县", "全市", "本区", "全区合计"):
            unit_keys.setdefault(alias, district)
        return cls(by_code, indicator_keys, unit_keys, district)

    def find_indicator(self, text: str) -> str | None:
        return self._find("indicator", text, self.indicator_keys)

    def find_indicator_in(self, text: str) -> str | None:
        """An indicator named anywhere in a title or sheet name ("2025年1-2月社会消费品零售总额"),
        the longest name found winning (规模以上工业增加值 over 工业增加值)."""
        key = label_key(text)
        found = [k for k in self.indicator_keys if len(k) >= 2 and k in key]
        return self.indicator_keys[max(found, key=len)] if found else None

    def find_unit(self, text: str) -> str | None:
        return self._find("unit", text, self.unit_keys)

    def _find(self, kind: str, text: str, keys: dict[str, str]) -> str | None:
        memo_key = (kind, text)
        if memo_key not in self._memo:
            self._memo[memo_key] = next((keys[k] for k in _keys(text) if k in keys), None)
        return self._memo[memo_key]


# ---------------------------------------------------------------------------------------------
# The mapping


@dataclass(frozen=True)
class ColumnMap:
    column: int
    header: str
    role: str
    indicator: str = ""  # for sheets with a row per unit: the indicator the column holds
    measure_unit: str = ""  # as the header writes it ("万元"); "" = the indicator's own

    @property
    def letter(self) -> str:
        return column_letter(self.column)


@dataclass(frozen=True)
class SheetLayout:
    sheet: str
    use: bool
    row_kind: str
    label_column: int
    header_rows: tuple[int, ...]
    first_data_row: int
    unit: str = ""  # rows per indicator: whose figures they are ("" = the district)
    measure_unit: str = ""  # from a "单位：万元" line above the table
    columns: tuple[ColumnMap, ...] = ()
    notes: tuple[str, ...] = ()
    # A long table (分单位分指标): rows per indicator with the unit in a column of its own.
    unit_column: int = 0


@dataclass(frozen=True)
class Layout:
    sheets: tuple[SheetLayout, ...]

    def to_json(self) -> dict:
        return {"sheets": [asdict(s) for s in self.sheets]}

    @classmethod
    def from_json(cls, data: Mapping) -> Layout:
        sheets = []
        for raw in data.get("sheets", []):
            columns = tuple(ColumnMap(**c) for c in raw.get("columns", []))
            sheets.append(
                SheetLayout(
                    sheet=raw["sheet"],
                    use=bool(raw.get("use", True)),
                    row_kind=raw.get("row_kind", ROWS_INDICATOR),
                    label_column=int(raw["label_column"]),
                    header_rows=tuple(raw.get("header_rows", ())),
                    first_data_row=int(raw["first_data_row"]),
                    unit=raw.get("unit", ""),
                    measure_unit=raw.get("measure_unit", ""),
                    columns=columns,
                    notes=tuple(raw.get("notes", ())),
                    unit_column=int(raw.get("unit_column", 0)),
                )
            )
        return cls(tuple(sheets))

    def sheet(self, name: str) -> SheetLayout | None:
        return next((s for s in self.sheets if s.sheet == name), None)


# ---------------------------------------------------------------------------------------------
# Detection


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
_MEASURE_HEADER = re.compile(r"^(?:计量)?单位$")
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
            elif _IGNORE_HEADER.search(key) and re.search(r"去年同期|上年同期", key):
                role = ROLE_IGNORE  # 上年同期增长 is last year's growth, not this year's
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


# ---------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    reason: str
    severity: str = ERROR

    @property
    def where(self) -> str:
        parts = [f"工作表“{self.sheet}”" if self.sheet else "文件"]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.column}列")
        return " ".join(parts)


@dataclass(frozen=True)
class ParsedRow:
    sheet: str
    row: int
    indicator: str
    unit: str
    value: Decimal | None
    growth_pct: Decimal | None
    value_ref: str = ""
    growth_ref: str = ""
    converted_from: str = ""

    @property
    def source_ref(self) -> str:
        return self.value_ref or self.growth_ref


@dataclass
class Extraction:
    period: Period | None
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_cells: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


_MONEY = {
    "元": ("CNY", 0),
    "万元": ("CNY", 4),
    "亿元": ("CNY", 8),
    "美元": ("USD", 0),
    "万美元": ("USD", 4),
    "亿美元": ("USD", 8),
}
_COUNTS = {"个", "家", "项", "人", "户"}


def _convert(value: Decimal, written: str, wanted: str) -> tuple[Decimal, str] | str:
    """The value in the indicator's unit, and the unit it was written in; or a reason."""
    if not written or written == wanted:
        return value, ""
    if written in _MONEY and wanted in _MONEY:
        (cur_w, exp_w), (cur_t, exp_t) = _MONEY[written], _MONEY[wanted]
        if cur_w == cur_t:
            return value.scaleb(exp_w - exp_t), written
    if written in _COUNTS and wanted in _COUNTS:
        return value, ""
    return f"写的计量单位是“{written}”，该指标的计量单位是“{wanted}”，两者无法换算。请核对该列或该行的单位。"


def _row_measure(sheet: SheetGrid, layout: SheetLayout, row: int) -> str:
    for column in layout.columns:
        if column.role == ROLE_MEASURE:
            m = _UNIT_IN_TEXT.search(normalize_fullwidth(_text(sheet.value(row, column.column))))
            return m[1] if m else ""
    return ""


def _parse_cell(
    sheet: SheetGrid, row: int, column: ColumnMap, *, growth: bool
) -> tuple[Decimal | None, str | None]:
    """(the number, None) or (None, the reason it is not one). "—" and blanks are (None, None)."""
    where = (row, column.column)
    if where in sheet.formula_without_value:
        return None, (
            "是公式，但文件中没有保存公式的计算结果（常见于程序生成的文件）：请用Excel或WPS打开后保存一次，"
            "或把该列“选择性粘贴为数值”，再重新上传。"
        )
    raw = sheet.value(row, column.column)
    if isinstance(raw, bool) or (raw is not None and not isinstance(raw, int | float | str)):
        return None, f"“{preview_for_message(str(raw))}”不是数字（可能是日期格式），请改成数值。"
    try:
        if growth:
            text = normalize_fullwidth(raw).strip() if isinstance(raw, str) else raw
            if isinstance(text, str) and text.endswith("%"):
                text = text[:-1].rstrip()
            number = parse_decimal(text)
            decimals = sheet.percent_decimals.get(where)
            if number is not None and decimals is not None:
                # A cell formatted as a percentage holds 0.068 for 6.8%: the published figure
                # is what the format shows.
                number = (number * 100).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
        else:
            number = parse_decimal(raw)
    except ValidationError as exc:
        return None, exc.message
    return number, None


def _groups(layout: SheetLayout) -> dict[str, dict[str, ColumnMap]]:
    groups: dict[str, dict[str, ColumnMap]] = {}
    for column in layout.columns:
        if column.role in (ROLE_VALUE, ROLE_GROWTH):
            key = column.indicator if layout.row_kind == ROWS_UNIT else ""
            groups.setdefault(key, {}).setdefault(column.role, column)
    return groups


def extract(
    grid: WorkbookGrid,
    layout: Layout,
    catalogue: Catalogue,
    *,
    period: Period | None,
    today: date,
) -> Extraction:
    """Every figure the mapping points at, and every problem, by sheet, row and column."""
    result = Extraction(period)
    if period is None:
        result.problems.append(
            Problem(
                "",
                None,
                "",
                "没有在标题或工作表名中找到统计期间（如“2025年1-2月”）：请在导入页面选择统计期间。",
            )
        )
        return result
    if period.end_date > today:
        result.problems.append(
            Problem(
                "",
                None,
                "",
                f"统计期间“{period}”尚未结束（今天是{today:%Y年%-m月%-d日}），不能导入未来期间的统计数据："
                "请核对标题中的期间，或在导入页面改选正确的期间。",
            )
        )
    used = [s for s in layout.sheets if s.use]
    if not used:
        result.problems.append(
            Problem("", None, "", "没有要导入的工作表：请在映射中至少选择一个工作表并指定数据列。")
        )
    seen: dict[tuple[str, str], str] = {}
    for sheet_layout in used:
        sheet = grid.sheet(sheet_layout.sheet)
        if sheet is None:
            result.problems.append(
                Problem(sheet_layout.sheet, None, "", "文件中没有这个工作表，请核对映射或文件。")
            )
            continue
        _extract_sheet(sheet, sheet_layout, catalogue, period, result, seen)
    return result


def _extract_sheet(
    sheet: SheetGrid,
    layout: SheetLayout,
    catalogue: Catalogue,
    period: Period,
    result: Extraction,
    seen: dict[tuple[str, str], str],
) -> None:
    groups = _groups(layout)
    mapped = [c for g in groups.values() for c in g.values()]
    label_letter = column_letter(layout.label_column)
    fixed_unit = layout.unit or catalogue.district

    def problem(row: int, column: str, reason: str, severity: str = ERROR) -> None:
        result.problems.append(Problem(sheet.name, row, column, reason, severity))

    for r in range(layout.first_data_row, sheet.max_row + 1):
        label = _text(sheet.value(r, layout.label_column))
        texts = _distinct(sheet.rows[r - 1])
        has_figures = any(
            (r, c.column) in sheet.formula_without_value
            or (
                _text(sheet.value(r, c.column)) and not _is_missing_marker(sheet.value(r, c.column))
            )
            for c in mapped
        )
        first = texts[0] if texts else ""
        if _FOOTNOTE.match(normalize_fullwidth(first)) or (
            len(texts) == 1 and len(first) > 20 and not _is_number(first)
        ):
            result.notes.append(f"工作表“{sheet.name}”第{r}行起为注释，未导入。")
            break
        if not texts:
            continue
        if not label:
            if has_figures:
                problem(r, label_letter, "这一行有数据但没有名称，请补上指标或单位名称。")
            continue
        if label_key(label) in _TOTALS:
            result.notes.append(f"工作表“{sheet.name}”第{r}行“{label}”是合计行，未导入。")
            continue
        if layout.row_kind == ROWS_INDICATOR:
            code = catalogue.find_indicator(label)
            if code is None:
                if has_figures:
                    problem(
                        r,
                        label_letter,
                        f"“{preview_for_message(label)}”不是指标目录中的指标：请核对名称，"
                        "或由调度办在指标目录中把它添加为该指标的“其他名称”。",
                    )
                continue
            unit = fixed_unit
            if layout.unit_column:
                unit_text = _text(sheet.value(r, layout.unit_column))
                found = catalogue.find_unit(unit_text) if unit_text else None
                if found is None:
                    if has_figures:
                        problem(
                            r,
                            column_letter(layout.unit_column),
                            f"“{preview_for_message(unit_text)}”不是系统中的单位：请核对名称（如“东城街道”），"
                            "或请系统管理员添加该单位。"
                            if unit_text
                            else "这一行没有单位名称，请补上。",
                        )
                    continue
                unit = found
            targets = [(code, unit, groups.get("", {}))]
        else:
            unit = catalogue.find_unit(label)
            if unit is None:
                if has_figures:
                    problem(
                        r,
                        label_letter,
                        f"“{preview_for_message(label)}”不是系统中的单位：请核对名称（如“东城街道”），"
                        "或请系统管理员添加该单位。",
                    )
                continue
            targets = [(code, unit, cols) for code, cols in groups.items() if code]
        for code, unit, columns in targets:
            _extract_figure(sheet, layout, catalogue, period, r, code, unit, columns, result, seen)


def _extract_figure(
    sheet: SheetGrid,
    layout: SheetLayout,
    catalogue: Catalogue,
    period: Period,
    r: int,
    code: str,
    unit: str,
    columns: Mapping[str, ColumnMap],
    result: Extraction,
    seen: dict[tuple[str, str], str],
) -> None:
    info = catalogue.indicators[code]
    value_col, growth_col = columns.get(ROLE_VALUE), columns.get(ROLE_GROWTH)
    value = growth = None
    value_ref = growth_ref = converted = ""
    failed = False

    def problem(column: ColumnMap, reason: str, severity: str = ERROR) -> None:
        result.problems.append(Problem(sheet.name, r, column.letter, reason, severity))

    if value_col is not None:
        number, reason = _parse_cell(sheet, r, value_col, growth=False)
        if reason:
            problem(value_col, f"{info.name}：{reason}")
            failed = True
        elif number is not None:
            written = (
                _row_measure(sheet, layout, r) or value_col.measure_unit or layout.measure_unit
            )
            converted_value = _convert(number, written, info.measure_unit)
            if isinstance(converted_value, str):
                problem(value_col, f"{info.name}：{converted_value}")
                failed = True
            else:
                value, converted = converted_value
                value_ref = f"{sheet.name}!{value_col.letter}{r}"
                if value < 0 and info.kind != "growth":
                    problem(
                        value_col,
                        f"{info.name}：累计值为{value}，是负数。累计值不会小于0，请核对是否误填了增减量或增速。",
                    )
                    failed = True
                elif abs(value) >= MAX_ABS_VALUE:
                    problem(value_col, f"{info.name}：数值{value}过大，请核对数值和单位。")
                    failed = True
                else:
                    value = _quantize(value, VALUE_PLACES)
        else:
            result.missing_cells += 1
    if growth_col is not None:
        number, reason = _parse_cell(sheet, r, growth_col, growth=True)
        if reason:
            problem(growth_col, f"{info.name}增速：{reason}")
            failed = True
        elif number is not None:
            growth_ref = f"{sheet.name}!{growth_col.letter}{r}"
            if not MIN_GROWTH < number <= MAX_GROWTH:
                problem(
                    growth_col,
                    f"{info.name}增速为{number}%，超出合理范围（大于-100%）。请核对是否把增量或数值填进了增速列。",
                )
                failed = True
            else:
                growth = _quantize(number, RATE_PLACES)
        else:
            result.missing_cells += 1
    if failed or (value is None and growth is None):
        return
    if period.end_month not in info.release_months:
        column = value_col or growth_col
        assert column is not None
        released = "、".join(f"1-{m}月" if m > 1 else "1月" for m in info.release_months)
        problem(
            column,
            f"{info.name}不在“{period.label}”发布（发布期间：{released}），这一期应为“—”。请核对是否填错了行或期间。",
        )
        return
    key = (code, unit)
    here = f"工作表“{sheet.name}”第{r}行"
    if key in seen:
        column = value_col or growth_col
        assert column is not None
        problem(
            column,
            f"{unit}的{info.name}在文件中出现了两次（另一处在{seen[key]}）：同一期间、同一单位的同一指标只能有一个数，请删去重复的一处。",
        )
        return
    seen[key] = here
    result.rows.append(
        ParsedRow(sheet.name, r, code, unit, value, growth, value_ref, growth_ref, converted)
    )


def _quantize(value: Decimal, places: Decimal) -> Decimal:
    try:
        return value.quantize(places, ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - guarded by MAX_ABS_VALUE
        return value


def flag_jumps(
    rows: Iterable[ParsedRow],
    references: Mapping[tuple[str, str], tuple[Decimal, str, bool]],
    catalogue: Catalogue,
) -> list[Problem]:
    """Implausible jumps against a reference figure (the same period last year, or this year's
    previous release, ``earlier`` True): 1,000× and more is almost surely 万元 written as 亿元
    or the reverse; a cumulative value below the previous release is worth a second look."""
    problems: list[Problem] = []
    for row in rows:
        ref = references.get((row.indicator, row.unit))
        if row.value is None or ref is None or ref[0] <= 0 or row.value <= 0:
            continue
        reference, what, earlier = ref
        ratio = row.value / reference
        info = catalogue.indicators[row.indicator]
        column = row.value_ref.rsplit("!", 1)[-1].rstrip("0123456789")
        shown = f"{row.unit}的{info.name}为{row.value}{info.measure_unit}，{what}为{reference}{info.measure_unit}"
        if earlier and row.value < reference and ratio > 1 / JUMP_WARNING:
            problems.append(
                Problem(
                    row.sheet,
                    row.row,
                    column,
                    f"{shown}：累计值比前一期还小。累计值从1月起逐月累加，一般不会减少，请核对是否填成了当月数或填错了期间。",
                    WARNING,
                )
            )
            continue
        if ratio >= JUMP_ERROR or ratio <= 1 / JUMP_ERROR:
            problems.append(
                Problem(
                    row.sheet,
                    row.row,
                    column,
                    f"{shown}，相差约{_times(ratio)}倍：很可能把万元当成了亿元（或相反，相差10000倍）。"
                    f"请核对计量单位（该指标按{info.measure_unit}填报）后重新上传。",
                )
            )
        elif ratio >= JUMP_WARNING or ratio <= 1 / JUMP_WARNING:
            problems.append(
                Problem(
                    row.sheet,
                    row.row,
                    column,
                    f"{shown}，相差约{_times(ratio)}倍，变化异常，请核对数值和计量单位。",
                    WARNING,
                )
            )
    return problems


def _times(ratio: Decimal) -> str:
    factor = ratio if ratio >= 1 else 1 / ratio
    return f"{factor.quantize(Decimal(1), ROUND_HALF_UP):,}"
