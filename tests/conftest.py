"""Shared fixtures: the cast for permission tests, an injectable clock, and the rules for tests
that need a browser or PostgreSQL (skip on a laptop without them, fail in CI)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from kaimen.lib import clock as clock_module
from kaimen.org.models import Membership, Role, Unit, UnitKind, User

STRONG_PASSWORD = "Kaimen#2025"


def make_user(username: str, *roles: tuple[Unit, str], must_change: bool = False) -> User:
    user = User(
        username=username,
        display_name=username,
        must_change_password=must_change,
        password_changed_at=clock_module.now(),
    )
    user.set_password(STRONG_PASSWORD)
    user.save()
    for unit, role in roles:
        Membership.objects.create(user=user, unit=unit, role=role)
    return user


class Cast:
    """A small district: two towns, a department, and one person per role."""

    def __init__(self) -> None:
        self.top = Unit.objects.create(name="区委区政府", kind=UnitKind.LEADERSHIP)
        self.office_unit = Unit.objects.create(
            name="调度办", kind=UnitKind.DEPARTMENT, parent=self.top
        )
        self.it_unit = Unit.objects.create(
            name="区大数据中心", kind=UnitKind.DEPARTMENT, parent=self.top
        )
        self.town_a = Unit.objects.create(name="东城街道", kind=UnitKind.TOWN, parent=self.top)
        self.town_b = Unit.objects.create(name="西城街道", kind=UnitKind.TOWN, parent=self.top)
        self.leader = make_user("leader", (self.top, Role.LEADER))
        self.office = make_user("office", (self.office_unit, Role.OFFICE))
        self.liaison_a = make_user("liaison_a", (self.town_a, Role.LIAISON))
        self.liaison_b = make_user("liaison_b", (self.town_b, Role.LIAISON))
        self.member_a = make_user("member_a", (self.town_a, Role.MEMBER))
        self.auditor = make_user("auditor", (self.it_unit, Role.AUDITOR))
        self.sysadmin = make_user("sysadmin", (self.it_unit, Role.SYSADMIN))
        self.secadmin = make_user("secadmin", (self.it_unit, Role.SECADMIN))

    def role(self, name: str) -> User:
        return getattr(self, name)


@pytest.fixture
def cast(db) -> Cast:
    return Cast()


class Clock:
    """Moves the application's clock (and django-axes') without sleeping."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.current: datetime = timezone.now()
        self._monkeypatch = monkeypatch
        import axes.attempts
        import axes.handlers.proxy

        for module, name in (
            (clock_module, "now"),
            (axes.attempts, "now"),
            (axes.handlers.proxy, "now"),
        ):
            monkeypatch.setattr(module, name, self.now)

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs) -> None:
        self.current += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    return Clock(monkeypatch)


@pytest.fixture
def login(client):
    """Sign a user in through the real session, second factor included where the role needs it."""

    def _login(user: User):
        client.force_login(user)
        from kaimen.org.scope import requires_second_factor

        if requires_second_factor(user):
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        return client

    return _login


def require_or_skip(what: str, how: str) -> None:
    """In CI (KAIMEN_REQUIRE_FULL=1) a missing browser or database fails the test; on a laptop
    it is skipped with a message saying how to enable it."""
    if os.environ.get("KAIMEN_REQUIRE_FULL") == "1":
        pytest.fail(f"{what} is required in CI but missing: {how}")
    pytest.skip(f"{what} not available ({how})")


@pytest.fixture(autouse=True)
def _audit_triggers(request):
    """Keep the audit table append-only in every database test, but let pytest-django flush the
    tables after a transactional test (a flush is a DELETE/TRUNCATE the triggers refuse)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    uses_db = transactional or marker is not None or "db" in request.fixturenames
    if not uses_db:
        yield
        return
    from django.db import connection

    from kaimen.audit import triggers

    request.getfixturevalue("transactional_db" if transactional else "db")
    triggers.install(connection)
    yield
    if transactional:
        triggers.remove(connection)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: the monitoring board is cached under a fingerprint
    of targets' tables, and test databases reuse ids, so one test's board could match another's."""
    cache.clear()
    yield
    cache.clear()
