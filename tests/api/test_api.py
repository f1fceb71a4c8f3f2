"""The JSON API: bearer tokens act as their person, with that person's scope."""

from __future__ import annotations

import pytest

from kaimen.audit.models import AuditEvent
from kaimen.lib import errors
from kaimen.org import services

pytestmark = pytest.mark.django_db


def bearer(text: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def test_token_acts_as_its_person(client, cast):
    _token, text = services.api_token_issue(
        actor=cast.sysadmin, person=cast.liaison_a, name="town sync"
    )
    response = client.get("/api/v1/org/me", **bearer(text))
    assert response.status_code == 200
    assert response.json()["username"] == "liaison_a"
    assert response.json()["roles"] == ["liaison"]


def test_token_is_stored_only_as_a_digest(cast):
    token, text = services.api_token_issue(actor=cast.office, person=cast.liaison_a, name="sync")
    assert text not in token.digest
    assert token.prefix == text[:10]


def test_revoked_and_expired_tokens_are_refused(client, cast, clock):
    token, text = services.api_token_issue(
        actor=cast.sysadmin, person=cast.liaison_a, name="a", days=30
    )
    assert client.get("/api/v1/org/me", **bearer(text)).status_code == 200
    clock.advance(days=31)
    assert client.get("/api/v1/org/me", **bearer(text)).status_code == 401
    clock.advance(days=-31)
    services.api_token_revoke(actor=cast.sysadmin, token=token)
    assert client.get("/api/v1/org/me", **bearer(text)).status_code == 401


def test_unknown_token_and_no_auth_get_401(client, cast):
    assert client.get("/api/v1/org/units").status_code == 401
    assert client.get("/api/v1/org/units", **bearer("km_not-a-token")).status_code == 401


def test_administrators_get_no_tokens(cast):
    for person in (cast.auditor, cast.secadmin, cast.office):
        with pytest.raises(errors.ValidationError):
            services.api_token_issue(actor=cast.sysadmin, person=person, name="x")


def test_liaison_cannot_issue_tokens(cast):
    with pytest.raises(errors.PermissionDenied):
        services.api_token_issue(actor=cast.liaison_a, person=cast.liaison_a, name="x")


def test_auditor_token_path_is_closed_and_refusal_is_audited(client, cast):
    # A person without business roles sees no units through the API either.
    cast.member_a.memberships.all().update(is_active=False)
    from kaimen.org.models import Membership, Role

    Membership.objects.create(user=cast.member_a, unit=cast.it_unit, role=Role.MEMBER)
    _token, text = services.api_token_issue(actor=cast.sysadmin, person=cast.member_a, name="x")
    assert client.get("/api/v1/org/units", **bearer(text)).status_code == 200
    before = AuditEvent.objects.filter(action="permission.denied").count()
    # Units are not visible to someone holding no role at all.
    Membership.objects.filter(user=cast.member_a).update(is_active=False)
    assert client.get("/api/v1/org/units", **bearer(text)).status_code == 403
    assert AuditEvent.objects.filter(action="permission.denied").count() == before + 1


def test_unit_list_is_paginated_and_query_count_is_flat(
    client, cast, django_assert_max_num_queries
):
    _token, text = services.api_token_issue(actor=cast.sysadmin, person=cast.leader, name="x")
    from kaimen.org.models import Unit, UnitKind

    Unit.objects.bulk_create(Unit(name=f"单位{i}", kind=UnitKind.DEPARTMENT) for i in range(60))
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/org/units?limit=50", **bearer(text))
    body = response.json()
    assert body["count"] == 65
    assert len(body["items"]) == 50


def test_session_without_second_factor_is_not_enough(client, cast):
    client.force_login(cast.office)
    assert client.get("/api/v1/org/me").status_code == 401


def test_session_with_second_factor_works(login, cast):
    client = login(cast.office)
    assert client.get("/api/v1/org/me").json()["roles"] == ["office"]


def test_openapi_schema_is_served_without_a_cdn(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/org/units" in response.json()["paths"]
    assert client.get("/api/docs").status_code == 404
