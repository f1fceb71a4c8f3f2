"""The demo district's accountability record: real proposals from the demo ledger and targets,
one confirmed and one dismissed with reasons, an explanation, and nothing new on a second run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from kaimen.accountability.models import Explanation, Proposal, RuleSettings, Status
from kaimen.accountability.selectors import recent_confirmed
from kaimen.audit.services import verify
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def test_the_demo_loads_a_record_with_decisions_and_is_idempotent():
    out = StringIO()
    call_command("demo", stdout=out)
    assert "Accountability:" in out.getvalue()
    campaign = Campaign.objects.get(name=CAMPAIGN)
    assert RuleSettings.objects.get(campaign=campaign).red_periods == 2
    proposals = Proposal.objects.filter(campaign=campaign)
    by_status = {s: proposals.filter(status=s) for s in Status.values}
    (confirmed,) = by_status[Status.CONFIRMED]
    (dismissed,) = by_status[Status.DISMISSED]
    assert (confirmed.unit.name, confirmed.step, confirmed.rule) == (
        "区商务局",
        "interview",
        "overdue_past_order",
    )
    assert confirmed.decision_reason
    assert dismissed.decision_reason
    # The demo's red lights are all of 2025's 1-2月 and 一季度, which the Spring Festival note
    # marks as "不宜据此亮灯问责" (the festival moved month): the demo campaign keeps the default
    # exemption, so they feed no proposal
    assert campaign.spring_festival_exempt
    assert not by_status[Status.PROPOSED].filter(rule="red_streak").exists()
    assert Explanation.objects.filter(proposal=confirmed).exists()
    assert recent_confirmed(campaign)[0].step == "约谈"
    before = list(Proposal.objects.order_by("pk").values())
    again = StringIO()
    call_command("demo", stdout=again)
    assert "Accountability: already there, unchanged." in again.getvalue()
    assert list(Proposal.objects.order_by("pk").values()) == before
    assert verify().ok
