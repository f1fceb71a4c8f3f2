"""Campaigns: created by the office only, with one audit event; read through the selectors every
app above uses."""

from __future__ import annotations

from datetime import date

import pytest

from kaimen.audit.models import AuditEvent
from kaimen.campaigns import selectors, services
from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.lib.errors import NotFound, PermissionDenied, ValidationError

pytestmark = pytest.mark.django_db


def _create(cast, name="2026年二季度攻坚", start=date(2026, 4, 1), end=date(2026, 6, 30)):
    return services.campaign_create(actor=cast.office, name=name, start=start, end=end)


def test_the_office_creates_a_campaign_with_one_audit_event(cast):
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    campaign = _create(cast)
    assert (campaign.year, campaign.status, campaign.created_by) == (
        2026,
        CampaignStatus.ACTIVE,
        cast.office,
    )
    events = list(AuditEvent.objects.filter(id__gt=mark))
    assert [(e.action, e.object_type, e.outcome) for e in events] == [
        ("ledger.campaign.create", "campaigns.campaign", "success")
    ]
    # The table is still the one the ledger created.
    assert Campaign._meta.db_table == "ledger_campaign"


@pytest.mark.parametrize("role", ["leader", "liaison_a", "member_a", "auditor"])
def test_only_the_office_creates_campaigns(cast, role):
    with pytest.raises(PermissionDenied):
        services.campaign_create(
            actor=cast.role(role), name="x", start=date(2026, 1, 1), end=date(2026, 2, 1)
        )
    assert not Campaign.objects.exists()


def test_a_duplicate_name_or_an_end_before_the_start_is_refused(cast):
    _create(cast)
    with pytest.raises(ValidationError, match="已有名为") as duplicate:
        _create(cast)
    assert duplicate.value.field == "name"
    with pytest.raises(ValidationError, match="结束日期") as backwards:
        _create(cast, name="另一个", start=date(2026, 6, 1), end=date(2026, 5, 1))
    assert backwards.value.field == "end"
    assert Campaign.objects.count() == 1


def test_selectors(cast):
    old = _create(cast, name="一季度", start=date(2025, 1, 1), end=date(2025, 3, 31))
    new = _create(cast, name="二季度", start=date(2025, 4, 1), end=date(2025, 6, 30))
    closed = _create(cast, name="下半年", start=date(2025, 7, 1), end=date(2025, 12, 31))
    Campaign.objects.filter(pk=closed.pk).update(status=CampaignStatus.CLOSED)
    assert list(selectors.campaign_list()) == [closed, new, old]
    assert selectors.campaign_get(campaign_id=new.pk) == new
    with pytest.raises(NotFound):
        selectors.campaign_get(campaign_id=closed.pk + 100)
    assert list(selectors.active_campaigns()) == [old, new]
    assert selectors.running_on(date(2025, 5, 1)) == new
    assert selectors.running_on(date(2025, 8, 1)) is None
    assert selectors.default_campaign() == new
