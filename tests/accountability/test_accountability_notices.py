"""The notification of a confirmed accountability step (kaimen.accountability.notices). Moved from
the notification tests with the wording."""

from __future__ import annotations

import pytest

from kaimen.accountability import notices
from kaimen.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_confirmed_accountability_step_tells_the_unit_and_the_leaders(cast):
    notices.accountability_step_confirmed(
        unit=cast.town_b,
        step="督办",
        reason="社零额连续3期红灯。",
        link="/accountability/",
        dedupe_key="accountability:3",
    )
    told = Notification.objects.filter(event="accountability_confirmed")
    assert set(told.values_list("recipient__username", flat=True)) == {"leader", "liaison_b"}
    assert told.first().title == "西城街道：督办已确认"
