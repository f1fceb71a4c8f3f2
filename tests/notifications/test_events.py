"""The event registry (kaimen.lib.contracts.events): an event an app registers — here a throwaway
one registered by the test — is checked, labelled, offered to the channels and sent like the
built-in ones, with no change to ``kaimen.notifications`` and no migration."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from kaimen.lib.contracts import events
from kaimen.lib.errors import ValidationError
from kaimen.notifications import notify
from kaimen.notifications.forms import ChannelForm, DeliveryFilterForm
from kaimen.notifications.models import ChannelKind, Delivery, Notification
from kaimen.org.models import Role
from tests.notifications import notify_helpers
from tests.notifications.notify_helpers import add_channel, dingtalk_url

robot = notify_helpers.robot
_fast_webhooks = notify_helpers._fast_webhooks

PING = events.EventType("plugin.ping", "插件提醒", app="plugin", order=70)


@pytest.fixture
def ping() -> Iterator[events.EventType]:
    events.register(PING)
    yield PING
    events.unregister(PING.code)


def test_the_apps_register_their_events_in_the_forms_order():
    assert [e.code for e in events.subscribable()] == notify_helpers.ALL_EVENTS
    assert {e.code: e.app for e in events.all_types()} == {
        "briefing_built": "briefings",
        "briefing_issued": "briefings",
        "red_light": "targets",
        "ranking_published": "evaluation",
        "accountability_confirmed": "accountability",
        "supervision_issued": "ledger",
        "instruction_given": "ledger",
        "channel_test": "notifications",
    }
    assert not events.get("channel_test").subscribable


def test_a_code_is_registered_once():
    events.register(events.get("red_light"))  # the same type again: nothing happens
    with pytest.raises(ValueError, match="already registered"):
        events.register(events.EventType("red_light", "别的红灯", app="plugin"))
    with pytest.raises(ValueError, match="invalid"):
        events.register(events.EventType("Bad Code", "x", app="plugin"))
    with pytest.raises(ValueError, match="invalid"):
        events.register(events.EventType("x" * 31, "x", app="plugin"))


@pytest.mark.django_db
def test_an_event_nobody_registered_is_refused(cast):
    with pytest.raises(ValidationError, match="未知的通知事件"):
        notify.notify(PING.code, title="x", users=[cast.office])
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_throwaway_event_is_subscribed_and_sent_without_editing_notifications(
    cast, ping, robot, login, django_capture_on_commit_callbacks
):
    assert (ping.code, "插件提醒") in ChannelForm().fields["events"].choices
    assert (ping.code, "插件提醒") in DeliveryFilterForm().fields["event"].choices
    channel = add_channel(
        cast.office, ChannelKind.DINGTALK, dingtalk_url(robot), events=[ping.code]
    )
    assert channel.events == [ping.code]
    assert channel.event_labels == ["插件提醒"]
    with django_capture_on_commit_callbacks(execute=True):
        result = notify.notify(
            ping.code, title="插件消息", link="/", roles=[Role.OFFICE], dedupe_key="ping:1"
        )
    assert result.notifications == 1
    (message,) = Notification.objects.filter(event=ping.code)
    assert (message.recipient, message.event_label) == (cast.office, "插件提醒")
    delivery = Delivery.objects.get(pk=result.deliveries[0])
    assert (delivery.channel, delivery.event, delivery.status) == (channel, ping.code, "delivered")
    assert len(robot.requests) == 1
    client = login(cast.office)
    assert "插件提醒" in client.get(reverse("notifications:inbox")).content.decode()
    assert "插件提醒" in client.get(reverse("notifications:channel_list")).content.decode()


@pytest.mark.django_db
def test_a_stored_event_whose_app_is_gone_shows_its_code(cast):
    events.register(PING)
    try:
        notify.notify(PING.code, title="旧消息", users=[cast.office])
    finally:
        events.unregister(PING.code)
    (message,) = Notification.objects.all()
    assert message.event_label == "plugin.ping"
