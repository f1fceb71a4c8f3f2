"""The demo campaign "2025年一季度开门红": its name and span. The ledger's demo publishes the
reference speech into it; the rankings', accountability's and briefings' demos find it by name."""

from __future__ import annotations

from datetime import date

from kaimen.campaigns.models import Campaign

CAMPAIGN = "2025年一季度开门红"
START, END = date(2025, 2, 5), date(2025, 3, 31)


def demo_campaign() -> Campaign | None:
    """The demo campaign, or None before the demo is loaded."""
    return Campaign.objects.filter(name=CAMPAIGN).first()
