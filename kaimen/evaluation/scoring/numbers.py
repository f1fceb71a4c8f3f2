"""Decimal helpers of the scorecards: quantising and writing figures as people write them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kaimen.lib.errors import ValidationError

HUNDRED = Decimal(100)
SCORE_QUANTUM = Decimal("0.01")
RATIO_QUANTUM = Decimal("0.0001")
# Boston's CityScore divides each metric by its target and caps the result at 1.25, so one metric
# far beyond target cannot hide others that are behind.
CITYSCORE_CAP = Decimal("1.25")
DEFAULT_MIN_SAMPLES = 2  # the example: one data point must not put a unit on top
_LISTED_POINTS = 8


def quantize(value: Decimal, quantum: Decimal = SCORE_QUANTUM) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def _dec(value: object, *, what: str, field: str | None = None) -> Decimal:
    """A finite Decimal from Decimal, int or a numeric string (floats go through str)."""
    if isinstance(value, bool):
        raise ValidationError(f"{what}应为数值，不能是“{value}”。", field=field)
    try:
        result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(f"{what}“{value}”不是数值，请填写数字。", field=field) from None
    if not result.is_finite():
        raise ValidationError(f"{what}“{value}”不是有限数值，请核对。", field=field)
    return result


def fmt(value: Decimal | None) -> str:
    """A Decimal as people write it: no exponent, no trailing zeros ("40", "33.33")."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def fmt_points(value: Decimal) -> str:
    return format(quantize(value), "f")


def fmt4(value: Decimal) -> str:
    """Inputs and ratios in explanations: up to four decimals, trailing zeros dropped."""
    return fmt(quantize(value, RATIO_QUANTUM))
