"""The ranking's notification (kaimen.evaluation.notices). Moved from the notification tests with
the wording."""

from __future__ import annotations

import pytest

from kaimen.evaluation import notices
from kaimen.notifications.models import Delivery, DeliveryState, Notification

pytestmark = pytest.mark.django_db


def test_a_published_ranking_tells_leaders_the_office_and_the_ranked_units(cast):
    result = notices.ranking_published(
        title="2025年3月工作竞赛排名已发布",
        summary="红榜：东城街道；黑榜：西城街道。",
        link="/evaluation/",
        unit_ids=[cast.town_a.pk, cast.town_b.pk],
        dedupe_key="ranking:7",
    )
    assert result.notifications == 4
    told = Notification.objects.filter(event="ranking_published")
    assert set(told.values_list("recipient__username", flat=True)) == {
        "leader",
        "office",
        "liaison_a",
        "liaison_b",
    }


def test_no_delivery_is_left_pending_by_an_event_without_channels(cast):
    notices.ranking_published(title="排名", summary="", link="/evaluation/")
    assert not Delivery.objects.exclude(status=DeliveryState.DELIVERED).exists()
