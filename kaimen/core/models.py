"""The office-maintained part of the official working-day calendar.

The State Council's General Office publishes next year's holidays and 调休 workdays each
November; until the ``chinese_calendar`` package carries them, the campaign office enters them
here. :mod:`kaimen.lib.official_calendar` feeds both tables to :mod:`kaimen.lib.workdays`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkdayOverride(models.Model):
    """One day whose status differs from the package (or from Monday–Friday in a year the office
    has entered completely): a holiday on a weekday, or a 调休 Saturday or Sunday that is worked."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'上班' if self.is_workday else '放假'}"


class CalendarYear(models.Model):
    """A year whose whole schedule the office has entered in :class:`WorkdayOverride`.

    For such a year the package is not consulted: every day not overridden follows the weekday
    rule. A year that is neither here nor in the package has no calendar, and anything counting
    working days in it fails loudly (CalendarYearMissing) instead of guessing.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField()

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year entered")
        verbose_name_plural = _("calendar years entered")

    def __str__(self) -> str:
        return str(self.year)
