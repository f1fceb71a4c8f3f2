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

from kaimen.targets.importers.detection import (
    detect_layout,
    detect_period,
    fingerprint,
)
from kaimen.targets.importers.extraction import (
    Extraction,
    ParsedRow,
    Problem,
    extract,
    flag_jumps,
)
from kaimen.targets.importers.layouts import (
    ERROR,
    JUMP_ERROR,
    JUMP_WARNING,
    MAX_ABS_VALUE,
    MAX_GROWTH,
    MAX_HEADER_ROWS,
    MIN_GROWTH,
    RATE_PLACES,
    ROLE_GROWTH,
    ROLE_IGNORE,
    ROLE_MEASURE,
    ROLE_VALUE,
    ROLES,
    ROWS_INDICATOR,
    ROWS_UNIT,
    VALUE_PLACES,
    WARNING,
    Catalogue,
    ColumnMap,
    IndicatorInfo,
    Layout,
    SheetLayout,
    label_key,
    leading_width,
    numbering_level,
    sub_item_mark,
)

__all__ = [
    "Catalogue",
    "ColumnMap",
    "ERROR",
    "Extraction",
    "IndicatorInfo",
    "JUMP_ERROR",
    "JUMP_WARNING",
    "Layout",
    "MAX_ABS_VALUE",
    "MAX_GROWTH",
    "MAX_HEADER_ROWS",
    "MIN_GROWTH",
    "ParsedRow",
    "Problem",
    "RATE_PLACES",
    "ROLES",
    "ROLE_GROWTH",
    "ROLE_IGNORE",
    "ROLE_MEASURE",
    "ROLE_VALUE",
    "ROWS_INDICATOR",
    "ROWS_UNIT",
    "SheetLayout",
    "VALUE_PLACES",
    "WARNING",
    "detect_layout",
    "detect_period",
    "extract",
    "fingerprint",
    "flag_jumps",
    "label_key",
    "leading_width",
    "numbering_level",
    "sub_item_mark",
]
