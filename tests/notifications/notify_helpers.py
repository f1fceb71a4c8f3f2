"""Shared by the notification tests: the fake receivers on 127.0.0.1 (the same fake robot and
SMTP server the channel tests use), and channels configured through the office's service."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kaimen.notifications import services as notify_services
from kaimen.notifications.models import ChannelConfig, ChannelKind
from tests.notifications.test_channels import OK, FakeRobot, FakeSmtp

__all__ = ["OK", "FakeRobot", "FakeSmtp"]

TIMEOUT = 0.3  # a real socket timeout, kept short
# Every event the apps registered that a channel may carry (channel_test excluded).
ALL_EVENTS = [
    "briefing_built",
    "briefing_issued",
    "red_light",
    "ranking_published",
    "accountability_confirmed",
    "supervision_issued",
    "instruction_given",
]
DINGTALK_TOKEN = "tokSECRET0123456789"
DINGTALK_SECRET = "SECsigningsecret0123456789abcdef"
WECOM_KEY = "wecomKEY0123456789"


def _serve(server) -> Iterator:
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def robot() -> Iterator[FakeRobot]:
    yield from _serve(FakeRobot())


@pytest.fixture
def smtp(settings) -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.server_address[1]
    settings.DEFAULT_FROM_EMAIL = "ddb@kaimen.gov.cn"
    settings.EMAIL_TIMEOUT = TIMEOUT
    yield from _serve(server)


@pytest.fixture(autouse=True)
def _fast_webhooks(settings):
    settings.NOTIFY_WEBHOOK_TIMEOUT = TIMEOUT
    settings.KAIMEN_BASE_URL = ""


def port_of(server) -> int:
    return server.server_address[1]


def dingtalk_url(server) -> str:
    return f"http://127.0.0.1:{port_of(server)}/robot/send?access_token={DINGTALK_TOKEN}"


def wecom_url(server) -> str:
    return f"http://127.0.0.1:{port_of(server)}/cgi-bin/webhook/send?key={WECOM_KEY}"


def add_channel(
    office, kind: str, target: str, *, secret: str = "", events=None, name: str = ""
) -> ChannelConfig:
    return notify_services.channel_create(
        actor=office,
        kind=kind,
        name=name or f"{ChannelKind(kind).label}-{ChannelConfig.objects.count() + 1}",
        target=target,
        secret=secret,
        events=ALL_EVENTS if events is None else events,
    )
