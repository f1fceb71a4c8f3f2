"""The notification pages: everyone's inbox and the header's unread badge; the office's channels
(create, edit, enable/disable, test message through the queue) and delivery log (filters, retry
now). Every URL × every role (refusal = 403, one permission.denied event, database unchanged),
secrets never in a page or the audit trail, and list pages whose query count does not grow."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.lib.errors import ValidationError
from kaimen.notifications import delivery as sending
from kaimen.notifications import notify
from kaimen.notifications import services as notify_services
from kaimen.notifications.models import (
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryState,
    Notification,
)
from tests.notifications import notify_helpers
from tests.notifications.notify_helpers import (
    ALL_EVENTS,
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    WECOM_KEY,
    add_channel,
    dingtalk_url,
    wecom_url,
)
from tests.permissions import check_outcome, send, sign_in

pytestmark = pytest.mark.django_db
robot = notify_helpers.robot
smtp = notify_helpers.smtp
_fast_webhooks = notify_helpers._fast_webhooks
SHANGHAI = ZoneInfo("Asia/Shanghai")
ROLES = [
    "leader",
    "office",
    "liaison_a",
    "liaison_b",
    "member_a",
    "auditor",
    "sysadmin",
    "secadmin",
    "anonymous",
]
EVERYONE = frozenset(ROLES) - {"anonymous"}
OFFICE = frozenset({"office"})
DENIED_TEXT = "您没有执行此操作的权限"
CLOSED_PORT_URL = f"http://127.0.0.1:9/robot/send?access_token={DINGTALK_TOKEN}"


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    allowed: frozenset[str]
    ok: int = 200
    target: str = "own"  # for inbox rows: the user's own message, or someone else's

    @property
    def id(self) -> str:
        return f"{self.url_name}-{self.method}-{self.target}"


CASES = [
    Case("notifications:inbox", "GET", EVERYONE),
    Case("notifications:notification_read", "POST", EVERYONE, 302),
    Case("notifications:notification_read", "POST", frozenset(), 302, target="other"),
    Case("notifications:notification_open", "POST", EVERYONE, 302),
    Case("notifications:notification_open", "POST", frozenset(), 302, target="other"),
    Case("notifications:notifications_read_all", "POST", EVERYONE, 302),
    Case("notifications:channel_list", "GET", OFFICE),
    Case("notifications:channel_create", "GET", OFFICE),
    Case("notifications:channel_create", "POST", OFFICE, 302),
    Case("notifications:channel_edit", "GET", OFFICE),
    Case("notifications:channel_edit", "POST", OFFICE, 302),
    Case("notifications:channel_toggle", "POST", OFFICE, 302),
    Case("notifications:channel_test", "POST", OFFICE, 302),
    Case("notifications:delivery_list", "GET", OFFICE),
    Case("notifications:delivery_detail", "GET", OFFICE),
    Case("notifications:delivery_retry", "POST", OFFICE, 302),
]
NOTIFY_URL_NAMES = {
    "inbox",
    "notification_read",
    "notification_open",
    "notifications_read_all",
    "channel_list",
    "channel_create",
    "channel_edit",
    "channel_toggle",
    "channel_test",
    "delivery_list",
    "delivery_detail",
    "delivery_retry",
}


def test_the_matrix_covers_every_notification_url():
    from kaimen.notifications import urls
    from kaimen.notifications import views as notify_views

    mine = {p.name for p in urls.urlpatterns if p.callback.__module__ == notify_views.__name__}
    assert mine == NOTIFY_URL_NAMES
    assert {f"notifications:{name}" for name in mine} == {case.url_name for case in CASES}


@dataclass
class World:
    cast: object
    channel: ChannelConfig
    failed: Delivery


@pytest.fixture
def world(cast, clock) -> World:
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    channel = add_channel(
        cast.office, ChannelKind.DINGTALK, CLOSED_PORT_URL, secret=DINGTALK_SECRET, name="调度群"
    )
    for role in EVERYONE:
        notify.notify(
            "briefing_built",
            title=f"给{role}的消息",
            link="/briefings/",
            users=[cast.role(role)],
            external=False,
        )
    failed = notify.queue_delivery(
        channel,
        event="briefing_built",
        title="调度通报第1期",
        body="正文",
        link="/briefings/",
        requested_by=None,
    )
    sending.delivery_send(delivery_id=failed.pk)  # nobody listens on port 9: a failed attempt
    failed.refresh_from_db()
    assert failed.status == DeliveryState.FAILED
    return World(cast=cast, channel=channel, failed=failed)


def db_state() -> dict[str, list]:
    models = [Notification, ChannelConfig, Delivery, DeliveryAttempt]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def request_for(world: World, case: Case, user) -> tuple[str, dict]:
    short = case.url_name.split(":")[1]
    kwargs: dict = {}
    data: dict = {}
    if short in {"notification_read", "notification_open"}:
        owner = user if case.target == "own" else world.cast.office
        if case.target == "other" and user == world.cast.office:
            owner = world.cast.leader
        note = Notification.objects.filter(recipient=owner).first()
        kwargs = {"notification_id": note.pk if note else 999999}
    elif short in {"channel_edit", "channel_toggle", "channel_test"}:
        kwargs = {"channel_id": world.channel.pk}
    elif short in {"delivery_detail", "delivery_retry"}:
        kwargs = {"delivery_id": world.failed.pk}
    match short:
        case "channel_create":
            data = {
                "kind": "wecom",
                "name": "企业微信工作群",
                "target": f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={WECOM_KEY}",
                "events": ["briefing_built"],
                "enabled": "on",
            }
        case "channel_edit":
            data = {
                "name": "调度群（改）",
                "target": "",
                "events": ["briefing_built", "red_light"],
                "enabled": "on",
                "version": world.channel.version,
            }
        case "channel_toggle":
            data = {"enabled": "0"}
    return reverse(case.url_name, kwargs=kwargs), data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_permission_matrix(client, login, world, case: Case, role: str):
    user = sign_in(login, world.cast, role)
    url, data = request_for(world, case, user)
    before = db_state()
    mark = last_event_id()

    response = send(client, case.method, url, data)

    check_outcome(
        case,
        role,
        user,
        response,
        before=before,
        mark=mark,
        db_state=db_state,
        events_per_change=1,
        other_is_not_found=True,
    )


@pytest.mark.parametrize(
    ("url_name", "kwargs"),
    [
        ("notifications:notification_read", {"notification_id": 1}),
        ("notifications:notification_open", {"notification_id": 1}),
        ("notifications:notifications_read_all", {}),
        ("notifications:channel_toggle", {"channel_id": 1}),
        ("notifications:channel_test", {"channel_id": 1}),
        ("notifications:delivery_retry", {"delivery_id": 1}),
    ],
)
def test_a_get_on_a_change_endpoint_is_refused_with_405(client, login, cast, url_name, kwargs):
    login(cast.office)
    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 405


# ---------------------------------------------------------------------------------------------
# The inbox and the badge


def test_the_header_shows_the_unread_count_and_reading_clears_it(client, login, cast):
    for n in range(3):
        notify.notify("red_light", title=f"红灯{n}", link="/targets/", users=[cast.liaison_a])
    login(cast.liaison_a)
    home = client.get(reverse("core:home")).content.decode()
    assert 'data-unread="3"' in home
    assert 'class="inbox-badge"' in home
    first = Notification.objects.filter(recipient=cast.liaison_a).order_by("pk").first()
    response = client.post(reverse("notifications:notification_open", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/targets/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'data-unread="2"' in client.get(reverse("notifications:inbox")).content.decode()
    client.post(reverse("notifications:notifications_read_all"))
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert 'data-unread="0"' in page
    assert 'class="inbox-badge"' not in page
    events = AuditEvent.objects.filter(action__startswith="notifications.notification")
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        "notifications.notification.read",
        "notifications.notification.read_all",
    ]


def test_the_inbox_filters_unread_and_lists_only_ones_own(client, login, cast):
    notify.notify("red_light", title="我的红灯", users=[cast.liaison_a])
    notify.notify("red_light", title="别人的红灯", users=[cast.liaison_b])
    old = notify.notify("briefing_built", title="已读通报", users=[cast.liaison_a])
    assert old.notifications == 1
    Notification.objects.filter(title="已读通报").update(read_at=datetime.now(tz=SHANGHAI))
    login(cast.liaison_a)
    everything = client.get(reverse("notifications:inbox")).content.decode()
    assert "我的红灯" in everything
    assert "已读通报" in everything
    assert "别人的红灯" not in everything
    unread = client.get(reverse("notifications:inbox") + "?unread=1").content.decode()
    assert "我的红灯" in unread
    assert "已读通报" not in unread


def test_the_inbox_page_does_not_grow_its_queries_with_its_rows(
    client, login, cast, django_assert_max_num_queries
):
    login(cast.leader)
    for n in range(40):
        notify.notify("red_light", title=f"消息{n}", users=[cast.leader])
    with django_assert_max_num_queries(14):
        response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert response.content.decode().count('class="inbox-item') == 30  # one page


# ---------------------------------------------------------------------------------------------
# Channels: validation, secrets, the test message


def test_a_channel_is_created_from_the_page_with_its_events(client, login, cast):
    login(cast.office)
    response = client.post(
        reverse("notifications:channel_create"),
        {
            "kind": "dingtalk",
            "name": "区领导群",
            "target": f"https://oapi.dingtalk.com/robot/send?access_token={DINGTALK_TOKEN}",
            "secret": DINGTALK_SECRET,
            "events": ["briefing_built", "ranking_published"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = ChannelConfig.objects.get(name="区领导群")
    assert channel.secret == DINGTALK_SECRET
    assert channel.events == ["briefing_built", "ranking_published"]
    assert channel.enabled


@pytest.mark.parametrize(
    ("kind", "target", "secret", "message"),
    [
        ("dingtalk", "ftp://oapi.dingtalk.com/robot/send?access_token=abc", "", "https://"),
        ("dingtalk", "https:///robot/send?access_token=abc", "", "缺少服务器地址"),
        (
            "dingtalk",
            "https://user:pw@oapi.dingtalk.com/robot/send?access_token=a",
            "",
            "用户名或密码",
        ),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "", "access_token="),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?access_token=x", "", "key="),
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "SECabc", "只有钉钉"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a b", "", "空格"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=a", "SEC 中文", "加签密钥"),
        ("email", "leader@kaimen.gov.cn\nnot-an-address", "", "not-an-address"),
        ("email", "", "", "收件邮箱"),
        ("fax", "12345", "", "通道类型"),
    ],
)
def test_a_bad_target_is_refused_with_a_clear_message(cast, smtp, kind, target, secret, message):
    with pytest.raises(ValidationError, match=message):
        notify_services.channel_create(
            actor=cast.office,
            kind=kind,
            name="坏通道",
            target=target,
            secret=secret,
            events=["briefing_built"],
        )
    assert not ChannelConfig.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="notifications.").exists()


def test_an_email_channel_cannot_be_enabled_without_smtp(cast, settings, client, login):
    settings.EMAIL_HOST = ""
    with pytest.raises(ValidationError, match="KAIMEN_EMAIL_HOST"):
        add_channel(cast.office, ChannelKind.EMAIL, "leader@kaimen.gov.cn")
    disabled = notify_services.channel_create(
        actor=cast.office,
        kind=ChannelKind.EMAIL,
        name="领导邮箱",
        target="leader@kaimen.gov.cn",
        events=["briefing_built"],
        enabled=False,
    )
    login(cast.office)
    client.post(reverse("notifications:channel_toggle", args=[disabled.pk]), {"enabled": "1"})
    disabled.refresh_from_db()
    assert not disabled.enabled
    page = client.get(reverse("notifications:channel_list")).content.decode()
    assert "KAIMEN_EMAIL_HOST" in page


def test_a_duplicate_name_and_an_empty_event_list_are_refused(cast):
    add_channel(cast.office, ChannelKind.WECOM, CLOSED_PORT_URL.replace("access_token", "key"))
    with pytest.raises(ValidationError, match="已有名为"):
        add_channel(
            cast.office,
            ChannelKind.WECOM,
            CLOSED_PORT_URL.replace("access_token", "key"),
            name=ChannelConfig.objects.get().name,
        )
    with pytest.raises(ValidationError, match="至少选择一类"):
        add_channel(
            cast.office,
            ChannelKind.WECOM,
            CLOSED_PORT_URL.replace("access_token", "key"),
            events=[],
        )


def audit_text() -> str:
    rows = AuditEvent.objects.values("before", "after", "message", "object_repr")
    return json.dumps(list(rows), ensure_ascii=False)


def test_secrets_never_reach_a_page_or_the_audit_trail(client, login, cast, robot, clock):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    login(cast.office)
    client.post(
        reverse("notifications:channel_create"),
        {
            "kind": "dingtalk",
            "name": "调度群",
            "target": dingtalk_url(robot),
            "secret": DINGTALK_SECRET,
            "events": ALL_EVENTS,
            "enabled": "on",
        },
    )
    channel = ChannelConfig.objects.get()
    # a new URL through the edit form: before and after are both masked in the audit
    new_token = "tokNEWSECRET987654321"
    client.post(
        reverse("notifications:channel_edit", args=[channel.pk]),
        {
            "name": "调度群",
            "target": dingtalk_url(robot).replace(DINGTALK_TOKEN, new_token),
            "events": ALL_EVENTS,
            "enabled": "on",
            "version": channel.version,
        },
    )
    channel.refresh_from_db()
    assert new_token in channel.target
    assert channel.secret == DINGTALK_SECRET  # an empty secret field keeps the stored one
    robot.script = [("raw", 500, b"down")]
    client.post(reverse("notifications:channel_test", args=[channel.pk]))
    delivery = Delivery.objects.get()
    pages = [
        reverse("notifications:channel_list"),
        reverse("notifications:channel_edit", args=[channel.pk]),
        reverse("notifications:delivery_list"),
        reverse("notifications:delivery_detail", args=[delivery.pk]),
        reverse("notifications:inbox"),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        for secret in (DINGTALK_TOKEN, new_token, DINGTALK_SECRET):
            assert secret not in html, (url, secret)
    assert "tokN****" in client.get(reverse("notifications:channel_list")).content.decode()
    trail = audit_text()
    for secret in (DINGTALK_TOKEN, new_token, DINGTALK_SECRET):
        assert secret not in trail
    assert "tokS****" in trail
    assert "tokN****" in trail
    assert delivery.target_masked.endswith("access_token=tokN****")


def test_the_test_message_goes_through_the_queue_and_shows_its_result(
    client, login, cast, robot, clock, django_capture_on_commit_callbacks
):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    channel = add_channel(cast.office, ChannelKind.WECOM, wecom_url(robot))
    login(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:channel_test", args=[channel.pk]))
    delivery = Delivery.objects.get()
    assert response["Location"] == reverse("notifications:delivery_detail", args=[delivery.pk])
    assert delivery.status == DeliveryState.DELIVERED
    assert delivery.event == "channel_test"
    assert delivery.requested_by == cast.office
    assert "测试消息" in robot.requests[0]["json"]["markdown"]["content"]
    detail = client.get(response["Location"]).content.decode()
    assert 'class="status-delivered"' in detail
    assert 'hx-trigger="every 2s"' not in detail  # finished: the page stops polling
    assert list(
        AuditEvent.objects.filter(action__startswith="notifications.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["notifications.channel.create", "notifications.channel.test"]


def test_a_pending_delivery_page_polls_and_answers_htmx_with_its_fragment(
    client, login, cast, robot
):
    channel = add_channel(cast.office, ChannelKind.WECOM, wecom_url(robot))
    login(cast.office)
    client.post(reverse("notifications:channel_test", args=[channel.pk]))  # not committed: pending
    delivery = Delivery.objects.get()
    url = reverse("notifications:delivery_detail", args=[delivery.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="delivery-result"')
    assert "<html" not in fragment


def test_a_stale_edit_is_refused_and_changes_nothing(client, login, cast):
    channel = add_channel(cast.office, ChannelKind.DINGTALK, CLOSED_PORT_URL, name="调度群")
    login(cast.office)
    notify_services.channel_update(
        actor=cast.office,
        channel=channel,
        expected_version=channel.version,
        name="调度群A",
        events=["red_light"],
        enabled=True,
    )
    response = client.post(
        reverse("notifications:channel_edit", args=[channel.pk]),
        {"name": "调度群B", "events": ["briefing_built"], "enabled": "on", "version": 1},
    )
    assert response.status_code == 409
    assert ChannelConfig.objects.get().name == "调度群A"


# ---------------------------------------------------------------------------------------------
# Delivery log


def test_retry_now_gives_a_given_up_delivery_a_fresh_round(
    client, login, cast, robot, clock, django_capture_on_commit_callbacks
):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    channel = add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    delivery = notify.queue_delivery(
        channel, event="briefing_built", title="通报", body="", link="", requested_by=None
    )
    robot.script = [("raw", 500, b"down")] * 5
    for _ in range(5):
        sending.delivery_send(delivery_id=delivery.pk)
        clock.advance(hours=1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.GAVE_UP
    login(cast.office)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("notifications:delivery_retry", args=[delivery.pk]))
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.DELIVERED
    assert delivery.attempt_count == 6
    assert delivery.max_attempts == 10
    assert delivery.attempts.count() == 6  # the earlier attempts stay in the log
    event = AuditEvent.objects.get(action="notifications.delivery.retry")
    assert event.before == {"status": "gave_up", "attempts": 5}
    # a delivered one cannot be retried
    with pytest.raises(ValidationError):
        notify_services.delivery_retry(actor=cast.office, delivery=delivery)


def test_the_delivery_log_filters_and_does_not_grow_its_queries(
    client, login, cast, clock, django_assert_max_num_queries
):
    clock.current = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)
    robot_channel = add_channel(cast.office, ChannelKind.DINGTALK, CLOSED_PORT_URL, name="甲群")
    other = add_channel(
        cast.office, ChannelKind.WECOM, CLOSED_PORT_URL.replace("access_token", "key"), name="乙群"
    )
    for n in range(40):
        notify.queue_delivery(
            robot_channel if n % 2 else other,
            event="briefing_built" if n % 4 else "red_light",
            title=f"消息{n}",
            body="",
            link="",
            requested_by=cast.office,
        )
    Delivery.objects.filter(channel=robot_channel).update(
        status=DeliveryState.GAVE_UP, last_error="5次尝试均失败"
    )
    login(cast.office)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("notifications:delivery_list"))
    assert response.content.decode().count('id="delivery-') == 30
    filtered = client.get(
        reverse("notifications:delivery_list"), {"status": "gave_up", "channel": robot_channel.pk}
    ).content.decode()
    assert filtered.count('id="delivery-') == 20
    assert filtered.count(">立即重试<") + filtered.count(">Retry now<") == 20
    red = client.get(
        reverse("notifications:delivery_list"), {"event": "red_light"}
    ).content.decode()
    assert red.count('id="delivery-') == 10
    with django_assert_max_num_queries(16):
        channels_page = client.get(reverse("notifications:channel_list"))
    assert channels_page.status_code == 200
