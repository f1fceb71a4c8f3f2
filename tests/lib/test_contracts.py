"""The registries in kaimen.lib.contracts: a second, different entry under a name already taken
is refused, registering the same entry again (``ready()`` run twice) changes nothing, and the
order the readers see is stable. Each test works on a copy of the registry's state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kaimen.lib.contracts import api, demo, metrics, permissions
from kaimen.lib.errors import ValidationError


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(permissions, "_rules", {})
    monkeypatch.setattr(demo, "_loaders", [])
    monkeypatch.setattr(api, "_routers", [])
    monkeypatch.setattr(metrics.REGISTRY, "_specs", {})
    monkeypatch.setattr(metrics, "PROVIDERS", {})
    monkeypatch.setattr(metrics, "WITH_TARGETS", set())


def yes(scope, obj=None) -> bool:
    return True


def no(scope, obj=None) -> bool:
    return False


def test_a_permission_code_takes_one_rule(fresh):
    entry = permissions.register("x.view", yes, app="x", label="看")
    assert permissions.register("x.view", yes, app="x") is entry  # ready() run twice
    with pytest.raises(ValueError, match="x.view"):
        permissions.register("x.view", no, app="y")
    assert permissions.rule_for("x.view").rule is yes
    assert permissions.rule_for("x.unknown") is None


def test_permission_rules_keep_their_registration_order(fresh):
    for code in ("b.view", "a.view", "c.view"):
        permissions.register(code, yes)
    assert [r.code for r in permissions.registered()] == ["b.view", "a.view", "c.view"]


def test_demo_loaders_run_by_order_then_registration(fresh):
    ran = []
    for name, order in (("ledger", 30), ("org", 10), ("targets", 20), ("late", 30)):
        demo.register(demo.DemoLoader(name, lambda write, n=name: ran.append(n), order=order))
    assert [loader.name for loader in demo.loaders()] == ["org", "targets", "ledger", "late"]
    for loader in demo.loaders():
        loader(print)
    assert ran == ["org", "targets", "ledger", "late"]


def test_a_demo_loader_name_is_taken_once(fresh):
    loader = demo.DemoLoader("org", "kaimen.org.demo.run_demo", order=10)
    assert demo.register(loader) is loader
    assert demo.register(demo.DemoLoader("org", "kaimen.org.demo.run_demo", order=10)) == loader
    with pytest.raises(ValueError, match="org"):
        demo.register(demo.DemoLoader("org", "kaimen.other.demo.run_demo", order=10))
    assert len(demo.loaders()) == 1


def test_a_router_prefix_is_mounted_once_in_registration_order(fresh):
    api.register("/v1/b/", "kaimen.b.api.router")
    api.register("/v1/a/", "kaimen.a.api.router")
    api.register("/v1/b/", "kaimen.b.api.router")  # again: nothing changes
    with pytest.raises(ValueError, match="/v1/a/"):
        api.register("/v1/a/", "kaimen.other.api.router")
    assert [r.prefix for r in api.routers()] == ["/v1/b/", "/v1/a/"]


def test_a_metric_code_takes_one_spec_and_one_provider(fresh):
    spec = metrics.MetricSpec("x.done", "办结率", metrics.Dimension.QUALITY, "%")

    def provider(ctx):
        return [metrics.DataPoint("1", spec.code, Decimal(100))]

    metrics.register_provider(spec, provider, points_carry_targets=True)
    metrics.register_provider(spec, provider, points_carry_targets=True)  # again: harmless
    with pytest.raises(ValidationError):
        metrics.register_provider(spec, lambda ctx: [])
    with pytest.raises(ValidationError, match="已登记"):
        metrics.register_metric(metrics.MetricSpec("x.done", "别的", metrics.Dimension.SPEED, "%"))
    assert metrics.provider_for("x.done") is provider
    assert {"x.done"} == metrics.WITH_TARGETS
    assert [s.code for s in metrics.REGISTRY] == ["x.done"]


def test_the_metric_registry_refuses_activity(fresh):
    with pytest.raises(ValidationError, match="登录"):
        metrics.register_provider(
            metrics.MetricSpec("x.logins", "登录次数", metrics.Dimension.SPEED, "次"), lambda c: []
        )
    assert metrics.provider_for("x.logins") is None


def test_the_apps_filled_the_registries_at_start_up():
    """Filled from the apps' ready(): the same routers, loaders and metrics as before."""
    assert [r.prefix for r in api.routers()] == [
        "/v1/org/",
        "/v1/ledger/",
        "/v1/targets/",
        "/v1/evaluation/",
        "/v1/accountability/",
    ]
    assert [loader.name for loader in demo.loaders()] == [
        "org",
        "targets",
        "ledger",
        "evaluation",
        "accountability",
    ]
    assert {
        "speed.indicator_progress",
        "speed.tasks_on_time",
        "quality.reports_accepted",
        "quality.closed_without_rework",
        "quality.red_explained",
        "innovation.practice_rating",
    } <= set(metrics.PROVIDERS)
