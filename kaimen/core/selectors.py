"""Reads of core's own tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from kaimen.core.models import CalendarYear, WorkdayOverride


def calendar_overrides() -> tuple[Mapping[date, bool], frozenset[int]]:
    """The office's working-day overrides and the years it has marked complete."""
    overrides = dict(WorkdayOverride.objects.values_list("date", "is_workday"))
    years = frozenset(CalendarYear.objects.values_list("year", flat=True))
    return overrides, years
