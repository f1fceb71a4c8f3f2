"""What the evaluation services share: input cleaning, periods, the units a scheme scores."""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta

from kaimen.evaluation.models import PeriodKind, ScoringScheme
from kaimen.lib.errors import ValidationError
from kaimen.org.models import Unit, UnitKind

MAX_TEXT = 2000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
PEER_GROUP_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.TASK_FORCE)


def clean_text(value: str, *, field: str, max_len: int = MAX_TEXT, required: bool = True) -> str:
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value or "")).strip()
    if required and not text:
        raise ValidationError("请填写内容。", field=field)
    if len(text) > max_len:
        raise ValidationError(f"最多{max_len}个字，现有{len(text)}个字，请精简。", field=field)
    return text


@dataclass(frozen=True)
class PeriodSpan:
    kind: str
    start: date
    end: date
    label: str


def period_span(kind: str, day: date) -> PeriodSpan:
    """The week (Monday to Sunday, ISO numbering) or calendar month that contains ``day``."""
    if kind == PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        iso = start.isocalendar()
        return PeriodSpan(kind, start, start + timedelta(days=6), f"{iso.year}年第{iso.week}周")
    if kind == PeriodKind.MONTH:
        start = day.replace(day=1)
        end = day.replace(day=monthrange(day.year, day.month)[1])
        return PeriodSpan(kind, start, end, f"{day.year}年{day.month}月")
    raise ValidationError(f"考核周期“{kind}”无效，可选：week（周）、month（月）。", field="period")


def last_complete_period_day(kind: str, today: date) -> date:
    """A day of the last period that has ended: last week, or last month."""
    if kind == PeriodKind.WEEK:
        return today - timedelta(days=7)
    if kind == PeriodKind.MONTH:
        return today.replace(day=1) - timedelta(days=1)
    raise ValidationError(f"考核周期“{kind}”无效，可选：week（周）、month（月）。", field="period")


def scored_units(scheme: ScoringScheme) -> list[Unit]:
    """The active units of the scheme's peer groups, less those it leaves out."""
    kinds = [k for k in scheme.peer_groups if k in PEER_GROUP_KINDS]
    return list(
        Unit.objects.filter(is_active=True, kind__in=kinds)
        .exclude(pk__in=list(scheme.excluded_unit_ids or []))
        .order_by("kind", "sort_order", "name")
    )
