"""External deliveries through the queue, each channel against a real fake receiver on 127.0.0.1:
a DingTalk robot (signed), a WeCom robot and an SMTP server. A receiver that fails and then
recovers ends "delivered" with both attempts logged; one that keeps failing, times out or
answers garbage ends "gave up" with its reason; nothing ever raises into the caller, and a
briefing built while the robot is down is saved."""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import hmac
import socket
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kaimen.briefings import services
from kaimen.briefings.models import Briefing
from kaimen.notifications import delivery as sending
from kaimen.notifications import notify
from kaimen.notifications import tasks as notify_tasks
from kaimen.notifications.models import (
    ChannelKind,
    Delivery,
    DeliveryState,
    Notification,
)
from kaimen.org.models import Role
from tests.notifications import notify_helpers
from tests.notifications.notify_helpers import (
    DINGTALK_SECRET,
    DINGTALK_TOKEN,
    OK,
    WECOM_KEY,
    add_channel,
    dingtalk_url,
    wecom_url,
)

pytestmark = pytest.mark.django_db
robot = notify_helpers.robot
smtp = notify_helpers.smtp
_fast_webhooks = notify_helpers._fast_webhooks
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 3, 10, 8, 0, tzinfo=SHANGHAI)  # a Monday morning


@pytest.fixture
def monday(clock):
    clock.current = NOW
    return clock


def briefing_event(cast, capture, **kwargs) -> Delivery:
    with capture(execute=True):
        result = notify.notify(
            "briefing_built",
            title="调度通报2025年第5期已生成",
            body="主要指标：红灯1项。\n社零额亮红灯，请区商务局说明原因。",
            link="/briefings/",
            roles=[Role.LEADER, Role.OFFICE],
            **kwargs,
        )
    (delivery_id,) = result.deliveries
    return Delivery.objects.get(pk=delivery_id)


def attempts_of(delivery: Delivery) -> list[tuple]:
    return list(
        delivery.attempts.order_by("number").values_list("number", "ok", "response_code", "error")
    )


def sweep_after(clock, **wait) -> int:
    clock.advance(**wait)
    return notify_tasks.deliveries_due.call_local()


# ---------------------------------------------------------------------------------------------
# DingTalk


