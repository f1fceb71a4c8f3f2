"""The demo campaign "<year>年一季度开门红": its name and span, in the story's year
(``kaimen.lib.demo_calendar``). The ledger's demo publishes the reference speech into it; the
rankings', accountability's and briefings' demos find it by name."""

from __future__ import annotations

from kaimen.campaigns.models import Campaign
from kaimen.lib import demo_calendar

YEAR = demo_calendar.story_year()
CAMPAIGN = f"{YEAR}年一季度开门红"
START, END = demo_calendar.day(2, 5), demo_calendar.day(3, 31)


def demo_campaign() -> Campaign | None:
    """The demo campaign, or None before the demo is loaded."""
    return Campaign.objects.filter(name=CAMPAIGN).first()
