"""The notification service other modules call: who receives a message, the inbox rows written
in the caller's transaction, idempotence. The events the apps send are tested with their apps
(tests/briefings, targets, evaluation, accountability, ledger); ``test_events`` shows an event
registered by a test is sent and subscribed to like theirs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from kaimen.lib.errors import ValidationError
from kaimen.notifications import notify
from kaimen.notifications.models import ChannelKind, Delivery, Notification
from kaimen.org.models import Membership, Role, Unit, UnitKind
from tests.conftest import make_user
from tests.notifications import notify_helpers
from tests.notifications.notify_helpers import add_channel, dingtalk_url

pytestmark = pytest.mark.django_db
robot = notify_helpers.robot
_fast_webhooks = notify_helpers._fast_webhooks
SHANGHAI = ZoneInfo("Asia/Shanghai")


def usernames(qs) -> set[str]:
    return set(qs.values_list("username", flat=True))


def inbox_of(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("pk"))


# ---------------------------------------------------------------------------------------------
# Recipients


def test_units_resolve_to_their_active_liaisons_only(cast):
    departed = make_user("liaison_departed", (cast.town_a, Role.LIAISON))
    Membership.objects.filter(user=departed).update(is_active=False)
    inactive = make_user("liaison_inactive", (cast.town_a, Role.LIAISON))
    inactive.is_active = False
    inactive.save()
    closed = Unit.objects.create(
        name="撤并街道", kind=UnitKind.TOWN, parent=cast.top, is_active=False
    )
    make_user("liaison_closed", (closed, Role.LIAISON))
    got = notify.resolve_recipients(units=[cast.town_a, closed.pk])
    # members read their unit's records but the liaison is the one who answers for it
    assert usernames(got) == {"liaison_a"}


def test_roles_resolve_to_everyone_holding_them(cast):
    second_leader = make_user("leader_2", (cast.top, Role.LEADER))
    got = notify.resolve_recipients(roles=[Role.LEADER, Role.OFFICE])
    assert usernames(got) == {"leader", "office", second_leader.username}


def test_users_units_and_roles_are_merged_without_duplicates(cast):
    got = notify.resolve_recipients(
        users=[cast.liaison_a, cast.member_a.pk], units=[cast.town_a], roles=[Role.OFFICE]
    )
    names = list(got.values_list("username", flat=True))
    assert sorted(names) == ["liaison_a", "member_a", "office"]  # once each
    assert notify.resolve_recipients().count() == 0


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SYSADMIN, Role.SECADMIN])
def test_administrators_are_never_addressed_by_role(cast, role):
    with pytest.raises(ValidationError, match="三员分立"):
        notify.resolve_recipients(roles=[role])


def test_an_unknown_role_or_event_is_refused(cast):
    with pytest.raises(ValidationError, match="未知的角色"):
        notify.resolve_recipients(roles=["boss"])
    with pytest.raises(ValidationError, match="未知的通知事件"):
        notify.notify("something", title="x", users=[cast.office])


# ---------------------------------------------------------------------------------------------
# The inbox rows


def test_notify_writes_one_inbox_message_per_recipient(cast, clock):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    result = notify.notify(
        "red_light",
        title="  红灯待说明：东城街道社零额  ",
        body="请填写说明。",
        link="/targets/monitoring/?year=2025",
        units=[cast.town_a],
        roles=[Role.LEADER],
    )
    assert result.notifications == 2
    assert result.deliveries == ()
    (mine,) = inbox_of(cast.liaison_a)
    assert mine.title == "红灯待说明：东城街道社零额"
    assert mine.event == "red_light"
    assert mine.link == "/targets/monitoring/?year=2025"
    assert mine.created_at == clock.current
    assert mine.read_at is None
    assert len(inbox_of(cast.leader)) == 1
    assert inbox_of(cast.liaison_b) == []


def test_the_inbox_rows_roll_back_with_the_callers_transaction(
    cast, robot, django_capture_on_commit_callbacks
):
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))

    def caller() -> None:
        with transaction.atomic():
            notify.notify("briefing_built", title="调度通报", roles=[Role.LEADER])
            assert Notification.objects.count() == 1
            assert Delivery.objects.count() == 1
            raise RuntimeError("the caller failed after notifying")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        caller()
    assert Notification.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert robot.requests == []  # nothing was sent for a change that never happened


def test_a_dedupe_key_tells_each_person_and_channel_once(
    cast, robot, django_capture_on_commit_callbacks
):
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    kwargs = {"title": "红灯待说明", "units": [cast.town_a], "dedupe_key": "red:1:2:2025-3"}
    with django_capture_on_commit_callbacks(execute=True):
        first = notify.notify("red_light", **kwargs)
        again = notify.notify("red_light", **kwargs)
    assert (first.notifications, len(first.deliveries)) == (1, 1)
    assert (again.notifications, again.deliveries) == (0, ())
    new_liaison = make_user("liaison_a2", (cast.town_a, Role.LIAISON))
    later = notify.notify("red_light", **kwargs)
    assert later.notifications == 1  # someone who joined since is told, once
    assert len(inbox_of(new_liaison)) == 1
    assert Notification.objects.filter(recipient=cast.liaison_a).count() == 1
    assert len(robot.requests) == 1


def test_only_enabled_channels_subscribed_to_the_event_get_a_delivery(cast, robot):
    subscribed = add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot), events=["red_light"])
    off = add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    off.enabled = False
    off.save()
    result = notify.notify("briefing_built", title="调度通报", roles=[Role.OFFICE])
    assert [Delivery.objects.get(pk=pk).channel_id for pk in result.deliveries] == [subscribed.pk]
    inbox_only = notify.notify(
        "briefing_built", title="仅站内", roles=[Role.OFFICE], external=False
    )
    assert inbox_only.deliveries == ()


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example.com/",
        "//evil.example.com/x",
        "javascript:alert(1)",
        "targets/",
        "/\\evil",
    ],
)
def test_a_link_must_stay_inside_kaimen(cast, link):
    with pytest.raises(ValidationError, match="平台内的路径"):
        notify.notify("briefing_built", title="x", link=link, roles=[Role.OFFICE])
    assert not Notification.objects.exists()


def test_a_title_is_required_and_control_characters_are_removed(cast):
    with pytest.raises(ValidationError, match="标题"):
        notify.notify("briefing_built", title=" \u200b ", roles=[Role.OFFICE])
    notify.notify(
        "briefing_built",
        title="通报\x07第1期",
        body="正文\u202e",
        users=[cast.office],
    )
    (n,) = inbox_of(cast.office)
    assert (n.title, n.body) == ("通报第1期", "正文")
