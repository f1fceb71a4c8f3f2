"""Reads of campaigns. Campaigns are not scoped by unit: every page that shows one asks its own
permission first (the ledger, rankings, accountability, briefings) and then reads here."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import QuerySet

from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.lib.errors import NotFound


def campaign_list() -> QuerySet[Campaign]:
    """Every campaign, the newest first."""
    return Campaign.objects.order_by("-year", "-start", "name")


def campaign_get(*, campaign_id: int) -> Campaign:
    """One campaign, or NotFound."""
    try:
        return Campaign.objects.get(pk=campaign_id)
    except Campaign.DoesNotExist as exc:
        raise NotFound() from exc


def active_campaigns() -> QuerySet[Campaign]:
    """The running campaigns, the earliest first."""
    return Campaign.objects.filter(status=CampaignStatus.ACTIVE).order_by("start", "pk")


def running_on(day: date) -> Campaign | None:
    """The running campaign whose span holds ``day`` (the latest started), or None."""
    return (
        Campaign.objects.filter(status=CampaignStatus.ACTIVE, start__lte=day, end__gte=day)
        .order_by("-start", "-pk")
        .first()
    )


def default_campaign() -> Campaign | None:
    """The campaign pages open on: the newest running one, else the newest."""
    return Campaign.objects.order_by(
        models.Case(
            models.When(status=CampaignStatus.ACTIVE, then=0),
            default=1,
            output_field=models.IntegerField(),
        ),
        "-start",
        "-pk",
    ).first()
