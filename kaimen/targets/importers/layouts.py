"""Layouts of bureau workbooks: names as written, the catalogue they are matched against,
and the column mapping remembered per layout."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from kaimen.lib.text import normalize_fullwidth
from kaimen.targets.workbook import CellValue, column_letter

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


_SPACES = re.compile(r"\s+")
_LEADING = re.compile(
    r"^(?:其中[:：]?|[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[#△▲*※])+"
)
_TRAILING = re.compile(r"(?:[*※①②③④⑤⑥⑦⑧⑨⑩]+|[(（]注?\d[)）])+$")
_PARENTHESES = re.compile(r"[(（][^()（）]*[)）]")
_TOTALS = {"合计", "总计", "小计", "总量", "汇总"}
_FOOTNOTE = re.compile(r"^(?:注|说明|备注|附注|资料来源|数据来源|注释)\s*[:：\d.、]")


# Sub-items in a bulletin's table (统计月报/快报): rows that break down the row above. Seen in
# published tables: "其中:高技术制造业", "其中：工业投资", "  其中 税收收入", "# 批发零售业"
# followed by indented siblings ("  住宿餐饮业"), "内:限额以上", "在总额中:", and numbered
# levels ("一、社会消费品零售总额" over "1、批发零售贸易业").
_SUB_MARK = re.compile(r"^(?:其中|#|(?:内|在[^:]{0,10}中)\s*:)")
_NUMBERING = (
    (1, re.compile(r"^[一二三四五六七八九十]+[、.]")),
    (2, re.compile(r"^\([一二三四五六七八九十]+\)")),
    (3, re.compile(r"^\d+[.、](?!\d)")),
    (4, re.compile(r"^\(\d+\)")),
)


def leading_width(text: str) -> int:
    """How far a label is indented by spaces: an ASCII space 1, an ideographic space 2, a tab 4."""
    width = 0
    for ch in text:
        if ch == " ":
            width += 1
        elif ch == "\u3000":
            width += 2
        elif ch == "\t":
            width += 4
        else:
            break
    return width


def sub_item_mark(text: str) -> bool:
    """Whether a label says it is a part of the row above ("其中:…", "#…", "内:…")."""
    return bool(_SUB_MARK.match(normalize_fullwidth(text).lstrip()))


def numbering_level(text: str) -> int | None:
    """The outline level of a numbered label: 一、 1, （一） 2, 1、 3, （1） 4; None unnumbered."""
    folded = normalize_fullwidth(text).lstrip()
    return next((level for level, pattern in _NUMBERING if pattern.match(folded)), None)


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
