"""The permission-matrix harness every app's matrix test uses: each URL name (and API operation)
× every role of the cast × own unit / other unit × read / change → the expected status.

An allowed role gets ``case.ok`` and no refused or failed audit event (and, for a change, at
least one audit event: the change was carried out, not bounced by a form error). Any other
signed-in role gets a 403 with the refusal text, the database as it was and exactly one
``permission.denied`` event. The anonymous are sent to the login page (the API answers 401),
with nothing changed and nothing written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from kaimen.audit.models import AuditEvent, Outcome

DENIED_TEXT = "您没有执行此操作的权限"
# The cast's roles as the matrix names them (tests/conftest.py: Cast.role); liaison_b is the
# other town's liaison, for the apps whose rules tell the two towns apart.
ROLES = [
    "leader",
    "office",
    "liaison_a",
    "member_a",
    "auditor",
    "sysadmin",
    "secadmin",
    "anonymous",
]
ROLES_WITH_B = [*ROLES[:3], "liaison_b", *ROLES[3:]]
SIGNED_IN = frozenset(ROLES_WITH_B) - {"anonymous"}
BUSINESS = frozenset({"leader", "office", "liaison_a", "liaison_b", "member_a"})
OFFICE = frozenset({"office"})
LEADS = frozenset({"leader", "office"})


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    target: str = "-"  # "own" (东城街道's), "other" (西城街道's), or what the app's matrix names
    allowed: frozenset[str] = frozenset()
    ok: int = 200  # the status an allowed role gets
    anonymous: int | None = None  # None: anonymous is sent to the login page

    @property
    def id(self) -> str:
        return f"{self.url_name}-{self.method}-{self.target}"


def both(url_name: str, method: str, own: frozenset[str], other: frozenset[str], ok: int):
    """The same URL on the own unit's object and on the other unit's."""
    return [Case(url_name, method, "own", own, ok), Case(url_name, method, "other", other, ok)]


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def sign_in(login, cast, role: str):
    """The cast's user of ``role``, signed in (None for the anonymous)."""
    user = None if role == "anonymous" else cast.role(role)
    if user is not None:
        login(user)
    return user


def send(client, method: str, url: str, data: Any = None, *, json_body: bool = False):
    if method == "GET":
        return client.get(url)
    if json_body:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def check_outcome(
    case,
    role: str,
    user,
    response,
    *,
    before: Any,
    mark: int,
    db_state: Callable[[], Any],
    api: bool = False,
    change_shows: bool = False,
    events_per_change: int | None = None,
    denied_with_ip: bool = False,
    other_is_not_found: bool = False,
) -> None:
    """The matrix's verdict on one response (see the module's docstring).

    ``change_shows``: an allowed change must also show in ``db_state``; ``events_per_change``:
    an allowed change writes exactly that many events; ``denied_with_ip``: the refusal's event
    records the client's address; ``other_is_not_found``: another person's object answers 404
    (as if it did not exist) instead of 403.
    """
    new_events = events_after(mark)
    if role == "anonymous":
        anonymous = getattr(case, "anonymous", None)
        if api:
            assert response.status_code == 401
        elif anonymous is not None:
            assert response.status_code == anonymous
            return
        else:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("org:login"))
        assert db_state() == before
        assert new_events == []
        return
    content = getattr(response, "content", b"")[:800]
    if role in case.allowed:
        assert response.status_code == case.ok, content
        refused = [e for e in new_events if e.outcome != Outcome.SUCCESS]
        assert not refused, [(e.action, e.message) for e in refused]
        if case.method == "POST":
            if events_per_change is not None:
                assert len(new_events) == events_per_change, [e.action for e in new_events]
            else:
                assert new_events, "an allowed change wrote no audit event"
            if change_shows:
                assert db_state() != before
        return
    if other_is_not_found and case.target == "other":
        assert response.status_code == 404
        assert db_state() == before
        assert new_events == []
        return
    assert response.status_code == 403, content
    if not api:
        assert DENIED_TEXT in response.content.decode()
    assert db_state() == before
    if denied_with_ip:
        assert [(e.action, e.outcome, e.actor_id, e.ip) for e in new_events] == [
            ("permission.denied", Outcome.DENIED, user.pk, "127.0.0.1")
        ]
    else:
        assert [(e.action, e.outcome, e.actor_id) for e in new_events] == [
            ("permission.denied", Outcome.DENIED, user.pk)
        ]


def per_target(url_name: str, method: str, ok: int, **allowed: frozenset[str]) -> list[Case]:
    """One case per target the app's matrix names (own=..., other=..., co=...)."""
    return [Case(url_name, method, target, roles, ok) for target, roles in allowed.items()]
