"""Changes to the office-maintained working-day calendar (each: permission, validation, one
transaction, one audit event)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from kaimen.audit.services import record
from kaimen.core.models import CalendarYear, WorkdayOverride
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.org import scope
from kaimen.org.scope import Perm


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2099:
        raise ValidationError(f"{year} 年不在可录入的范围(2000–2099)内。", field="year")


def workday_override_set(*, actor, day: date, is_workday: bool, note: str = "") -> WorkdayOverride:
    """Record that ``day`` is worked (a 调休 weekend day) or off (a holiday on a weekday)."""
    scope.require(actor, Perm.MANAGE_CALENDAR)
    _check_year(day.year)
    note = (note or "").strip()[:100]
    with transaction.atomic():
        existing = WorkdayOverride.objects.select_for_update().filter(date=day).first()
        before = {"is_workday": existing.is_workday, "note": existing.note} if existing else None
        override, _created = WorkdayOverride.objects.update_or_create(
            date=day,
            defaults={
                "is_workday": is_workday,
                "note": note,
                "updated_by": actor,
                "updated_at": clock.now(),
            },
        )
        record(
            actor=actor,
            action="calendar.override_set",
            obj=override,
            before=before,
            after={"date": day.isoformat(), "is_workday": is_workday, "note": note},
        )
    return override


def workday_override_remove(*, actor, override: WorkdayOverride) -> None:
    scope.require(actor, Perm.MANAGE_CALENDAR)
    with transaction.atomic():
        before = {"date": override.date.isoformat(), "is_workday": override.is_workday}
        record(actor=actor, action="calendar.override_remove", obj=override, before=before)
        WorkdayOverride.objects.filter(pk=override.pk).delete()


def calendar_year_mark(*, actor, year: int, complete: bool, note: str = "") -> CalendarYear | None:
    """Mark ``year`` as entered completely (its holidays and 调休 days are all in the override
    table), or take the mark back. Only a marked year counts where the package has no data."""
    scope.require(actor, Perm.MANAGE_CALENDAR)
    _check_year(year)
    with transaction.atomic():
        existing = CalendarYear.objects.filter(year=year).first()
        if complete:
            entry, _created = CalendarYear.objects.update_or_create(
                year=year,
                defaults={
                    "note": (note or "").strip()[:200],
                    "marked_by": actor,
                    "marked_at": clock.now(),
                },
            )
        else:
            entry = None
            CalendarYear.objects.filter(year=year).delete()
        record(
            actor=actor,
            action="calendar.year_mark",
            obj=entry,
            before={"year": year, "complete": existing is not None},
            after={"year": year, "complete": complete},
        )
    return entry
