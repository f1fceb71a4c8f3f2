"""Run by tests/test_plugin_app.py under tests.plugin.settings (not collected by the main run):
the throwaway app's event, metric, panels, router and permission work with no other app edited."""

from __future__ import annotations

from datetime import date

import pytest

from kaimen.lib.contracts import events
from kaimen.lib.contracts.metrics import REGISTRY, PeriodContext
from kaimen.org import scope

pytestmark = pytest.mark.django_db


def test_the_permission_is_decided_by_scope(cast):
    assert scope.can(cast.liaison_a, "throwaway.view")
    assert not scope.can(cast.office, "throwaway.view")


def test_the_event_is_offered_for_subscription_and_notified(cast):
    from kaimen.notifications.models import Notification
    from kaimen.notifications.notify import notify

    assert ("throwaway.ping", "试验事件") in events.choices(subscribable_only=True)
    notify("throwaway.ping", title="试验通知", users=[cast.liaison_a])
    sent = Notification.objects.get(recipient=cast.liaison_a)
    assert sent.event == "throwaway.ping"
    assert sent.event_label == "试验事件"


def test_the_metric_is_scored_from_its_provider(cast):
    from kaimen.evaluation.metrics import collect

    assert "quality.throwaway_resolved" in REGISTRY
    ctx = PeriodContext(
        campaign=None,
        start=date(2026, 1, 1),
        end=date(2026, 3, 31),
        today=date(2026, 3, 31),
        units={cast.town_a.pk: cast.town_a},
    )
    collected = collect(ctx, ["quality.throwaway_resolved"])
    assert [(p.unit, p.value) for p in collected.points] == [(str(cast.town_a.pk), 80)]
    assert collected.notes == ()


def test_the_home_panel_shows_to_whom_the_rule_allows(cast, login):
    page = login(cast.liaison_a).get("/")
    assert "试验面板" in page.content.decode()
    page = login(cast.office).get("/")
    assert "试验面板" not in page.content.decode()


def test_the_router_is_mounted_and_guarded(cast, login):
    client = login(cast.liaison_a)
    assert client.get("/api/v1/throwaway/ping").json() == {"pong": True}
    assert "/api/v1/throwaway/ping" in client.get("/api/openapi.json").json()["paths"]
    assert login(cast.office).get("/api/v1/throwaway/ping").status_code == 403
