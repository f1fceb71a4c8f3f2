"""The notification service other modules call: who receives a message, the inbox rows written
in the caller's transaction, idempotence, and the events wired now (briefing built, red light
awaiting its explanation, ranking published, accountability step confirmed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from kaimen.briefings import notify, notify_events, notify_tasks, services
from kaimen.briefings.models import (
    Briefing,
    ChannelKind,
    Delivery,
    DeliveryState,
    Notification,
    NotificationEvent,
)
from kaimen.lib.errors import ValidationError
from kaimen.org.models import Membership, Role, Unit, UnitKind
from kaimen.targets import services as target_services
from tests.briefings import notify_helpers
from tests.briefings.notify_helpers import add_channel, dingtalk_url
from tests.conftest import make_user
from tests.targets.conftest import add_indicator, put_figures

pytestmark = pytest.mark.django_db
robot = notify_helpers.robot
_fast_webhooks = notify_helpers._fast_webhooks
SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


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
        NotificationEvent.RED_LIGHT,
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
    assert mine.event == NotificationEvent.RED_LIGHT
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
            notify.notify(NotificationEvent.BRIEFING_BUILT, title="调度通报", roles=[Role.LEADER])
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
        first = notify.notify(NotificationEvent.RED_LIGHT, **kwargs)
        again = notify.notify(NotificationEvent.RED_LIGHT, **kwargs)
    assert (first.notifications, len(first.deliveries)) == (1, 1)
    assert (again.notifications, again.deliveries) == (0, ())
    new_liaison = make_user("liaison_a2", (cast.town_a, Role.LIAISON))
    later = notify.notify(NotificationEvent.RED_LIGHT, **kwargs)
    assert later.notifications == 1  # someone who joined since is told, once
    assert len(inbox_of(new_liaison)) == 1
    assert Notification.objects.filter(recipient=cast.liaison_a).count() == 1
    assert len(robot.requests) == 1


def test_only_enabled_channels_subscribed_to_the_event_get_a_delivery(cast, robot):
    subscribed = add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    add_channel(
        cast.office, ChannelKind.DINGTALK, dingtalk_url(robot), events=[NotificationEvent.RED_LIGHT]
    )
    off = add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    off.enabled = False
    off.save()
    result = notify.notify(NotificationEvent.BRIEFING_BUILT, title="调度通报", roles=[Role.OFFICE])
    assert [Delivery.objects.get(pk=pk).channel_id for pk in result.deliveries] == [subscribed.pk]
    inbox_only = notify.notify(
        NotificationEvent.BRIEFING_BUILT, title="仅站内", roles=[Role.OFFICE], external=False
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
        notify.notify(NotificationEvent.BRIEFING_BUILT, title="x", link=link, roles=[Role.OFFICE])
    assert not Notification.objects.exists()


def test_a_title_is_required_and_control_characters_are_removed(cast):
    with pytest.raises(ValidationError, match="标题"):
        notify.notify(NotificationEvent.BRIEFING_BUILT, title=" \u200b ", roles=[Role.OFFICE])
    notify.notify(
        NotificationEvent.BRIEFING_BUILT,
        title="通报\x07第1期",
        body="正文\u202e",
        users=[cast.office],
    )
    (n,) = inbox_of(cast.office)
    assert (n.title, n.body) == ("通报第1期", "正文")


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
    told = Notification.objects.filter(event=NotificationEvent.BRIEFING_BUILT)
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

    monkeypatch.setattr(notify_events, "notify", broken)
    briefing = services.briefing_build(actor=cast.office, year=2025)
    assert Briefing.objects.filter(pk=briefing.pk).exists()
    assert services.path_of(briefing.docx_name).exists()
    assert not Notification.objects.exists()


# ---------------------------------------------------------------------------------------------
# Events: red lights awaiting the owner unit's explanation


@pytest.fixture
def retail(cast, clock):
    """社零 for 东城街道: 6% growth targeted, last year's figures in; it is 20 April 2025."""
    clock.current = datetime(2025, 4, 20, 9, 0, tzinfo=SHANGHAI)
    indicator = add_indicator(
        code="retail_sales",
        name="社会消费品零售总额",
        price_basis="nominal",
        light_basis="growth",
        yellow_within_pts=D(2),
    )
    put_figures(indicator, cast.town_a, 2024, {2: 20, 3: 30, 12: 140})
    target = target_services.target_set(
        actor=cast.office, indicator=indicator, unit=cast.town_a, year=2025, growth_pct="6"
    )
    return indicator, target


