"""What every targets service shares: permission with the command-line exception, and the checks
of numbers typed into forms and APIs."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from kaimen.lib.errors import ValidationError
from kaimen.lib.quantities import parse_decimal
from kaimen.lib.versioning import snapshot
from kaimen.org import scope
from kaimen.org.scope import Perm
from kaimen.targets.models import (
    Actual,
)

INDICATOR_FIELDS = [
    "code",
    "name",
    "aliases",
    "measure_unit",
    "kind",
    "frequency",
    "merged_jan_feb",
    "owner_unit",
    "higher_is_better",
    "price_basis",
    "light_basis",
    "expectation",
    "green_within_pts",
    "yellow_within_pts",
    "growth_only",
    "decimals",
    "description",
    "sort_order",
    "is_key",
    "is_active",
]
TARGET_FIELDS = ["indicator", "unit", "year", "tier", "value", "growth_pct", "method", "parent"]
FIGURE_FIELDS = ["indicator", "unit", "year", "end_month", "provenance", "version", "value"]
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_ABS_VALUE = Decimal(10) ** 15
VALUE_PLACES = Decimal("0.0001")
RATE_PLACES = Decimal("0.01")


def _require(actor, perm: Perm, obj=None, *, system: bool = False) -> None:
    if system and actor is None:
        return
    scope.require(actor, perm, obj)


def _actor_name(actor, system: bool, command: str) -> str | None:
    return command if system and actor is None else None


def figure_snapshot(actual: Actual) -> dict:
    data = snapshot(actual, FIGURE_FIELDS)
    data["growth_pct"] = actual.growth_pct
    data["period"] = actual.period.label
    return data


# ---------------------------------------------------------------------------------------------
# Numbers typed into forms and APIs


def _number(raw: object, *, field: str) -> Decimal | None:
    value = raw if raw is None or isinstance(raw, Decimal) else parse_decimal(raw, field=field)
    if value is not None and not value.is_finite():
        raise ValidationError(_("Enter an ordinary number."), field=field)
    return value


def check_amount(raw: object, *, field: str = "value", negative_ok: bool = False) -> Decimal | None:
    """A figure for the database: finite, below 10^15, at most four decimals."""
    value = _number(raw, field=field)
    if value is None:
        return None
    if abs(value) >= MAX_ABS_VALUE:
        raise ValidationError(
            _("%(value)s is too large: check the number and the unit of measure.")
            % {"value": value},
            field=field,
        )
    if value < 0 and not negative_ok:
        raise ValidationError(
            _("%(value)s is negative: cumulative amounts and counts are never below zero.")
            % {"value": value},
            field=field,
        )
    try:
        if value != value.quantize(VALUE_PLACES):
            raise ValidationError(
                _("%(value)s has more than four decimals; round it as the bureau publishes it.")
                % {"value": value},
                field=field,
            )
        return value.quantize(VALUE_PLACES)
    except InvalidOperation as exc:
        raise ValidationError(_("Enter an ordinary number."), field=field) from exc


def check_rate(raw: object, *, field: str = "growth_pct") -> Decimal | None:
    """A growth rate in percentage points, as published: above −100, at most two decimals."""
    if isinstance(raw, str):
        raw = raw.strip().rstrip("%％").strip()
    value = _number(raw, field=field)
    if value is None:
        return None
    if not Decimal(-100) < value <= Decimal(100000):
        raise ValidationError(
            _("A growth rate of %(value)s%% is impossible: it must be above −100%%.")
            % {"value": value},
            field=field,
        )
    if value != value.quantize(RATE_PLACES, ROUND_HALF_UP):
        raise ValidationError(
            _("Growth rates have at most two decimals (the bureau publishes one)."), field=field
        )
    return value.quantize(RATE_PLACES)


def check_year(year: int) -> int:
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        raise ValidationError(_("Choose a year between 2000 and 2100."), field="year")
    return int(year)
