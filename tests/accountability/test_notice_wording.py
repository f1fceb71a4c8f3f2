"""A confirmed step is told to the unit with the matter as people name it, never an internal
subject code such as "task:5"."""

from __future__ import annotations

import re
from datetime import date

import pytest

from kaimen.accountability import services
from kaimen.notifications.models import Notification
from tests.accountability import helpers as h

pytestmark = pytest.mark.django_db


def test_the_confirmation_notice_names_the_matter_not_its_code(cast, clock):
    h.overdue_tasks(cast, clock, [cast.town_a, cast.town_a], deadline=date(2025, 6, 30))
    h.run(clock, date(2025, 3, 11))
    h.set_day(clock, date(2025, 3, 12))
    proposal = next(p for p in h.open_proposals() if p.unit_id == cast.town_a.pk)
    services.proposal_confirm(actor=cast.office, proposal=proposal, reason="属实")
    texts = [
        f"{n.title} {n.body}" for n in Notification.objects.filter(event="accountability_confirmed")
    ]
    assert texts
    for text in texts:
        assert not re.search(r"\b(task|indicator):", text), text
        assert proposal.matter in text
        assert "属实" in text
