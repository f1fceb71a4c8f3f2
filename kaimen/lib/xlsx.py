"""Writing spreadsheets people will open in Excel, safely.

A text cell that starts with = + - @ TAB or NUL would run as a formula in Excel (CSV/formula
injection, ASVS 5.0 V1.2.10): such text is stored as a plain string cell, while real numbers
stay numbers so the users can still add them up.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\x00", "\r")


def cell(ws: WriteOnlyWorksheet, value: Any, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime) and value.tzinfo is not None:
        from django.utils import timezone

        value = timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, Decimal | int | float | date) or value is None:
        c = WriteOnlyCell(ws, value=value)
    else:
        text = str(value)
        c = WriteOnlyCell(ws, value=text)
        if text.startswith(_FORMULA_STARTS):
            c.data_type = "s"
    if bold:
        c.font = Font(bold=True)
    c.alignment = Alignment(wrap_text=True, vertical="top")
    return c


def row(ws: WriteOnlyWorksheet, values: list[Any], *, bold: bool = False) -> list[WriteOnlyCell]:
    return [cell(ws, v, bold=bold) for v in values]
