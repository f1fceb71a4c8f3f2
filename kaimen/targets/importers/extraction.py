"""Extraction: a mapping applied to a workbook, every problem listed by sheet, row, column
and reason; jumps against last period flagged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.lib.quantities import parse_decimal
from kaimen.lib.text import normalize_fullwidth, preview_for_message
from kaimen.targets.importers.detection import (
    _UNIT_IN_TEXT,
    _distinct,
    _is_missing_marker,
    _is_number,
)
from kaimen.targets.importers.layouts import (
    _FOOTNOTE,
    _TOTALS,
    ERROR,
    JUMP_ERROR,
    JUMP_WARNING,
    MAX_ABS_VALUE,
    MAX_GROWTH,
    MIN_GROWTH,
    RATE_PLACES,
    ROLE_GROWTH,
    ROLE_MEASURE,
    ROLE_VALUE,
    ROWS_INDICATOR,
    ROWS_UNIT,
    VALUE_PLACES,
    WARNING,
    Catalogue,
    ColumnMap,
    Layout,
    SheetLayout,
    _text,
    label_key,
    leading_width,
    numbering_level,
    sub_item_mark,
)
from kaimen.targets.workbook import SheetGrid, WorkbookGrid, column_letter


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


class ParsedRow(NamedTuple):
    """One figure found in the workbook (a named tuple: a 100,000-row import makes 100,000)."""

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
    # Sub-items the catalogue does not know (其中:…), left out: (sheet, row, label).
    not_imported: list[tuple[str, int, str]] = field(default_factory=list)

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


def _row_measure(sheet: SheetGrid, measure_column: int, row: int) -> str:
    if not measure_column:
        return ""
    m = _UNIT_IN_TEXT.search(normalize_fullwidth(_text(sheet.value(row, measure_column))))
    return m[1] if m else ""


# Numbers that read the same through ``parse_decimal`` and straight through Decimal: finite, and
# written without an exponent by repr (no figure of a bulletin is below 0.0001 or near 10^15).
_FAST_MIN, _FAST_MAX = 1e-4, 1e15


def _parse_cell(
    sheet: SheetGrid, values: list, row: int, column: int, *, growth: bool
) -> tuple[Decimal | None, str | None]:
    """(the number, None) or (None, the reason it is not one). "—" and blanks are (None, None).
    ``values`` is the row's cells (``sheet.rows[row - 1]``), ``column`` 1-based."""
    where = (row, column)
    if sheet.formula_without_value and where in sheet.formula_without_value:
        return None, (
            "是公式，但文件中没有保存公式的计算结果（常见于程序生成的文件）：请用Excel或WPS打开后保存一次，"
            "或把该列“选择性粘贴为数值”，再重新上传。"
        )
    raw = values[column - 1] if column <= len(values) else None
    if raw is None:
        return None, None
    cls = raw.__class__
    if cls is int and -_FAST_MAX < raw < _FAST_MAX:  # type: ignore[operator]
        number: Decimal | None = Decimal(raw)  # type: ignore[arg-type]
    elif cls is float and (raw == 0 or _FAST_MIN <= abs(raw) < _FAST_MAX):  # type: ignore[arg-type]
        number = Decimal(repr(raw))
    elif isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None, f"“{preview_for_message(str(raw))}”不是数字（可能是日期格式），请改成数值。"
    else:
        try:
            if growth:
                text = normalize_fullwidth(raw).strip() if isinstance(raw, str) else raw
                if isinstance(text, str) and text.endswith("%"):
                    text = text[:-1].rstrip()
                number = parse_decimal(text)
            else:
                number = parse_decimal(raw)
        except ValidationError as exc:
            return None, exc.message
    if growth and number is not None and sheet.percent_decimals:
        decimals = sheet.percent_decimals.get(where)
        if decimals is not None:
            # A cell formatted as a percentage holds 0.068 for 6.8%: the published figure
            # is what the format shows.
            number = (number * 100).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
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
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for sheet_layout in used:
        sheet = grid.sheet(sheet_layout.sheet)
        if sheet is None:
            result.problems.append(
                Problem(sheet_layout.sheet, None, "", "文件中没有这个工作表，请核对映射或文件。")
            )
            continue
        _extract_sheet(sheet, sheet_layout, catalogue, period, result, seen)
    return result


