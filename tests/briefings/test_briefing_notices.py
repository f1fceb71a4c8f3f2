"""The briefing's notification (kaimen.briefings.notices): leaders and the office are told of a
built briefing, and a failure to write the messages never loses the briefing. Moved from the
notification tests with the wording."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from kaimen.briefings import notices, services
from kaimen.briefings.models import Briefing
from kaimen.notifications.models import Notification

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


# ---------------------------------------------------------------------------------------------
# Events: the briefing


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_built_briefing_tells_leaders_and_the_office_with_the_summary_and_the_link(
    cast, media, clock
):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    briefing = services.briefing_build(actor=cast.office, year=2025)
    told = Notification.objects.filter(event="briefing_built")
    assert set(told.values_list("recipient__username", flat=True)) == {"leader", "office"}
    n = told.first()
    assert n.title == f"调度通报{briefing.label}已生成"
    assert "红灯0项" in n.body
    assert n.link == "/briefings/"
    assert n.dedupe_key == f"briefing:{briefing.pk}"
    assert not Notification.objects.filter(recipient__in=[cast.liaison_a, cast.auditor]).exists()


def test_a_failure_to_write_the_messages_never_loses_the_briefing(cast, media, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup in the notifications")

    monkeypatch.setattr(notices, "notify", broken)
    briefing = services.briefing_build(actor=cast.office, year=2025)
    assert Briefing.objects.filter(pk=briefing.pk).exists()
    assert services.path_of(briefing.docx_name).exists()
    assert not Notification.objects.exists()


def test_an_issued_briefing_tells_leaders_and_the_office_its_number(cast, media, clock):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    draft = services.briefing_build(actor=cast.office, year=2025)
    assert not Notification.objects.filter(event="briefing_issued").exists()
    issued = services.briefing_issue(actor=cast.office, briefing_id=draft.pk)
    told = Notification.objects.filter(event="briefing_issued")
    assert set(told.values_list("recipient__username", flat=True)) == {"leader", "office"}
    assert told.first().title == "调度通报2025年第1期已签发"
    assert told.first().dedupe_key == f"briefing:{issued.pk}:issued"
