"""The org services: permission, validation, one transaction, one audit event each
(SECURITY.md 安全审计, optimistic locking, 数据保密性, idle and default accounts)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import checks
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.core.checks import default_accounts
from kaimen.lib.errors import PermissionDenied, StaleVersion, ValidationError
from kaimen.org import services
from kaimen.org.models import Membership, Role, Unit, UnitKind, User
from tests.conftest import STRONG_PASSWORD, make_user

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
LONG = "长" * 300
NEW_PASSWORD = "Qingshan#2026"


def last_event_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_after(mark: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))


def db_state() -> dict[str, list[dict]]:
    return {
        "units": list(Unit.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "events": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }


# --- one audit event per write --------------------------------------------------------------------


def _deactivated(c):
    services.person_deactivate(actor=c.office, person=c.member_a, reason="调离")
    c.member_a.refresh_from_db()


WRITES = {
    "unit.create": (
        None,
        lambda c: services.unit_create(
            actor=c.office, name="区新设中心", kind=UnitKind.DEPARTMENT, parent=c.top
        ),
        "office",
    ),
    "unit.update": (
        None,
        lambda c: services.unit_update(
            actor=c.office, unit=c.town_a, expected_version=1, duties="企业服务"
        ),
        "office",
    ),
    "unit.deactivate": (
        None,
        lambda c: services.unit_set_active(actor=c.sysadmin, unit=c.town_b, active=False),
        "sysadmin",
    ),
    "person.create": (
        None,
        lambda c: services.person_create(
            actor=c.office,
            username="xinren",
            display_name="新同事",
            initial_password=NEW_PASSWORD,
        ),
        "office",
    ),
    "person.update": (
        None,
        lambda c: services.person_update(
            actor=c.office, person=c.member_a, expected_version=1, display_name="改名"
        ),
        "office",
    ),
    "person.deactivate": (
        None,
        lambda c: services.person_deactivate(actor=c.office, person=c.member_a, reason="调离"),
        "office",
    ),
    "person.reactivate": (
        _deactivated,
        lambda c: services.person_reactivate(
            actor=c.office, person=c.member_a, temporary_password=NEW_PASSWORD
        ),
        "office",
    ),
    "password.reset": (
        None,
        lambda c: services.password_reset(
            actor=c.sysadmin, person=c.member_a, temporary_password=NEW_PASSWORD
        ),
        "sysadmin",
    ),
    "password.change": (
        None,
        lambda c: services.password_change(
            actor=c.member_a, old_password=STRONG_PASSWORD, new_password=NEW_PASSWORD
        ),
        "member_a",
    ),
    "role.grant": (
        None,
        lambda c: services.membership_grant(
            actor=c.secadmin, person=c.member_a, unit=c.town_a, role=Role.LIAISON
        ),
        "secadmin",
    ),
    "role.revoke": (
        None,
        lambda c: services.membership_end(
            actor=c.office, membership=Membership.objects.get(user=c.member_a)
        ),
        "office",
    ),
    "security.unlock": (
        None,
        lambda c: services.lockout_clear(actor=c.secadmin, username="Liaison_A"),
        "secadmin",
    ),
}


@pytest.mark.parametrize("action", list(WRITES))
def test_each_write_records_exactly_one_audit_event(cast, action):
    setup, write, actor = WRITES[action]
    if setup:
        setup(cast)
    mark = last_event_id()
    write(cast)
    events = events_after(mark)
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        (action, Outcome.SUCCESS, cast.role(actor).pk)
    ]
    event = events[0]
    assert event.at is not None
    assert timezone.is_aware(event.at)
    assert event.hash
    assert event.prev_hash
    assert event.hash_alg in {"sm3", "sha256"}


def test_a_unit_update_records_before_and_after(cast):
    mark = last_event_id()
    services.unit_update(actor=cast.office, unit=cast.town_a, expected_version=1, duties="新职责")
    (event,) = events_after(mark)
    assert event.before["duties"] == ""
    assert event.after["duties"] == "新职责"
    assert event.object_type == "org.unit"
    assert event.object_id == str(cast.town_a.pk)


def test_refused_writes_write_nothing(cast):
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.unit_create(actor=cast.liaison_a, name="区新设中心", kind=UnitKind.DEPARTMENT)
    with pytest.raises(PermissionDenied):
        services.person_deactivate(actor=cast.leader, person=cast.member_a, reason="调离")
    with pytest.raises(PermissionDenied):
        services.lockout_clear(actor=cast.sysadmin, username="liaison_a")
    assert db_state() == before


# --- optimistic locking ---------------------------------------------------------------------------


def test_two_unit_saves_from_the_same_version_one_wins_one_is_told(cast):
    first = Unit.objects.get(pk=cast.town_a.pk)
    second = Unit.objects.get(pk=cast.town_a.pk)
    services.unit_update(actor=cast.office, unit=first, expected_version=1, duties="先到")
    mark = last_event_id()
    with pytest.raises(StaleVersion) as refused:
        services.unit_update(actor=cast.sysadmin, unit=second, expected_version=1, duties="后到")
    assert "他人修改" in refused.value.message
    stored = Unit.objects.get(pk=cast.town_a.pk)
    assert (stored.duties, stored.version) == ("先到", 2)
    assert events_after(mark) == []


def test_two_person_saves_from_the_same_version_one_wins_one_is_told(cast):
    first = User.objects.get(pk=cast.member_a.pk)
    second = User.objects.get(pk=cast.member_a.pk)
    services.person_update(actor=cast.office, person=first, expected_version=1, display_name="甲")
    with pytest.raises(StaleVersion):
        services.person_update(
            actor=cast.sysadmin, person=second, expected_version=1, display_name="乙"
        )
    stored = User.objects.get(pk=cast.member_a.pk)
    assert (stored.display_name, stored.version) == ("甲", 2)


def test_a_stale_save_through_the_view_is_a_clear_409_not_a_500(client, login, cast):
    login(cast.office)
    url = reverse("org:unit_edit", kwargs={"unit_id": cast.town_a.pk})
    form = {
        "version": 1,
        "name": "东城街道",
        "kind": UnitKind.TOWN,
        "parent": cast.top.pk,
        "sort_order": 100,
        "contact_phone": "",
    }
    assert client.post(url, {**form, "duties": "先到"}).status_code == 302
    response = client.post(url, {**form, "duties": "后到"})
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode()
    assert Unit.objects.get(pk=cast.town_a.pk).duties == "先到"


# --- bad names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"), [(SCRIPT, "尖括号"), (LONG, "最长60个字"), ("  \u200b ", "不能为空")]
)
def test_a_bad_unit_name_is_refused_with_a_clear_message(cast, bad, message):
    before = db_state()
    with pytest.raises(ValidationError, match=message):
        services.unit_create(actor=cast.office, name=bad, kind=UnitKind.DEPARTMENT)
    with pytest.raises(ValidationError, match=message):
        services.unit_update(actor=cast.office, unit=cast.town_a, expected_version=1, name=bad)
    assert db_state() == before


@pytest.mark.parametrize("bad", [SCRIPT, "a\nb", "x" * 300, "admin<b>"])
def test_a_bad_user_name_or_display_name_is_refused(cast, bad):
    before = db_state()
    with pytest.raises(ValidationError):
        services.person_create(
            actor=cast.office, username=bad, display_name="某人", initial_password=NEW_PASSWORD
        )
    with pytest.raises(ValidationError):
        services.person_create(
            actor=cast.office, username="mouren", display_name=bad, initial_password=NEW_PASSWORD
        )
    with pytest.raises(ValidationError):
        services.person_update(
            actor=cast.office, person=cast.member_a, expected_version=1, display_name=bad
        )
    assert db_state() == before


def test_a_unit_cannot_be_moved_under_itself(cast):
    sub = services.unit_create(
        actor=cast.office, name="东城社区", kind=UnitKind.TOWN, parent=cast.town_a
    )
    with pytest.raises(ValidationError, match="自身|itself|下级"):
        services.unit_update(actor=cast.office, unit=cast.town_a, expected_version=1, parent=sub)
    assert Unit.objects.get(pk=cast.town_a.pk).parent_id == cast.top.pk


def test_a_duplicate_unit_name_is_a_clear_error(cast):
    with pytest.raises(ValidationError, match="西城街道"):
        services.unit_create(actor=cast.office, name="西城街道", kind=UnitKind.TOWN)


@pytest.mark.parametrize("bad", [SCRIPT, LONG])
def test_a_bad_unit_name_through_the_view_is_a_form_error(client, login, cast, bad):
    login(cast.office)
    before = db_state()
    response = client.post(
        reverse("org:unit_create"),
        {"name": bad, "kind": UnitKind.DEPARTMENT, "parent": cast.top.pk, "sort_order": 100},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="msg msg-error"' in body or 'class="error"' in body
    assert "<script>alert(1)" not in body  # shown escaped, never as markup
    assert db_state() == before


@pytest.mark.parametrize("bad", [SCRIPT, LONG])
def test_a_bad_name_on_the_unit_edit_form_is_a_form_error(client, login, cast, bad):
    login(cast.office)
    before = db_state()
    response = client.post(
        reverse("org:unit_edit", kwargs={"unit_id": cast.town_a.pk}),
        {
            "version": 1,
            "name": bad,
            "kind": UnitKind.TOWN,
            "parent": cast.top.pk,
            "sort_order": 100,
        },
    )
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("field", ["username", "display_name"])
def test_a_script_laden_person_name_through_the_view_is_a_form_error(client, login, cast, field):
    login(cast.office)
    before = db_state()
    data = {"username": "mouren", "display_name": "某人", "initial_password": NEW_PASSWORD}
    data[field] = SCRIPT
    response = client.post(reverse("org:person_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "尖括号" in body
    assert "<script>alert(1)" not in body
    assert db_state() == before


# --- the audit write is part of the change --------------------------------------------------------


@pytest.fixture(params=["link_hash", "save"])
def broken_audit(request, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    if request.param == "link_hash":
        monkeypatch.setattr("kaimen.audit.services.chain.link_hash", fail)
    else:
        monkeypatch.setattr(AuditEvent, "save", fail)


ROLLED_BACK = {
    "unit_create": lambda c: services.unit_create(
        actor=c.office, name="区新设中心", kind=UnitKind.DEPARTMENT
    ),
    "unit_update": lambda c: services.unit_update(
        actor=c.office, unit=c.town_a, expected_version=1, name="东城新区"
    ),
    "unit_set_active": lambda c: services.unit_set_active(
        actor=c.office, unit=c.town_b, active=False
    ),
    "person_create": lambda c: services.person_create(
        actor=c.office, username="xinren", display_name="新同事", initial_password=NEW_PASSWORD
    ),
    "person_deactivate": lambda c: services.person_deactivate(
        actor=c.office, person=c.member_a, reason="调离"
    ),
    "membership_grant": lambda c: services.membership_grant(
        actor=c.office, person=c.member_a, unit=c.town_b, role=Role.LIAISON
    ),
    "membership_end": lambda c: services.membership_end(
        actor=c.office, membership=Membership.objects.get(user=c.member_a)
    ),
    "password_change": lambda c: services.password_change(
        actor=c.member_a, old_password=STRONG_PASSWORD, new_password=NEW_PASSWORD
    ),
}


@pytest.mark.parametrize("write", list(ROLLED_BACK))
def test_a_failing_audit_writer_rolls_the_change_back(cast, broken_audit, write):
    before = db_state()
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        ROLLED_BACK[write](cast)
    assert db_state() == before


# --- people who leave -------------------------------------------------------------------------------


def test_deactivation_never_deletes(cast):
    membership = Membership.objects.get(user=cast.member_a)
    services.person_deactivate(actor=cast.office, person=cast.member_a, reason="调离本单位")
    person = User.objects.get(pk=cast.member_a.pk)
    assert not person.is_active
    assert person.deactivated_at is not None
    assert person.deactivation_reason == "调离本单位"
    membership.refresh_from_db()
    assert not membership.is_active
    assert membership.ended_at is not None
    assert AuditEvent.objects.filter(actor=cast.member_a).count() == 0  # trail kept, nothing lost
    assert not hasattr(services, "person_delete")


def test_deactivation_needs_a_reason(cast):
    with pytest.raises(ValidationError):
        services.person_deactivate(actor=cast.office, person=cast.member_a, reason="   ")
    assert User.objects.get(pk=cast.member_a.pk).is_active


def test_a_deactivated_person_cannot_be_given_a_role(cast):
    services.person_deactivate(actor=cast.office, person=cast.member_a, reason="调离")
    with pytest.raises(ValidationError):
        services.membership_grant(
            actor=cast.office, person=cast.member_a, unit=cast.town_b, role=Role.LIAISON
        )


def test_a_created_account_must_change_its_password_at_first_login(cast):
    person = services.person_create(
        actor=cast.office, username="xinren", display_name="新同事", initial_password=NEW_PASSWORD
    )
    assert person.must_change_password


# --- user names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("taken", ["LIAISON_A", "Liaison_a", "liaison_a"])
def test_user_names_are_unique_whatever_their_case(cast, taken):
    with pytest.raises(ValidationError, match="liaison_a"):
        services.person_create(
            actor=cast.office, username=taken, display_name="重名", initial_password=NEW_PASSWORD
        )
    assert User.objects.filter(username__iexact="liaison_a").count() == 1


def test_the_database_refuses_a_user_name_differing_only_in_case(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="LEADER", display_name="冒名")


def test_a_new_user_name_is_stored_in_lower_case(cast):
    person = services.person_create(
        actor=cast.office, username="WangWu", display_name="王五", initial_password=NEW_PASSWORD
    )
    assert person.username == "wangwu"


# --- personal data -------------------------------------------------------------------------------------


@pytest.fixture
def phone_owner(cast):
    User.objects.filter(pk=cast.member_a.pk).update(phone="13812345678")
    return cast.member_a


@pytest.mark.parametrize("viewer", ["office", "leader", "sysadmin", "secadmin", "liaison_a"])
def test_the_people_list_never_shows_a_full_phone_number(client, login, cast, phone_owner, viewer):
    login(cast.role(viewer))
    response = client.get(reverse("org:people_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "13812345678" not in body
    assert "138****5678" in body
    assert "no-store" in response["Cache-Control"]


def test_the_unit_and_person_pages_mask_the_phone_and_are_not_cached(
    client, login, cast, phone_owner
):
    login(cast.office)
    for url in (
        reverse("org:unit_detail", kwargs={"unit_id": cast.town_a.pk}),
        reverse("org:person_detail", kwargs={"person_id": phone_owner.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "13812345678" not in response.content.decode()
        assert "138****5678" in response.content.decode()
        assert "no-store" in response["Cache-Control"], url
    response = client.get(reverse("org:person_edit", kwargs={"person_id": phone_owner.pk}))
    assert "no-store" in response["Cache-Control"]


def test_revealing_a_phone_returns_it_and_writes_one_access_event(client, login, cast, phone_owner):
    login(cast.office)
    mark = last_event_id()
    response = client.post(reverse("org:person_reveal_phone", kwargs={"person_id": phone_owner.pk}))
    assert response.status_code == 200
    assert "13812345678" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert [(e.action, e.outcome, e.actor_id, e.object_id) for e in events_after(mark)] == [
        ("pii.reveal", Outcome.SUCCESS, cast.office.pk, str(phone_owner.pk))
    ]


@pytest.mark.parametrize("viewer", ["leader", "secadmin", "member_a", "auditor", "liaison_b"])
def test_revealing_a_phone_needs_permission(client, login, cast, phone_owner, viewer):
    login(cast.role(viewer))
    mark = last_event_id()
    response = client.post(reverse("org:person_reveal_phone", kwargs={"person_id": phone_owner.pk}))
    assert response.status_code == 403
    assert "13812345678" not in response.content.decode()
    assert [(e.action, e.outcome) for e in events_after(mark)] == [
        ("permission.denied", Outcome.DENIED)
    ]


# --- idle and default accounts ------------------------------------------------------------------------


def test_an_account_unused_for_91_days_is_disabled_and_one_used_yesterday_is_not(cast):
    now = timezone.now()
    User.objects.filter(pk=cast.liaison_a.pk).update(last_login=now - timedelta(days=91))
    User.objects.filter(pk=cast.liaison_b.pk).update(last_login=now - timedelta(days=1))
    never = make_user("never.signed.in")
    User.objects.filter(pk=never.pk).update(date_joined=now - timedelta(days=91))
    mark = last_event_id()
    names = services.accounts_disable_idle()
    assert sorted(names) == ["liaison_a", "never.signed.in"]
    assert not User.objects.get(pk=cast.liaison_a.pk).is_active
    assert not User.objects.get(pk=never.pk).is_active
    assert User.objects.get(pk=cast.liaison_b.pk).is_active
    assert User.objects.get(pk=cast.leader.pk).is_active  # created today, never signed in
    events = events_after(mark)
    assert sorted((e.action, e.actor_name, e.object_id) for e in events) == sorted(
        [
            ("person.deactivate", "system", str(cast.liaison_a.pk)),
            ("person.deactivate", "system", str(never.pk)),
        ]
    )
    assert User.objects.filter(pk=cast.liaison_a.pk).exists()  # disabled, not deleted


def test_the_nightly_job_disables_idle_accounts(cast, clock):
    from kaimen.org.tasks import disable_idle_accounts

    User.objects.filter(pk=cast.liaison_b.pk).update(last_login=clock.now())
    clock.advance(days=91)
    User.objects.filter(pk=cast.liaison_a.pk).update(last_login=clock.now() - timedelta(days=1))
    disabled = disable_idle_accounts.call_local()
    assert "liaison_b" in disabled
    assert "liaison_a" not in disabled
    assert not User.objects.get(pk=cast.liaison_b.pk).is_active
    assert User.objects.get(pk=cast.liaison_a.pk).is_active


@pytest.mark.parametrize("name", ["admin", "root", "test", "Admin", "ROOT"])
def test_system_check_fails_for_an_active_default_account(db, name):
    make_user(name)
    errors = default_accounts(None)
    assert [e.id for e in errors] == ["kaimen.E001"]
    assert "kaimen.E001" in {e.id for e in checks.run_checks(tags=[checks.Tags.security])}


def test_system_check_passes_without_default_accounts(cast):
    assert default_accounts(None) == []
    admin = make_user("admin")
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert default_accounts(None) == []