class _Outline:
    """Where a sheet's labels sit in the table's outline, to tell a sub-item (a part of the row
    above: "其中:高技术制造业", "# 批发零售业" and its indented siblings, "1、批发零售贸易业"
    under "一、社会消费品零售总额") from a row of its own. A label is a sub-item when it says so,
    or when it is indented deeper (spaces, or Excel's indent) or numbered at a deeper level than
    the shallowest label of the table. Measured once, the first time a name is not found."""

    def __init__(self, sheet: SheetGrid, column: int, first_row: int) -> None:
        self.sheet, self.column, self.first_row = sheet, column, first_row
        self._base: tuple[int, int | None] | None = None

    def _depth(self, row: int, text: str) -> int:
        return 2 * self.sheet.indents.get((row, self.column), 0) + leading_width(text)

    def _raw(self, row: int) -> str:
        raw = self.sheet.value(row, self.column)
        return raw if isinstance(raw, str) else ""

    def base(self) -> tuple[int, int | None]:
        if self._base is None:
            depths: list[int] = []
            levels: list[int] = []
            for r in range(self.first_row, self.sheet.max_row + 1):
                text = self._raw(r)
                # Rows of the table only: a label with something beside it (a footnote or a
                # heading stands alone, or spread over merged cells as one text).
                if not text.strip() or len(_distinct(self.sheet.rows[r - 1])) < 2:
                    continue
                depths.append(self._depth(r, text))
                level = numbering_level(text)
                if level is not None:
                    levels.append(level)
            self._base = (min(depths, default=0), min(levels, default=None))
        return self._base

    def is_sub_item(self, row: int) -> bool:
        text = self._raw(row)
        if sub_item_mark(text):
            return True
        depth, level = self.base()
        if self._depth(row, text) > depth:
            return True
        own = numbering_level(text)
        return own is not None and level is not None and own > level


def _is_total(label: str, memo: dict[str, bool]) -> bool:
    if label not in memo:
        memo[label] = label_key(label) in _TOTALS
    return memo[label]


def _first_text(values: list) -> str:
    for v in values:
        if v is not None:
            text = _text(v)
            if text:
                return text
    return ""


