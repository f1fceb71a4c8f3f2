"""Every change to campaigns: permission through ``org.scope``, validation, one transaction, one
audit event."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign
from kaimen.lib import clock
from kaimen.lib.errors import StaleVersion, ValidationError
from kaimen.lib.text import clean_name
from kaimen.lib.versioning import snapshot
from kaimen.org import scope
from kaimen.org.scope import Perm

CAMPAIGN_FIELDS = ["name", "year", "start", "end", "spring_festival_exempt"]
# What an update may change here (name and dates are set when the campaign is created).
CAMPAIGN_SETTINGS = {"spring_festival_exempt"}


def campaign_create(
    *, actor, name: str, start: date, end: date, spring_festival_exempt: bool = True
) -> Campaign:
    """A new campaign, set up by the office."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    with transaction.atomic():
        campaign = campaign_insert(actor=actor, name=name, start=start, end=end)
        if not spring_festival_exempt:
            campaign.spring_festival_exempt = False
            campaign.save(update_fields=["spring_festival_exempt"])
        record(
            actor=actor,
            action="ledger.campaign.create",
            obj=campaign,
            after=snapshot(campaign, CAMPAIGN_FIELDS),
        )
    return campaign


def campaign_update(*, actor, campaign: Campaign, expected_version: int, **changes) -> Campaign:
    """Change a campaign's settings (the Spring Festival rule), by the office: one transaction,
    one audit event with before and after."""
    scope.require(actor, Perm.LEDGER_MANAGE)
    unknown = set(changes) - CAMPAIGN_SETTINGS
    if unknown:
        raise ValidationError(
            f"战役的“{'、'.join(sorted(unknown))}”不能在这里修改，只能修改春节错月设置。"
        )
    with transaction.atomic():
        current = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if current.version != expected_version:
            raise StaleVersion()
        before = snapshot(current, CAMPAIGN_FIELDS)
        for name, value in changes.items():
            setattr(current, name, bool(value))
        current.version += 1
        current.save(update_fields=[*changes, "version"])
        record(
            actor=actor,
            action="ledger.campaign.update",
            obj=current,
            before=before,
            after=snapshot(current, CAMPAIGN_FIELDS),
        )
    return current


def campaign_insert(
    *,
    actor,
    name: str,
    start: date,
    end: date,
    name_field: str = "name",
    end_field: str = "end",
    taken_hint: str = "请换一个名称",
) -> Campaign:
    """Check and insert one campaign row, without permission check or audit event: for a
    service that has checked its own permission and records its own event in its own
    transaction (the ledger publishing a draft into a new campaign). ``name_field`` and
    ``end_field`` name the form fields an error points at."""
    name = clean_name(name, 60, field=name_field)
    if end < start:
        raise ValidationError("结束日期不能早于开始日期。", field=end_field)
    if Campaign.objects.filter(name=name).exists():
        raise ValidationError(f"已有名为“{name}”的战役,{taken_hint}。", field=name_field)
    return Campaign.objects.create(
        name=name,
        year=start.year,
        start=start,
        end=end,
        created_by=actor,
        created_at=clock.now(),
    )