def submit(cast, indicator, *, month: int, growth: str):
    return target_services.actual_submit(
        actor=cast.liaison_a,
        indicator=indicator,
        unit=cast.town_a,
        year=2025,
        end_month=month,
        value="30",
        growth_pct=growth,
    )


def red_messages(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, event=NotificationEvent.RED_LIGHT))


def test_a_red_figure_tells_the_owner_units_liaison_once(
    cast, retail, django_capture_on_commit_callbacks
):
    indicator, target = retail
    with django_capture_on_commit_callbacks(execute=True):
        submit(cast, indicator, month=3, growth="0.5")  # 5.5 points short of 6%: red
    (message,) = red_messages(cast.liaison_a)
    assert message.title == "红灯待说明：东城街道社会消费品零售总额（1-3月）"
    assert "亮红灯" in message.body
    assert notify_events.RED_LIGHT_ADVICE in message.body
    assert message.link == (
        f"/targets/monitoring/?year=2025&month=3&indicator={indicator.pk}&focus={target.pk}"
    )
    assert message.dedupe_key == f"red:{indicator.pk}:{cast.town_a.pk}:2025-3"
    assert red_messages(cast.liaison_b) == []
    assert red_messages(cast.member_a) == []
    # the daily check, and a second run of it, add nothing: once per indicator, unit and period
    assert notify_tasks.red_lights_daily.call_local() == 0
    assert notify_events.red_lights_notify(year=2025, end_month=3) == 0
    assert len(red_messages(cast.liaison_a)) == 1


def test_a_red_light_already_explained_or_not_red_tells_nobody(
    cast, retail, django_capture_on_commit_callbacks
):
    indicator, target = retail
    with django_capture_on_commit_callbacks(execute=True):
        submit(cast, indicator, month=2, growth="6.5")  # green
    assert red_messages(cast.liaison_a) == []
    put_figures(indicator, cast.town_a, 2025, {3: 30}, growth={3: D("0.5")})
    target_services.explanation_write(
        actor=cast.liaison_a,
        target=target,
        end_month=3,
        text="春节错月，客流回落，已组织促消费活动。",
    )
    assert notify_events.red_lights_notify(year=2025, end_month=3) == 0
    assert red_messages(cast.liaison_a) == []


def test_the_daily_check_catches_a_red_light_whose_figure_came_without_the_hook(cast, retail):
    indicator, _target = retail
    put_figures(indicator, cast.town_a, 2025, {3: 30}, growth={3: D("1")})  # bulk, no service
    assert notify_tasks.red_lights_daily.call_local() == 1
    assert len(red_messages(cast.liaison_a)) == 1


def test_a_figure_rolled_back_sends_no_red_light(cast, retail, django_capture_on_commit_callbacks):
    indicator, _target = retail

    def request() -> None:
        with transaction.atomic():
            submit(cast, indicator, month=3, growth="0.5")
            raise RuntimeError("the request failed later")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        request()
    assert red_messages(cast.liaison_a) == []


# ---------------------------------------------------------------------------------------------
# Events for the modules that come next


def test_a_published_ranking_tells_leaders_the_office_and_the_ranked_units(cast):
    result = notify_events.ranking_published(
        title="2025年3月工作竞赛排名已发布",
        summary="红榜：东城街道；黑榜：西城街道。",
        link="/evaluation/",
        unit_ids=[cast.town_a.pk, cast.town_b.pk],
        dedupe_key="ranking:7",
    )
    assert result.notifications == 4
    told = Notification.objects.filter(event=NotificationEvent.RANKING_PUBLISHED)
    assert set(told.values_list("recipient__username", flat=True)) == {
        "leader",
        "office",
        "liaison_a",
        "liaison_b",
    }


def test_a_confirmed_accountability_step_tells_the_unit_and_the_leaders(cast):
    notify_events.accountability_step_confirmed(
        unit=cast.town_b,
        step="督办",
        reason="社零额连续3期红灯。",
        link="/accountability/",
        dedupe_key="accountability:3",
    )
    told = Notification.objects.filter(event=NotificationEvent.ACCOUNTABILITY_CONFIRMED)
    assert set(told.values_list("recipient__username", flat=True)) == {"leader", "liaison_b"}
    assert told.first().title == "西城街道：督办已确认"


def test_no_delivery_is_left_pending_by_an_event_without_channels(cast):
    notify_events.ranking_published(title="排名", summary="", link="/evaluation/")
    assert not Delivery.objects.exclude(status=DeliveryState.DELIVERED).exists()