def _extract_sheet(
    sheet: SheetGrid,
    layout: SheetLayout,
    catalogue: Catalogue,
    period: Period,
    result: Extraction,
    seen: dict[tuple[str, str], tuple[str, int]],
) -> None:
    groups = _groups(layout)
    mapped = [c for g in groups.values() for c in g.values()]
    label_column = layout.label_column
    label_letter = column_letter(label_column)
    fixed_unit = layout.unit or catalogue.district
    measure_column = next((c.column for c in layout.columns if c.role == ROLE_MEASURE), 0)
    outline = _Outline(sheet, label_column, layout.first_data_row)
    unit_outline = (
        _Outline(sheet, layout.unit_column, layout.first_data_row) if layout.unit_column else None
    )
    skipped: list[tuple[int, str]] = []
    totals: dict[str, bool] = {}
    by_indicator = layout.row_kind == ROWS_INDICATOR
    unit_targets = [(code, cols) for code, cols in groups.items() if code]
    rows = sheet.rows

    def problem(row: int, column: str, reason: str, severity: str = ERROR) -> None:
        result.problems.append(Problem(sheet.name, row, column, reason, severity))

    def has_figures(r: int) -> bool:
        return any(
            (r, c.column) in sheet.formula_without_value
            or (
                _text(sheet.value(r, c.column)) and not _is_missing_marker(sheet.value(r, c.column))
            )
            for c in mapped
        )

    def unknown(r: int, where: _Outline, letter: str, label: str, reason: str) -> None:
        if not has_figures(r):
            return  # a heading ("按经营地分", "在总额中:") or an empty line
        if where.is_sub_item(r):
            skipped.append((r, label))
        else:
            problem(r, letter, reason)

    footnotes: dict[str, bool] = {}
    plans: dict[int, _Plan] = {}
    # A long table repeats a few thousand names 100,000 times: each is looked up once.
    indicator_of: dict[str, str | None] = {}
    unit_of: dict[str, str | None] = {}
    unit_column = layout.unit_column
    for r in range(layout.first_data_row, sheet.max_row + 1):
        values = rows[r - 1]
        first = _first_text(values)
        if not first:
            continue
        footnote = footnotes.get(first)
        if footnote is None:
            footnote = footnotes[first] = bool(_FOOTNOTE.match(normalize_fullwidth(first)))
        if footnote or (len(first) > 20 and len(_distinct(values)) == 1 and not _is_number(first)):
            result.notes.append(f"工作表“{sheet.name}”第{r}行起为注释，未导入。")
            break
        raw_label = values[label_column - 1] if len(values) >= label_column else None
        label = _text(raw_label)
        if not label:
            if has_figures(r):
                problem(r, label_letter, "这一行有数据但没有名称，请补上指标或单位名称。")
            continue
        total = totals.get(label)
        if total is None:
            total = _is_total(label, totals)
        if total:
            result.notes.append(f"工作表“{sheet.name}”第{r}行“{label}”是合计行，未导入。")
            continue
        if by_indicator:
            code = indicator_of.get(label, "")
            if code == "":
                code = indicator_of[label] = catalogue.find_indicator(label)
            if code is None:
                unknown(
                    r,
                    outline,
                    label_letter,
                    label,
                    f"“{preview_for_message(label)}”不是指标目录中的指标：请核对名称，"
                    "或由调度办在指标目录中把它添加为该指标的“其他名称”。",
                )
                continue
            unit = fixed_unit
            if unit_column:
                unit_text = _text(values[unit_column - 1] if len(values) >= unit_column else None)
                found = unit_of.get(unit_text, "")
                if found == "":
                    found = unit_of[unit_text] = (
                        catalogue.find_unit(unit_text) if unit_text else None
                    )
                if found is None:
                    assert unit_outline is not None
                    if unit_text:
                        unknown(
                            r,
                            unit_outline,
                            column_letter(layout.unit_column),
                            unit_text,
                            f"“{preview_for_message(unit_text)}”不是系统中的单位：请核对名称（如“东城街道”），"
                            "或请系统管理员添加该单位。",
                        )
                    elif has_figures(r):
                        problem(
                            r, column_letter(layout.unit_column), "这一行没有单位名称，请补上。"
                        )
                    continue
                unit = found
            _extract_figure(
                sheet, values, measure_column, layout, catalogue, period, r, code, unit,
                _plan(plans, sheet, groups.get("", _NO_COLUMNS)), result, seen,
            )  # fmt: skip
        else:
            unit = catalogue.find_unit(label)
            if unit is None:
                unknown(
                    r,
                    outline,
                    label_letter,
                    label,
                    f"“{preview_for_message(label)}”不是系统中的单位：请核对名称（如“东城街道”），"
                    "或请系统管理员添加该单位。",
                )
                continue
            for code, columns in unit_targets:
                _extract_figure(
                    sheet, values, measure_column, layout, catalogue, period, r, code, unit,
                    _plan(plans, sheet, columns), result, seen,
                )  # fmt: skip
    if skipped:
        result.not_imported.extend((sheet.name, r, label) for r, label in skipped)
        result.notes.append(_skipped_note(sheet.name, skipped, by_indicator))


MAX_LISTED_SUB_ITEMS = 20


def _skipped_note(sheet: str, skipped: list[tuple[int, str]], by_indicator: bool) -> str:
    listed = "、".join(
        f"第{r}行“{preview_for_message(label.strip())}”"
        for r, label in skipped[:MAX_LISTED_SUB_ITEMS]
    )
    more = f"等{len(skipped)}行" if len(skipped) > MAX_LISTED_SUB_ITEMS else ""
    what = "指标目录中没有这些分项指标" if by_indicator else "系统中没有这些单位"
    how = (
        "如需导入某个分项，请调度办先在指标目录中添加该指标，或把它设为某个指标的“其他名称”。"
        if by_indicator
        else "如需导入，请系统管理员先添加该单位。"
    )
    return (
        f"工作表“{sheet}”有{len(skipped)}个分项未导入（{what}）：{listed}{more}。"
        f"这些行不影响其余数据的导入。{how}"
    )