def test_a_signed_dingtalk_robot_receives_the_briefing_message(
    cast, robot, monday, settings, django_capture_on_commit_callbacks
):
    settings.KAIMEN_BASE_URL = "https://kaimen.example.gov.cn/"
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot), secret=DINGTALK_SECRET)
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.DELIVERED
    assert delivery.attempt_count == 1
    assert delivery.finished_at == NOW
    (attempt,) = delivery.attempts.all()
    assert attempt.ok
    assert attempt.response_code == 200
    assert '"errcode": 0' in attempt.response_excerpt
    (request,) = robot.requests
    query = request["query"]
    assert query["access_token"] == DINGTALK_TOKEN
    timestamp = str(int(NOW.timestamp() * 1000))
    assert query["timestamp"] == timestamp
    expected = base64.b64encode(
        hmac.new(
            DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert query["sign"] == expected
    markdown = request["json"]["markdown"]
    assert markdown["title"] == "调度通报2025年第5期已生成"
    assert "社零额亮红灯" in markdown["text"]
    assert "[查看详情](https://kaimen.example.gov.cn/briefings/)" in markdown["text"]


def test_a_robot_that_fails_then_recovers_ends_delivered_with_both_attempts_logged(
    cast, robot, monday, django_capture_on_commit_callbacks
):
    robot.script = [("raw", 502, b"bad gateway"), ("json", 200, OK)]
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.FAILED
    assert delivery.next_attempt_at == NOW + timedelta(minutes=1)
    assert delivery.last_error == "HTTP 502 Bad Gateway"
    assert sweep_after(monday, seconds=30) == 0  # not due yet: nothing sent
    assert len(robot.requests) == 1
    assert sweep_after(monday, seconds=31) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.DELIVERED
    assert attempts_of(delivery) == [
        (1, False, 502, "HTTP 502 Bad Gateway"),
        (2, True, 200, ""),
    ]
    assert delivery.attempts.get(number=1).response_excerpt == "bad gateway"
    assert delivery.next_attempt_at is None
    assert delivery.last_error == ""
    assert len(robot.requests) == 2
    assert sweep_after(monday, hours=1) == 0  # delivered: never sent again


def test_a_robot_that_keeps_failing_gives_up_with_a_clear_reason(
    cast, robot, monday, django_capture_on_commit_callbacks
):
    robot.script = [("json", 200, {"errcode": 310000, "errmsg": "sign not match"})] * 5
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    waits = []
    for _ in range(4):
        delivery.refresh_from_db()
        assert delivery.status == DeliveryState.FAILED
        waits.append(delivery.next_attempt_at - monday.current)
        monday.current = delivery.next_attempt_at
        assert notify_tasks.deliveries_due.call_local() == 1
    assert waits == [timedelta(minutes=m) for m in (1, 3, 9, 27)]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.GAVE_UP
    assert delivery.attempt_count == 5
    assert delivery.next_attempt_at is None
    assert "5次尝试均失败" in delivery.last_error
    assert "errcode=310000 sign not match" in delivery.last_error
    assert "立即重试" in delivery.last_error
    assert all(not ok for _n, ok, _code, _e in attempts_of(delivery))
    assert sweep_after(monday, days=1) == 0  # given up: the sweep leaves it alone
    assert len(robot.requests) == 5
    # the people were told in the inbox all along
    assert Notification.objects.filter(event="briefing_built").count() == 2


# ---------------------------------------------------------------------------------------------
# WeCom: timeouts and garbage


def test_a_wecom_robot_that_times_out_then_answers_garbage_then_recovers(
    cast, robot, monday, django_capture_on_commit_callbacks
):
    robot.script = [("hang",), ("raw", 200, b"<html>portal login</html>"), ("json", 200, OK)]
    add_channel(cast.office, ChannelKind.WECOM, wecom_url(robot))
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    sweep_after(monday, minutes=1)
    sweep_after(monday, minutes=3)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.DELIVERED
    first, second, third = delivery.attempts.order_by("number")
    assert "超时" in first.error
    assert first.response_code is None
    assert second.response_code == 200
    assert "不是JSON" in second.error
    assert second.response_excerpt == "<html>portal login</html>"
    assert third.ok
    content = robot.requests[-1]["json"]["markdown"]["content"]
    assert content.startswith("### 调度通报2025年第5期已生成")
    # no address of the platform configured: the message says where to look instead of a link
    assert "请登录开门红平台查看（/briefings/）" in content
    assert robot.requests[-1]["query"]["key"] == WECOM_KEY


def test_a_receiver_that_is_not_listening_is_a_logged_failure(
    cast, monday, django_capture_on_commit_callbacks
):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens here
    add_channel(
        cast.office, ChannelKind.WECOM, f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=abc12345"
    )
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.FAILED
    assert "无法连接" in delivery.last_error


# ---------------------------------------------------------------------------------------------
# E-mail


def test_email_goes_through_the_configured_smtp_server(
    cast, smtp, monday, django_capture_on_commit_callbacks
):
    add_channel(cast.office, ChannelKind.EMAIL, "leader@kaimen.gov.cn\noffice@kaimen.gov.cn")
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.DELIVERED
    assert attempts_of(delivery) == [(1, True, 250, "")]
    (received,) = smtp.messages
    assert received["from"] == "ddb@kaimen.gov.cn"
    assert received["to"] == ["leader@kaimen.gov.cn", "office@kaimen.gov.cn"]
    mail = email.message_from_bytes(received["raw"], policy=email.policy.default)
    assert mail["Subject"] == "调度通报2025年第5期已生成"
    assert "社零额亮红灯" in mail.get_body(("plain",)).get_content()


def test_an_smtp_server_that_is_busy_then_recovers(
    cast, smtp, monday, django_capture_on_commit_callbacks
):
    smtp.script = ["busy", "ok"]
    add_channel(cast.office, ChannelKind.EMAIL, "leader@kaimen.gov.cn")
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.FAILED
    assert "421" in delivery.last_error
    sweep_after(monday, minutes=1)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.DELIVERED
    assert [code for _n, _ok, code, _e in attempts_of(delivery)] == [421, 250]
    assert len(smtp.messages) == 1


def test_an_smtp_server_that_never_answers_is_logged_as_a_timeout(
    cast, smtp, monday, django_capture_on_commit_callbacks
):
    smtp.script = ["hang"]
    add_channel(cast.office, ChannelKind.EMAIL, "leader@kaimen.gov.cn")
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.FAILED
    assert "超时" in delivery.last_error


def test_smtp_unconfigured_after_the_channel_was_set_up_is_a_clear_logged_failure(
    cast, smtp, monday, settings, django_capture_on_commit_callbacks
):
    add_channel(cast.office, ChannelKind.EMAIL, "leader@kaimen.gov.cn")
    settings.EMAIL_HOST = ""
    delivery = briefing_event(cast, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryState.FAILED
    assert "KAIMEN_EMAIL_HOST" in delivery.last_error
    assert smtp.messages == []


# ---------------------------------------------------------------------------------------------
# The queue: claims, lost messages, and the briefing that must never be lost


def test_a_delivery_claimed_by_another_worker_is_not_sent_twice(cast, robot, monday):
    add_channel(cast.office, ChannelKind.DINGTALK, dingtalk_url(robot))
    result = notify.notify("briefing_built", title="通报", roles=[Role.OFFICE])
    (pk,) = result.deliveries  # the commit never came in this test, so the queue has nothing
    Delivery.objects.filter(pk=pk).update(claimed_until=NOW + timedelta(minutes=5))
    assert sending.delivery_send(delivery_id=pk) == DeliveryState.PENDING
    assert notify_tasks.deliveries_due.call_local() == 0
    assert robot.requests == []
    # the claim lapses (a worker died mid-send): the sweep sends it
    monday.advance(minutes=6)
    assert notify_tasks.deliveries_due.call_local() == 1
    assert Delivery.objects.get(pk=pk).status == DeliveryState.DELIVERED
    assert sending.delivery_send(delivery_id=pk) == DeliveryState.DELIVERED
    assert len(robot.requests) == 1


def test_a_delivery_the_queue_never_ran_is_sent_by_the_minute_sweep(cast, robot, monday):
    add_channel(cast.office, ChannelKind.WECOM, wecom_url(robot))
    notify.notify("briefing_built", title="通报", roles=[Role.OFFICE])
    assert notify_tasks.deliveries_due.call_local() == 1
    assert Delivery.objects.get().status == DeliveryState.DELIVERED


def test_a_briefing_built_while_the_robot_is_down_is_saved_and_its_delivery_logged(
    cast, robot, monday, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    robot.script = [("raw", 503, b"service unavailable")] * 5
    channel = add_channel(
        cast.office,
        ChannelKind.DINGTALK,
        dingtalk_url(robot),
        events=["briefing_built"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        briefing = services.briefing_build(actor=cast.office, year=2025)
    assert Briefing.objects.filter(pk=briefing.pk).exists()
    assert services.path_of(briefing.docx_name).exists()
    assert Notification.objects.filter(event="briefing_built").count() == 2
    delivery = Delivery.objects.get(channel=channel)
    assert delivery.status == DeliveryState.FAILED
    assert delivery.dedupe_key == f"briefing:{briefing.pk}"
    assert attempts_of(delivery) == [(1, False, 503, "HTTP 503 Service Unavailable")]
    assert delivery.next_attempt_at == NOW + timedelta(minutes=1)
    assert len(robot.requests) == 1
