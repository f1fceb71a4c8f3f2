"""The one clock of the application.

Session timeouts, password ages, lockouts and SLA clocks all read the time here, so a test can
move it forward (``monkeypatch.setattr(clock, "now", ...)``) instead of sleeping.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate(now())
