"""Figures as Decimal with a unit of measure, read safely from what people type and paste.

Statistics are money and counts: a float would turn 0.1亿元 into 0.1000000000000000055511151231,
and NaN or Infinity in a sum would poison every ranking built on it. Everything here is Decimal,
non-finite values are refused, and a refusal says what was wrong and how to write it instead.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, Inexact, localcontext
from enum import StrEnum

from kaimen.lib.errors import ValidationError
from kaimen.lib.text import normalize_fullwidth, preview_for_message


class MeasureUnit(StrEnum):
    YI_YUAN = "亿元"
    WAN_YUAN = "万元"
    YUAN = "元"
    PERCENT = "%"
    GE = "个"
    JIA = "家"
    REN_CI = "人次"


# Powers of ten of one yuan: 1亿元 = 10^4万元 = 10^8元.
_MONEY_EXPONENT = {MeasureUnit.YI_YUAN: 8, MeasureUnit.WAN_YUAN: 4, MeasureUnit.YUAN: 0}
# Longest first, so "万元" is not read as "元" with a stray "万".
_UNIT_SUFFIXES = sorted((u.value for u in MeasureUnit), key=len, reverse=True)

# Statistical tables mark a missing or not-applicable figure with dashes ("—", "——", "-") or
# an ellipsis ("…", data not yet available); an empty cell means the same.
_MISSING = re.compile("|[-\u2012\u2013\u2014\u2015\u2212]{1,3}|\u2026{1,2}|\\.{3}")
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?P<int>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.(?P<frac>[0-9]+))?"
)
_NON_FINITE = re.compile(r"[+-]?(nan|snan|inf|infinity|∞)", re.IGNORECASE)
_MAX_CHARS = 64
_MAX_ADJUSTED_EXPONENT = 24
_HOW = "请填写阿拉伯数字，如“1234.5”或“-3.2”；可用千分位逗号（1,234.5），不要带单位、文字或空格。"


@dataclass(frozen=True)
class Quantity:
    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        if not isinstance(self.value, Decimal):
            raise TypeError(f"Quantity value must be a Decimal, not {type(self.value).__name__}")
        if not self.value.is_finite():
            raise ValidationError(f"数值“{self.value}”不是有限数字。{_HOW}")
        if self.unit not in _UNIT_SUFFIXES:
            raise ValidationError(
                f"计量单位“{self.unit}”不受支持，可用的单位：{'、'.join(MeasureUnit)}。"
            )

    def to(self, unit: str) -> Quantity:
        """Convert between 亿元, 万元 and 元 exactly; any other change of unit is refused."""
        if unit == self.unit:
            return self
        if self.unit not in _MONEY_EXPONENT or unit not in _MONEY_EXPONENT:
            raise ValidationError(
                f"“{self.unit}”不能换算成“{unit}”：只有亿元、万元、元之间可以换算。"
            )
        shift = _MONEY_EXPONENT[MeasureUnit(self.unit)] - _MONEY_EXPONENT[MeasureUnit(unit)]
        # Multiplying or dividing by a power of ten is exact in Decimal; trap Inexact so a
        # value too long for the context is refused rather than silently rounded.
        with localcontext() as ctx:
            ctx.prec = 60
            ctx.traps[Inexact] = True
            factor = Decimal(10) ** abs(shift)
            value = self.value * factor if shift > 0 else self.value / factor
        return Quantity(value, unit)

    def __str__(self) -> str:
        return f"{self.value:f}{self.unit}"


def _shown(raw: object) -> str:
    return preview_for_message(str(raw))


def parse_decimal(
    raw: object,
    *,
    field: str | None = None,
    required: bool = False,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> Decimal | None:
    """Read a figure as Decimal; None when the cell is empty or marked missing ("—", "-").

    Accepts str, int, Decimal and float (openpyxl gives floats for numeric cells; they are read
    through their shortest repr, so 12.3 stays 12.3). Full-width digits, signs and points and
    thousands separators are normalised. NaN, Infinity, exponents, units and text are refused
    with a ValidationError naming ``field``. A percent sign is refused here: use parse_percent.
    """
    value = _to_decimal(raw, field=field)
    if value is None:
        if required:
            raise ValidationError(f"此项不能为空。{_HOW}", field=field)
        return None
    _check_range(value, raw, field=field, min_value=min_value, max_value=max_value)
    return value


def parse_percent(
    raw: object,
    *,
    field: str | None = None,
    required: bool = False,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> Decimal | None:
    """Read a rate in percentage points: "12.5%", "12.5" and 12.5 all give Decimal("12.5").

    Growth rates are published in percentage points, so the number is not divided by 100.
    An Excel cell formatted as a percentage holds 0.125 for 12.5%: importers must check the
    cell's number format and scale it before calling this.
    """
    if isinstance(raw, str):
        text = normalize_fullwidth(raw).strip()
        if text.endswith("%"):
            text = text[:-1].rstrip()
            if not text:
                raise ValidationError(f"“{_shown(raw)}”只有百分号，没有数字。{_HOW}", field=field)
        raw_number: object = text
    else:
        raw_number = raw
    value = _to_decimal(raw_number, field=field, shown=raw)
    if value is None:
        if required:
            raise ValidationError(f"此项不能为空。{_HOW}", field=field)
        return None
    _check_range(value, raw, field=field, min_value=min_value, max_value=max_value, unit="%")
    return value


def parse_quantity(
    raw: object,
    *,
    unit: str | None = None,
    field: str | None = None,
    required: bool = False,
    min_value: Decimal | int | None = None,
    max_value: Decimal | int | None = None,
) -> Quantity | None:
    """Read "12.5亿元", "3,000万元", "12.5%" or "35家"; the result is in ``unit`` when given.

    A bare number takes ``unit``. A written money unit is converted to ``unit`` (a cell saying
    "1.2亿元" in a 万元 column becomes 12000万元); an incompatible one is refused. The range
    applies in the result's unit.
    """
    if unit is not None and unit not in _UNIT_SUFFIXES:
        raise ValueError(f"unknown unit {unit!r}")
    written_unit: str | None = None
    number: object = raw
    if isinstance(raw, str):
        text = normalize_fullwidth(raw).strip()
        for suffix in _UNIT_SUFFIXES:
            if text.endswith(suffix):
                written_unit, number = suffix, text[: -len(suffix)].rstrip()
                break
    value = _to_decimal(number, field=field, shown=raw)
    if value is None:
        if required:
            raise ValidationError(f"此项不能为空。{_HOW}", field=field)
        return None
    if written_unit is None and unit is None:
        raise ValidationError(
            f"“{_shown(raw)}”没有写计量单位，请写成“12.5亿元”“3000万元”“35家”这样的形式。",
            field=field,
        )
    quantity = Quantity(value, written_unit or unit or "")
    if unit is not None:
        try:
            quantity = quantity.to(unit)
        except ValidationError as exc:
            raise ValidationError(
                f"“{_shown(raw)}”的单位是“{written_unit}”，这里要填“{unit}”，请换算后重填。",
                field=field,
            ) from exc
    _check_range(
        quantity.value,
        raw,
        field=field,
        min_value=min_value,
        max_value=max_value,
        unit=quantity.unit,
    )
    return quantity


def _to_decimal(raw: object, *, field: str | None, shown: object = None) -> Decimal | None:
    shown = raw if shown is None else shown
    value = _read_decimal(raw, field=field, shown=shown)
    # No district figure comes near 10^24 in any unit; a value that large is a paste or unit
    # error, and refusing it keeps later quantize and database writes from failing.
    if value is not None and value.adjusted() >= _MAX_ADJUSTED_EXPONENT:
        raise ValidationError(
            f"“{_shown(shown)}”数值过大，请核对数值和单位（亿元、万元还是元）。", field=field
        )
    return None if value is None else _plain(value)


def _read_decimal(raw: object, *, field: str | None, shown: object) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool):
        # bool is an int subclass: True would quietly become 1.
        raise ValidationError(f"“{_shown(shown)}”不是数字。{_HOW}", field=field)
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValidationError(
                f"“{_shown(shown)}”不是有限数字（NaN或无穷大）。{_HOW}", field=field
            )
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise ValidationError(
                f"“{_shown(shown)}”不是有限数字（NaN或无穷大）。{_HOW}", field=field
            )
        return Decimal(repr(raw))
    if not isinstance(raw, str):
        raise ValidationError(f"“{_shown(shown)}”不是数字。{_HOW}", field=field)

    text = normalize_fullwidth(raw).strip()
    if len(text) > _MAX_CHARS:
        raise ValidationError(f"“{_shown(shown)}”太长，不像一个数字。{_HOW}", field=field)
    if _MISSING.fullmatch(text):
        return None
    # The minus sign (U+2212) and full-width minus are what Word and IMEs put before a number.
    text = text.replace("\u2212", "-")
    if _NON_FINITE.fullmatch(text):
        raise ValidationError(f"“{_shown(shown)}”不是有限数字（NaN或无穷大）。{_HOW}", field=field)
    m = _NUMBER.fullmatch(text)
    if m is None or (m["int"] is None and m["frac"] is None):
        if "%" in text:
            problem = "带了百分号，这里要填数值而不是百分比"
        elif "," in text:
            problem = "千分位逗号的位置不对（应每三位一个，如1,234,567）"
        elif re.search(r"[0-9][eE][+-]?[0-9]", text):
            problem = "是科学计数法，请改成普通数字"
        else:
            problem = "不是数字"
        raise ValidationError(f"“{_shown(shown)}”{problem}。{_HOW}", field=field)
    digits = (m["int"] or "0").replace(",", "")
    return Decimal(f"{m['sign']}{digits}.{m['frac']}" if m["frac"] else f"{m['sign']}{digits}")


def _plain(value: Decimal) -> Decimal:
    # repr(1e20) is "1e+20" and Decimal("1E+3") prints the same way; keep integers in plain
    # notation so they print as people write them.
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        return value.quantize(Decimal(1))
    return value


def _check_range(
    value: Decimal,
    raw: object,
    *,
    field: str | None,
    min_value: Decimal | int | None,
    max_value: Decimal | int | None,
    unit: str = "",
) -> None:
    too_low = min_value is not None and value < min_value
    too_high = max_value is not None and value > max_value
    if not (too_low or too_high):
        return
    if min_value is not None and max_value is not None:
        allowed = f"应在{min_value}{unit}到{max_value}{unit}之间"
    elif min_value is not None:
        allowed = f"不能小于{min_value}{unit}"
    else:
        allowed = f"不能大于{max_value}{unit}"
    raise ValidationError(
        f"“{_shown(raw)}”超出允许范围：{allowed}。请核对数值，以及单位是否填错（亿元、万元、元）。",
        field=field,
    )
