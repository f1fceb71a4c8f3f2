"""In a real browser: the header's unread badge, the inbox, and the office's channel page with a
test message sent to a fake robot on 127.0.0.1 — with no Content-Security-Policy errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaimen.notifications import notify
from kaimen.notifications.models import ChannelKind, Delivery, DeliveryState
from kaimen.org.models import Role
from tests.notifications import notify_helpers
from tests.notifications.notify_helpers import add_channel, wecom_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
robot = notify_helpers.robot
_fast_webhooks = notify_helpers._fast_webhooks


def shots(tmp_path: Path) -> Path:
    """KAIMEN_SCREENSHOTS=dir keeps the screenshots for people to look at."""
    return Path(os.environ.get("KAIMEN_SCREENSHOTS", tmp_path))


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    if user.memberships.filter(role=Role.OFFICE).exists():
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def csp_errors(page) -> list[str]:
    return [e for e in page.console_errors if "Content Security Policy" in e or "CSP" in e]


def test_a_liaison_sees_the_badge_opens_a_message_and_the_badge_goes(
    live_server, page, cast, tmp_path
):
    for n in range(2):
        notify.notify(
            "red_light",
            title=f"红灯待说明：东城街道指标{n}",
            body="1-3月累计增长0.5%，目标增长6%，落后5.5个百分点，亮红灯。",
            link="/briefings/inbox/",
            units=[cast.town_a],
        )
    sign_in(page, live_server, cast.liaison_a)
    page.goto(f"{live_server.url}/")
    assert page.locator(".inbox-badge").inner_text() == "2"
    page.click(".inbox-link")
    page.wait_for_url("**/briefings/inbox/")
    assert page.locator(".inbox-item.unread").count() == 2
    page.screenshot(path=str(shots(tmp_path) / "notify-inbox.png"), full_page=True)
    page.locator(".inbox-item.unread").first.locator("button.primary").click()
    page.wait_for_load_state()
    assert page.locator(".inbox-badge").inner_text() == "1"
    assert csp_errors(page) == []


def test_the_office_sends_a_test_message_and_reads_its_result(
    live_server, page, cast, robot, tmp_path
):
    add_channel(cast.office, ChannelKind.WECOM, wecom_url(robot), name="调度办工作群")
    sign_in(page, live_server, cast.office)
    page.goto(f"{live_server.url}/briefings/channels/")
    assert "调度办工作群" in page.locator("table.data").inner_text()
    assert notify_helpers.WECOM_KEY not in page.content()
    page.screenshot(path=str(shots(tmp_path) / "notify-channels.png"), full_page=True)
    page.locator("form[action$='/test'] button").first.click()
    page.wait_for_url("**/briefings/deliveries/*/")
    # the queue runs at once in the tests; in production the page polls until it is done
    page.wait_for_selector(".status-delivered")
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryState.DELIVERED
    assert robot.requests
    page.screenshot(path=str(shots(tmp_path) / "notify-delivery.png"), full_page=True)
    assert csp_errors(page) == []
