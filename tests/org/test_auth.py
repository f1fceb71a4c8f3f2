"""Sign-in and session rules of 等保三级 (SECURITY.md 身份鉴别, 登录失败处理, 剩余信息保护):
lockout keyed by user name, idle and absolute session limits, password rules, TOTP for the
administrators and the office, and an audit event for every outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaimen import settings as production_settings
from kaimen.audit.models import AuditEvent, Outcome
from kaimen.org import services
from kaimen.org.middleware import CAP_NOTE, IDLE_NOTE
from kaimen.org.models import Role, User
from kaimen.org.validators import CharacterClassValidator
from tests.conftest import STRONG_PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOGIN = "/org/login/"
PASSWORD_PAGE = "/org/password/"
OTP_PAGE = "/org/otp/"
LOCKED_TEXT = "已锁定 15 分钟"
WRONG_TEXT = "用户名或密码错误"


def sign_in(client, username: str, password: str, ip: str = "10.1.1.1", **extra):
    return client.post(
        reverse("org:login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=ip
    )


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def fail_five_times(client, username: str = "liaison_a", ip: str = "10.1.1.1") -> None:
    for _ in range(5):
        response = sign_in(client, username, "wrong-Password#1", ip=ip)
        assert response.status_code in (200, 403)
        assert signed_in_as(client) is None


# --- lockout -------------------------------------------------------------------------------


def test_right_password_after_five_failures_is_refused_with_a_message(client, cast):
    for attempt in range(1, 5):
        response = sign_in(client, "liaison_a", "wrong-Password#1")
        assert response.status_code == 200, attempt
        assert WRONG_TEXT in response.content.decode()
    response = sign_in(client, "liaison_a", "wrong-Password#1")
    assert response.status_code == 403  # the fifth failure locks the account
    response = sign_in(client, "liaison_a", STRONG_PASSWORD)
    assert response.status_code == 403
    assert LOCKED_TEXT in response.content.decode()
    assert signed_in_as(client) is None


def test_lockout_is_keyed_by_user_name_not_by_address(cast):
    fail_five_times(Client(), "liaison_a", ip="10.1.1.1")
    colleague = Client()
    response = sign_in(colleague, "liaison_b", STRONG_PASSWORD, ip="10.1.1.1")
    assert response.status_code == 302
    assert signed_in_as(colleague) == cast.liaison_b.pk
    elsewhere = Client()
    response = sign_in(elsewhere, "liaison_a", STRONG_PASSWORD, ip="192.168.7.7")
    assert response.status_code == 403
    assert signed_in_as(elsewhere) is None


def test_lockout_counts_failures_whatever_the_case_of_the_user_name(client, cast):
    for name in ("Liaison_A", "LIAISON_A", "liaison_a", "LiAiSoN_a", "liaison_A"):
        sign_in(client, name, "wrong-Password#1")
    response = sign_in(client, "liaison_a", STRONG_PASSWORD)
    assert response.status_code == 403
    assert signed_in_as(client) is None


def test_user_names_are_case_insensitive_at_login(client, cast):
    response = sign_in(client, "LIAISON_A", STRONG_PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == cast.liaison_a.pk


def test_a_locked_account_is_still_locked_just_before_fifteen_minutes(client, cast, clock):
    fail_five_times(client)
    clock.advance(minutes=14, seconds=59)
    assert sign_in(client, "liaison_a", STRONG_PASSWORD).status_code == 403
    assert signed_in_as(client) is None


def test_a_locked_account_works_again_after_fifteen_minutes(client, cast, clock):
    fail_five_times(client)
    clock.advance(minutes=15, seconds=1)
    response = sign_in(client, "liaison_a", STRONG_PASSWORD)
    assert response.status_code == 302
    assert signed_in_as(client) == cast.liaison_a.pk


def test_a_lockout_is_not_a_server_error_for_an_unknown_user_name(client, cast):
    fail_five_times(client, "nobody.here")
    response = sign_in(client, "nobody.here", STRONG_PASSWORD)
    assert response.status_code == 403
    assert LOCKED_TEXT in response.content.decode()


# --- audit of every sign-in outcome ----------------------------------------------------------


def test_a_successful_login_writes_one_event_with_the_client_ip(client, cast):
    mark = last_event_id()
    sign_in(client, "liaison_a", STRONG_PASSWORD, ip="10.20.30.40")
    assert [(e.action, e.outcome, e.actor_id, e.ip) for e in events_after(mark)] == [
        ("auth.login", Outcome.SUCCESS, cast.liaison_a.pk, "10.20.30.40")
    ]


def test_a_wrong_password_writes_one_failure_event(client, cast):
    mark = last_event_id()
    response = sign_in(client, "liaison_a", "wrong-Password#1", ip="10.20.30.41")
    assert response.status_code == 200
    events = events_after(mark)
    assert [(e.action, e.outcome, e.actor_id, e.ip) for e in events] == [
        ("auth.login", Outcome.FAILURE, cast.liaison_a.pk, "10.20.30.41")
    ]
    assert "wrong-Password" not in str(events[0].after) + events[0].message


def test_an_unknown_user_name_writes_one_failure_event_naming_what_was_typed(client, cast):
    mark = last_event_id()
    sign_in(client, "nobody.here", "wrong-Password#1", ip="10.20.30.42")
    assert [(e.action, e.outcome, e.actor_id, e.actor_name, e.ip) for e in events_after(mark)] == [
        ("auth.login", Outcome.FAILURE, None, "nobody.here", "10.20.30.42")
    ]


def test_each_refused_try_during_a_lockout_writes_one_lockout_event(client, cast):
    fail_five_times(client, ip="10.20.30.43")
    lockouts = AuditEvent.objects.filter(action="auth.lockout")
    failures = AuditEvent.objects.filter(action="auth.login", outcome=Outcome.FAILURE)
    assert (failures.count(), lockouts.count()) == (4, 1)
    mark = last_event_id()
    sign_in(client, "liaison_a", STRONG_PASSWORD, ip="10.20.30.43")
    assert [(e.action, e.outcome, e.actor_id, e.ip) for e in events_after(mark)] == [
        ("auth.lockout", Outcome.DENIED, cast.liaison_a.pk, "10.20.30.43")
    ]


def test_logout_writes_one_event_with_the_client_ip(client, cast):
    sign_in(client, "liaison_a", STRONG_PASSWORD)
    mark = last_event_id()
    response = client.post(reverse("org:logout"), REMOTE_ADDR="10.20.30.44")
    assert response.status_code == 302
    assert [(e.action, e.outcome, e.actor_id, e.ip) for e in events_after(mark)] == [
        ("auth.logout", Outcome.SUCCESS, cast.liaison_a.pk, "10.20.30.44")
    ]


def test_login_ignores_a_next_address_on_another_site(client, cast):
    response = client.post(
        reverse("org:login") + "?next=https://evil.example/steal",
        {"username": "liaison_a", "password": STRONG_PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_over_long_user_name_is_a_form_error_not_a_server_error(client, cast):
    response = sign_in(client, "x" * 5000, STRONG_PASSWORD)
    assert response.status_code == 200
    assert signed_in_as(client) is None


# --- CSRF --------------------------------------------------------------------------------------


def test_a_forged_csrf_token_on_the_login_form_is_refused_with_a_clear_page(cast):
    client = Client(enforce_csrf_checks=True)
    assert client.get(reverse("org:login")).status_code == 200
    assert "csrftoken" in client.cookies
    mark = last_event_id()
    response = client.post(
        reverse("org:login"),
        {"username": "liaison_a", "password": STRONG_PASSWORD, "csrfmiddlewaretoken": "x" * 64},
        REMOTE_ADDR="10.20.30.45",
    )
    assert response.status_code == 403
    body = response.content.decode()
    assert "表单已失效" in body
    assert "请返回并刷新页面后重新提交" in body
    assert signed_in_as(client) is None
    assert [(e.action, e.outcome, e.ip) for e in events_after(mark)] == [
        ("security.csrf", Outcome.DENIED, "10.20.30.45")
    ]


def test_a_post_without_any_csrf_token_is_refused_and_audited(cast):
    client = Client(enforce_csrf_checks=True)
    mark = last_event_id()
    response = client.post(reverse("org:login"), {"username": "liaison_a", "password": "x"})
    assert response.status_code == 403
    assert [e.action for e in events_after(mark)] == ["security.csrf"]


# --- sessions ------------------------------------------------------------------------------------


def test_a_request_after_31_idle_minutes_goes_to_the_login_page(client, login, cast, clock):
    login(cast.liaison_a)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    mark = last_event_id()
    response = client.get("/org/units/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert signed_in_as(client) is None
    assert [(e.action, e.message) for e in events_after(mark)] == [("auth.logout", IDLE_NOTE)]
    assert client.get("/").status_code == 302


def test_a_request_after_29_idle_minutes_is_served(client, login, cast, clock):
    login(cast.liaison_a)
    assert client.get("/").status_code == 200
    for _ in range(4):  # activity keeps the session alive: 4 × 29 minutes
        clock.advance(minutes=29)
        assert client.get("/").status_code == 200
    assert signed_in_as(client) == cast.liaison_a.pk


def test_the_last_seen_time_is_written_back_at_most_once_a_minute(client, login, cast, clock):
    """A page view that only reads writes no session row; the idle clock moves by the minute."""
    from kaimen.org.middleware import LAST_SEEN_EVERY

    login(cast.liaison_a)
    assert client.get("/").status_code == 200
    first = client.session["kaimen_last_seen"]
    clock.advance(seconds=LAST_SEEN_EVERY - 1)
    assert client.get("/").status_code == 200
    assert client.session["kaimen_last_seen"] == first
    clock.advance(seconds=2)
    assert client.get("/").status_code == 200
    assert client.session["kaimen_last_seen"] == first + LAST_SEEN_EVERY + 1


def test_a_busy_session_still_ends_at_the_absolute_cap(client, login, cast, clock):
    login(cast.liaison_a)
    assert client.get("/").status_code == 200
    elapsed = timedelta()
    step = timedelta(minutes=29)
    while elapsed <= timedelta(hours=12):
        clock.advance(minutes=29)
        elapsed += step
        response = client.get("/")
        if elapsed > timedelta(hours=12):
            assert response.status_code == 302
            assert response["Location"].startswith(LOGIN)
        else:
            assert response.status_code == 200, elapsed
    assert AuditEvent.objects.filter(action="auth.logout", message=CAP_NOTE).count() == 1
    assert signed_in_as(client) is None


def test_logout_kills_the_session_on_the_server(client, login, cast):
    login(cast.liaison_a)
    assert client.get("/").status_code == 200
    old_key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=old_key).exists()
    client.post(reverse("org:logout"))
    assert not Session.objects.filter(session_key=old_key).exists()
    replay = Client()
    replay.cookies["sessionid"] = old_key
    response = replay.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_a_deactivated_users_live_session_dies_at_the_next_request(client, login, cast):
    login(cast.liaison_a)
    assert client.get("/").status_code == 200
    services.person_deactivate(actor=cast.office, person=cast.liaison_a, reason="调离")
    response = client.get("/org/units/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert sign_in(Client(), "liaison_a", STRONG_PASSWORD).status_code == 200  # refused


# --- passwords -------------------------------------------------------------------------------------


def test_password_complexity_rejects_two_classes_and_accepts_three():
    with pytest.raises(DjangoValidationError):
        password_validation.validate_password("abc12345")
    with pytest.raises(DjangoValidationError):
        CharacterClassValidator(min_classes=3).validate("abc12345")
    password_validation.validate_password("Kaimen#2025")
    CharacterClassValidator(min_classes=3).validate("Kaimen#2025")


def test_password_shorter_than_eight_characters_is_rejected():
    with pytest.raises(DjangoValidationError):
        password_validation.validate_password("Ka#2025")


def test_a_weak_new_password_is_refused_by_the_change_form(client, login, cast):
    login(cast.liaison_a)
    before = User.objects.get(pk=cast.liaison_a.pk).password
    response = client.post(
        reverse("org:password_change"),
        {"old_password": STRONG_PASSWORD, "new_password": "abc12345", "new_password2": "abc12345"},
    )
    assert response.status_code == 200
    assert User.objects.get(pk=cast.liaison_a.pk).password == before


def test_a_first_login_must_change_the_password_before_any_page(client, cast):
    newcomer = make_user("xinren", (cast.town_a, Role.LIAISON), must_change=True)
    assert sign_in(client, "xinren", STRONG_PASSWORD).status_code == 302
    for path in ("/", "/org/units/", f"/org/units/{cast.town_a.pk}/", "/org/people/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == PASSWORD_PAGE
    assert client.get(PASSWORD_PAGE).status_code == 200
    mark = last_event_id()
    response = client.post(
        PASSWORD_PAGE,
        {
            "old_password": STRONG_PASSWORD,
            "new_password": "Qingshan#2026",
            "new_password2": "Qingshan#2026",
        },
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert not newcomer.must_change_password
    assert newcomer.check_password("Qingshan#2026")
    assert [(e.action, e.actor_id) for e in events_after(mark)] == [
        ("password.change", newcomer.pk)
    ]
    assert client.get("/").status_code == 200  # still signed in after the change


def test_a_password_older_than_90_days_must_be_changed(client, login, cast, clock):
    clock.advance(days=91)
    login(cast.liaison_a)
    for path in ("/", "/org/units/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == PASSWORD_PAGE


def test_a_password_89_days_old_is_still_accepted(client, login, cast, clock):
    clock.advance(days=89)
    login(cast.liaison_a)
    assert client.get("/").status_code == 200


def test_production_hashes_passwords_with_argon2(cast):
    assert "Argon2" in production_settings.PASSWORD_HASHERS[0]
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        person = services.person_create(
            actor=cast.office,
            username="argon.user",
            display_name="哈希",
            initial_password="Qingshan#2026",
        )
        person.refresh_from_db()
        assert person.password.startswith("argon2$")
        assert person.check_password("Qingshan#2026")
        assert not person.check_password("Qingshan#2027")


# --- second factor ---------------------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{value:0{device.digits}d}"


@pytest.fixture
def office_device(cast) -> TOTPDevice:
    return TOTPDevice.objects.create(user=cast.office, name="手机", confirmed=True)


def test_an_office_user_after_a_password_only_login_is_sent_to_otp_from_every_page(
    client, cast, office_device
):
    assert sign_in(client, "office", STRONG_PASSWORD).status_code == 302
    for path in ("/", "/org/units/", "/org/people/", PASSWORD_PAGE, "/audit/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(OTP_PAGE), path
    assert client.get(OTP_PAGE).status_code == 200


@pytest.mark.parametrize(
    ("role", "path"),
    [("sysadmin", "/org/people/"), ("secadmin", "/org/security/"), ("auditor", "/audit/")],
)
def test_administrator_pages_need_the_second_factor_after_a_password_login(
    client, cast, role, path
):
    TOTPDevice.objects.create(user=cast.role(role), name="手机", confirmed=True)
    assert sign_in(client, role, STRONG_PASSWORD).status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(OTP_PAGE)


def test_a_correct_code_lets_the_office_user_in(client, cast, office_device):
    sign_in(client, "office", STRONG_PASSWORD)
    mark = last_event_id()
    response = client.post(OTP_PAGE + "?next=/org/units/", {"token": current_code(office_device)})
    assert response.status_code == 302
    assert response["Location"] == "/org/units/"
    assert client.get("/org/units/").status_code == 200
    assert [(e.action, e.outcome) for e in events_after(mark)] == [("otp.verify", Outcome.SUCCESS)]


def test_a_replayed_code_fails_in_a_second_session(cast, office_device):
    first = Client()
    sign_in(first, "office", STRONG_PASSWORD)
    code = current_code(office_device)
    assert first.post(OTP_PAGE, {"token": code}).status_code == 302
    second = Client()
    sign_in(second, "office", STRONG_PASSWORD)
    mark = last_event_id()
    response = second.post(OTP_PAGE, {"token": code})
    assert response.status_code == 200
    assert "验证码错误或已被使用" in response.content.decode()
    assert [(e.action, e.outcome) for e in events_after(mark)] == [("otp.verify", Outcome.FAILURE)]
    response = second.get("/org/units/")
    assert response.status_code == 302
    assert response["Location"].startswith(OTP_PAGE)


def test_a_wrong_code_is_refused(client, cast, office_device):
    sign_in(client, "office", STRONG_PASSWORD)
    good = current_code(office_device)
    wrong = f"{(int(good) + 500000) % 1000000:06d}"
    response = client.post(OTP_PAGE, {"token": wrong})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_a_business_user_needs_no_second_factor(client, cast):
    sign_in(client, "liaison_a", STRONG_PASSWORD)
    assert client.get("/").status_code == 200
