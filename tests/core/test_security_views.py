"""The request layer's security behaviour: CSRF refusals, error pages that are never a 500,
security headers, no stock admin, and the security administrator's page."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from django.urls import reverse

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.core.views import error_500
from kaimen.org.models import Unit
from tests.conftest import STRONG_PASSWORD

pytestmark = pytest.mark.django_db


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def lock_out(username: str) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("org:login"), {"username": username, "password": "wrong-Password#1"})


# --- CSRF ----------------------------------------------------------------------------------------


def test_a_forged_csrf_token_on_a_signed_in_form_is_refused_audited_and_changes_nothing(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.liaison_a)
    url = reverse("org:unit_edit", kwargs={"unit_id": cast.town_a.pk})
    assert client.get(url).status_code == 200
    mark = last_event_id()
    response = client.post(
        url,
        {"version": 1, "duties": "伪造提交", "contact_phone": "", "csrfmiddlewaretoken": "f" * 64},
        REMOTE_ADDR="10.3.3.3",
    )
    assert response.status_code == 403
    assert "表单已失效" in response.content.decode()
    assert Unit.objects.get(pk=cast.town_a.pk).duties == ""
    assert [(e.action, e.outcome, e.actor_id, e.ip) for e in events_after(mark)] == [
        ("security.csrf", Outcome.DENIED, cast.liaison_a.pk, "10.3.3.3")
    ]


def test_a_cross_site_post_with_a_real_token_but_a_foreign_origin_is_refused(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.liaison_a)
    url = reverse("org:unit_edit", kwargs={"unit_id": cast.town_a.pk})
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        url,
        {"version": 1, "duties": "跨站提交", "csrfmiddlewaretoken": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert Unit.objects.get(pk=cast.town_a.pk).duties == ""
    assert AuditEvent.objects.filter(action="security.csrf").count() == 1


def test_a_real_csrf_token_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.liaison_a)
    url = reverse("org:unit_edit", kwargs={"unit_id": cast.town_a.pk})
    client.get(url)
    token = client.cookies["csrftoken"].value
    response = client.post(
        url, {"version": 1, "duties": "正常提交", "contact_phone": "", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=cast.town_a.pk).duties == "正常提交"


# --- error pages -------------------------------------------------------------------------------


def test_an_unknown_address_is_a_404_page_in_chinese(client, login, cast):
    login(cast.liaison_a)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


def test_an_unknown_record_is_a_404_page_not_a_500(client, login, cast):
    login(cast.office)
    for url in (
        reverse("org:unit_detail", kwargs={"unit_id": 987654}),
        reverse("org:unit_edit", kwargs={"unit_id": 987654}),
        reverse("org:person_detail", kwargs={"person_id": 987654}),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "未找到" in response.content.decode()


def test_the_500_page_renders_without_a_signed_in_user():
    request = RequestFactory().get("/")
    response = error_500(request)
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


def test_the_stock_django_admin_is_not_mounted(client, login, cast):
    login(cast.sysadmin)
    for path in ("/admin/", "/admin/login/", "/admin/org/user/"):
        assert client.get(path).status_code == 404


def test_the_health_check_answers_without_signing_in(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


# --- headers -----------------------------------------------------------------------------------------


def test_pages_carry_the_security_headers(client, login, cast):
    login(cast.liaison_a)
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_no_script_from_another_host(client, login, cast):
    login(cast.liaison_a)
    body = client.get("/").content.decode()
    assert "<script>" not in body  # no inline scripts (the CSP would block them anyway)
    assert "http://" not in body.split("<body")[0]
    assert "https://" not in body.split("<body")[0]


def test_the_session_cookie_is_http_only(client, cast):
    response = client.post(
        reverse("org:login"), {"username": "liaison_a", "password": STRONG_PASSWORD}
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"


# --- the security administrator's page --------------------------------------------------------------


def test_the_security_page_shows_the_policy_and_the_locked_accounts(client, login, cast):
    lock_out("liaison_a")
    login(cast.secadmin)
    response = client.get(reverse("org:security"))
    assert response.status_code == 200
    policy = dict(response.context["policy"])
    assert 5 in policy.values()
    assert 15 in policy.values()
    assert 30 in policy.values()
    assert [a.username for a in response.context["locked"]] == ["liaison_a"]


def test_the_secadmin_unlocks_an_account_and_it_signs_in_again(client, login, cast):
    lock_out("liaison_a")
    refused = Client().post(
        reverse("org:login"), {"username": "liaison_a", "password": STRONG_PASSWORD}
    )
    assert refused.status_code == 403
    login(cast.secadmin)
    mark = last_event_id()
    response = client.post(reverse("org:security_unlock"), {"username": "Liaison_A"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="liaison_a").exists()
    events = events_after(mark)
    assert [(e.action, e.outcome, e.actor_id, e.object_id) for e in events] == [
        ("security.unlock", Outcome.SUCCESS, cast.secadmin.pk, str(cast.liaison_a.pk))
    ]
    again = Client().post(
        reverse("org:login"), {"username": "liaison_a", "password": STRONG_PASSWORD}
    )
    assert again.status_code == 302


@pytest.mark.parametrize("role", ["sysadmin", "office", "auditor", "liaison_a"])
def test_only_the_secadmin_may_unlock(client, login, cast, role):
    lock_out("liaison_b")
    login(cast.role(role))
    response = client.post(reverse("org:security_unlock"), {"username": "liaison_b"})
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="liaison_b").exists()
    assert AuditEvent.objects.filter(action="permission.denied").count() == 1


@pytest.mark.django_db
def test_nul_bytes_in_input_get_a_clear_400_not_a_500(client, cast, login):
    login(cast.office)
    response = client.get("/org/units/", {"q": "东城\x00"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    api = client.get("/api/v1/org/units", {"q": "\x00"})
    assert api.status_code == 400
    assert api.json()["code"] == "invalid"
    form = client.post(f"/org/units/{cast.town_a.pk}/edit/", {"name": "a\x00b", "version": 1})
    assert form.status_code == 400