_NO_COLUMNS: dict[str, ColumnMap] = {}


@dataclass(frozen=True)
class _Plan:
    """The value and growth columns of one figure, with what each row repeats worked out once."""

    value: ColumnMap | None
    growth: ColumnMap | None
    value_ref: str  # "主要指标!C" — the row number is added
    growth_ref: str


def _plan(plans: dict[int, _Plan], sheet: SheetGrid, columns: Mapping[str, ColumnMap]) -> _Plan:
    plan = plans.get(id(columns))
    if plan is None:
        value, growth = columns.get(ROLE_VALUE), columns.get(ROLE_GROWTH)
        plan = plans[id(columns)] = _Plan(
            value,
            growth,
            f"{sheet.name}!{value.letter}" if value else "",
            f"{sheet.name}!{growth.letter}" if growth else "",
        )
    return plan


def _extract_figure(
    sheet: SheetGrid,
    values: list,
    measure_column: int,
    layout: SheetLayout,
    catalogue: Catalogue,
    period: Period,
    r: int,
    code: str,
    unit: str,
    plan: _Plan,
    result: Extraction,
    seen: dict[tuple[str, str], tuple[str, int]],
) -> None:
    info = catalogue.indicators[code]
    value_col, growth_col = plan.value, plan.growth
    value = growth = None
    value_ref = growth_ref = converted = ""
    failed = False

    def problem(column: ColumnMap, reason: str, severity: str = ERROR) -> None:
        result.problems.append(Problem(sheet.name, r, column.letter, reason, severity))

    if value_col is not None:
        number, reason = _parse_cell(sheet, values, r, value_col.column, growth=False)
        if reason:
            problem(value_col, f"{info.name}：{reason}")
            failed = True
        elif number is not None:
            written = (
                (measure_column and _row_measure(sheet, measure_column, r))
                or value_col.measure_unit
                or layout.measure_unit
            )
            if written and written != info.measure_unit:
                converted_value = _convert(number, written, info.measure_unit)
            else:
                converted_value = number, ""
            if isinstance(converted_value, str):
                problem(value_col, f"{info.name}：{converted_value}")
                failed = True
            else:
                value, converted = converted_value
                value_ref = f"{plan.value_ref}{r}"
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
                    # Cannot fail: below MAX_ABS_VALUE, the places fit the context's precision.
                    value = value.quantize(VALUE_PLACES, ROUND_HALF_UP)
        else:
            result.missing_cells += 1
    if growth_col is not None:
        number, reason = _parse_cell(sheet, values, r, growth_col.column, growth=True)
        if reason:
            problem(growth_col, f"{info.name}增速：{reason}")
            failed = True
        elif number is not None:
            growth_ref = f"{plan.growth_ref}{r}"
            if not MIN_GROWTH < number <= MAX_GROWTH:
                problem(
                    growth_col,
                    f"{info.name}增速为{number}%，超出合理范围（大于-100%）。请核对是否把增量或数值填进了增速列。",
                )
                failed = True
            else:
                growth = number.quantize(RATE_PLACES, ROUND_HALF_UP)
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
    if key in seen:
        column = value_col or growth_col
        assert column is not None
        other_sheet, other_row = seen[key]
        problem(
            column,
            f"{unit}的{info.name}在文件中出现了两次（另一处在工作表“{other_sheet}”第{other_row}行）："
            "同一期间、同一单位的同一指标只能有一个数，请删去重复的一处。",
        )
        return
    seen[key] = (sheet.name, r)
    result.rows.append(
        ParsedRow(sheet.name, r, code, unit, value, growth, value_ref, growth_ref, converted)
    )


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
