"""Who may open and change what, through the real views (SECURITY.md: least privilege, 三员分立,
object-level access).

Every URL name of ``kaimen/org/urls.py`` and ``kaimen/audit/urls.py`` × every role of the cast ×
own unit (东城街道, its people) / other unit (西城街道, its people) × read (GET) / change (POST)
→ the expected status. Every refusal leaves the database as it was and writes exactly one
``permission.denied`` event.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.lib.errors import PermissionDenied, ValidationError
from kaimen.org import services
from kaimen.org.models import ApiToken, Membership, Role, Unit, UnitKind, User
from tests.conftest import make_user
from tests.permissions import (
    DENIED_TEXT,
    ROLES,
    SIGNED_IN,
    Case,
    both,
    check_outcome,
    events_after,
    last_event_id,
    send,
    sign_in,
)

pytestmark = pytest.mark.django_db

SEES_UNITS = frozenset({"leader", "office", "liaison_a", "member_a", "sysadmin", "secadmin"})
MANAGES_UNITS = frozenset({"office", "sysadmin"})
DIRECTORY = frozenset({"leader", "office", "sysadmin", "secadmin"})
MANAGES_PEOPLE = frozenset({"office", "sysadmin"})
GRANTS_ROLES = frozenset({"office", "secadmin"})
REVEALS = frozenset({"office", "sysadmin"})


CASES: list[Case] = [
    # sign-in pages: open to everyone signed in; the login page itself to the anonymous
    Case("org:login", "GET", allowed=SIGNED_IN, ok=302, anonymous=200),
    Case("org:logout", "POST", allowed=SIGNED_IN, ok=302),
    Case("org:password_change", "GET", allowed=SIGNED_IN),
    Case("org:otp", "GET", allowed=SIGNED_IN),
    # units: the directory is open to all but the auditor; changes to the office and sysadmin,
    # a liaison changes its own unit's contact details only
    Case("org:unit_list", "GET", allowed=SEES_UNITS),
    *both("org:unit_detail", "GET", SEES_UNITS, SEES_UNITS, 200),
    Case("org:unit_create", "GET", allowed=MANAGES_UNITS),
    Case("org:unit_create", "POST", allowed=MANAGES_UNITS, ok=302),
    *both("org:unit_edit", "GET", MANAGES_UNITS | {"liaison_a"}, MANAGES_UNITS, 200),
    *both("org:unit_edit", "POST", MANAGES_UNITS | {"liaison_a"}, MANAGES_UNITS, 302),
    *both("org:unit_set_active", "POST", MANAGES_UNITS, MANAGES_UNITS, 302),
    # people: a liaison sees its own unit's people only
    Case("org:people_list", "GET", allowed=DIRECTORY | {"liaison_a"}),
    Case("org:person_create", "GET", allowed=MANAGES_PEOPLE),
    Case("org:person_create", "POST", allowed=MANAGES_PEOPLE, ok=302),
    *both("org:person_detail", "GET", DIRECTORY | {"liaison_a"}, DIRECTORY, 200),
    *both("org:person_edit", "GET", MANAGES_PEOPLE, MANAGES_PEOPLE, 200),
    *both("org:person_edit", "POST", MANAGES_PEOPLE, MANAGES_PEOPLE, 302),
    *both("org:person_reveal_phone", "POST", REVEALS | {"liaison_a"}, REVEALS, 200),
    *both("org:person_deactivate", "POST", MANAGES_PEOPLE, MANAGES_PEOPLE, 302),
    *both("org:person_reactivate", "POST", MANAGES_PEOPLE, MANAGES_PEOPLE, 302),
    *both("org:person_reset_password", "POST", MANAGES_PEOPLE, MANAGES_PEOPLE, 302),
    *both("org:membership_add", "POST", GRANTS_ROLES, GRANTS_ROLES, 302),
    *both("org:membership_end", "POST", GRANTS_ROLES, GRANTS_ROLES, 302),
    # integration tokens act as a person: managed like the person's account
    *both("org:person_token_issue", "POST", MANAGES_PEOPLE, MANAGES_PEOPLE, 200),
    *both("org:token_revoke", "POST", MANAGES_PEOPLE, MANAGES_PEOPLE, 302),
    # 三员分立: security settings to the secadmin, the audit log to the auditor only
    Case("org:security", "GET", allowed=frozenset({"secadmin"})),
    Case("org:security_unlock", "POST", allowed=frozenset({"secadmin"}), ok=302),
    Case("audit:event_list", "GET", allowed=frozenset({"auditor"})),
    Case("audit:event_export", "GET", allowed=frozenset({"auditor"})),
]


def test_the_matrix_covers_every_url_name():
    from kaimen.audit import urls as audit_urls
    from kaimen.org import urls as org_urls

    names = {f"org:{p.name}" for p in org_urls.urlpatterns}
    names |= {f"audit:{p.name}" for p in audit_urls.urlpatterns}
    assert names == {case.url_name for case in CASES}


def db_state() -> dict[str, list[dict]]:
    return {
        "units": list(Unit.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "lockouts": list(AccessAttempt.objects.order_by("pk").values()),
        "tokens": list(ApiToken.objects.order_by("pk").values()),
    }


@pytest.fixture
def town(cast):
    """The cast with phone numbers and a few records to act on."""
    User.objects.filter(pk=cast.member_a.pk).update(phone="13812345678")
    User.objects.filter(pk=cast.liaison_b.pk).update(phone="13987654321")
    AccessAttempt.objects.create(
        username="liaison_a",
        ip_address="10.0.0.9",
        user_agent="test",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/org/login/",
        failures_since_start=5,
    )
    for person in (cast.member_a, cast.liaison_b):
        ApiToken.objects.create(
            user=person,
            name="对接",
            prefix=f"km_{person.pk:07d}",
            digest=f"{person.pk:064d}",
            expires_at=timezone.now() + timedelta(days=30),
        )
    return cast


def request_for(cast, case: Case) -> tuple[str, dict]:
    unit = {"own": cast.town_a, "other": cast.town_b}.get(case.target)
    person = {"own": cast.member_a, "other": cast.liaison_b}.get(case.target)
    if person is not None:
        person.refresh_from_db()
    short = case.url_name.split(":")[1]
    kwargs: dict = {}
    if short.startswith("unit_") and unit is not None:
        kwargs = {"unit_id": unit.pk}
    elif (short.startswith("person_") and person is not None) or short == "membership_add":
        kwargs = {"person_id": person.pk}
    elif short == "membership_end":
        membership = Membership.objects.get(user=person, is_active=True)
        kwargs = {"membership_id": membership.pk}
    elif short == "token_revoke":
        kwargs = {"token_id": ApiToken.objects.get(user=person).pk}
    url = reverse(case.url_name, kwargs=kwargs)
    data: dict = {}
    if case.method == "POST":
        data = {
            "unit_create": {
                "name": "区新设中心",
                "kind": UnitKind.DEPARTMENT,
                "parent": cast.top.pk,
                "sort_order": 100,
            },
            "unit_edit": {
                "version": unit.version if unit else 1,
                "name": unit.name if unit else "",
                "kind": unit.kind if unit else "",
                "parent": cast.top.pk,
                "sort_order": 100,
                "duties": "负责辖区企业服务",
                "contact_phone": "0571-88886666",
            },
            "unit_set_active": {"active": "0"},
            "person_create": {
                "username": "xinren",
                "display_name": "新同事",
                "initial_password": "Qingshan#2025",
            },
            "person_edit": {
                "version": person.version if person else 1,
                "display_name": "改过的名字",
                "phone": "13900001111",
            },
            "person_deactivate": {"reason": "调离"},
            "person_reactivate": {"temporary_password": "Linshi#2025x"},
            "person_reset_password": {"temporary_password": "Linshi#2025x"},
            "membership_add": (
                {"unit": cast.town_a.pk, "role": Role.LIAISON}
                if case.target == "own"
                else {"unit": cast.town_b.pk, "role": Role.MEMBER}
            ),
            "security_unlock": {"username": "liaison_a"},
            "person_token_issue": {"name": "数据对接", "days": 30},
        }.get(short, {})
    return url, data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_permission_matrix(client, login, town, case: Case, role: str):
    user = sign_in(login, town, role)
    url, data = request_for(town, case)
    before = db_state()
    mark = last_event_id()

    response = send(client, case.method, url, data)

    check_outcome(
        case,
        role,
        user,
        response,
        before=before,
        mark=mark,
        db_state=db_state,
        denied_with_ip=True,
    )


POST_ONLY = [
    ("org:logout", {}),
    ("org:unit_set_active", {"unit_id": 1}),
    ("org:person_reveal_phone", {"person_id": 1}),
    ("org:person_deactivate", {"person_id": 1}),
    ("org:person_reactivate", {"person_id": 1}),
    ("org:person_reset_password", {"person_id": 1}),
    ("org:membership_add", {"person_id": 1}),
    ("org:membership_end", {"membership_id": 1}),
    ("org:person_token_issue", {"person_id": 1}),
    ("org:token_revoke", {"token_id": 1}),
    ("org:security_unlock", {}),
]


@pytest.mark.parametrize(("url_name", "kwargs"), POST_ONLY)
def test_a_get_on_a_change_endpoint_is_refused_with_405(client, login, cast, url_name, kwargs):
    login(cast.office)
    before = db_state()
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 405
    assert db_state() == before


def test_sysadmin_cannot_read_the_audit_log(client, login, cast):
    login(cast.sysadmin)
    mark = last_event_id()
    for name in ("audit:event_list", "audit:event_export"):
        response = client.get(reverse(name))
        assert response.status_code == 403
    actions = [(e.action, e.outcome, e.actor_id) for e in events_after(mark)]
    assert actions == [("permission.denied", Outcome.DENIED, cast.sysadmin.pk)] * 2
    assert not AuditEvent.objects.filter(action="audit.export").exists()


def test_secadmin_cannot_grant_a_role_to_himself(client, login, cast):
    login(cast.secadmin)
    before = db_state()
    mark = last_event_id()
    response = client.post(
        reverse("org:membership_add", kwargs={"person_id": cast.secadmin.pk}),
        {"unit": cast.it_unit.pk, "role": Role.AUDITOR},
    )
    assert response.status_code == 403
    assert db_state() == before
    assert [(e.action, e.outcome) for e in events_after(mark)] == [
        ("permission.denied", Outcome.DENIED)
    ]
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=cast.secadmin, person=cast.secadmin, unit=cast.town_a, role=Role.LIAISON
        )


def test_secadmin_cannot_end_his_own_role(client, login, cast):
    login(cast.secadmin)
    own = Membership.objects.get(user=cast.secadmin)
    response = client.post(reverse("org:membership_end", kwargs={"membership_id": own.pk}))
    assert response.status_code == 403
    assert Membership.objects.get(pk=own.pk).is_active


ADMIN_PAIRS = [
    ("sysadmin", Role.SECADMIN),
    ("sysadmin", Role.AUDITOR),
    ("auditor", Role.SYSADMIN),
    ("auditor", Role.SECADMIN),
]


@pytest.mark.parametrize(("holder", "second_role"), ADMIN_PAIRS)
def test_nobody_can_hold_two_administrator_roles(cast, holder, second_role):
    person = cast.role(holder)
    with pytest.raises(ValidationError, match="三员分立"):
        services.membership_grant(
            actor=cast.secadmin, person=person, unit=cast.it_unit, role=second_role
        )
    roles = set(
        Membership.objects.filter(user=person, is_active=True).values_list("role", flat=True)
    )
    assert roles == {holder}


def test_secadmin_cannot_be_given_a_second_administrator_role(cast):
    other_secadmin = make_user("secadmin2", (cast.it_unit, Role.SECADMIN))
    with pytest.raises(ValidationError, match="三员分立"):
        services.membership_grant(
            actor=other_secadmin, person=cast.secadmin, unit=cast.it_unit, role=Role.AUDITOR
        )
    assert not Membership.objects.filter(user=cast.secadmin, role=Role.AUDITOR).exists()


def test_two_administrator_roles_through_the_view_are_refused_with_a_message(client, login, cast):
    login(cast.secadmin)
    before = db_state()
    response = client.post(
        reverse("org:membership_add", kwargs={"person_id": cast.sysadmin.pk}),
        {"unit": cast.it_unit.pk, "role": Role.AUDITOR},
        follow=True,
    )
    assert response.status_code == 200
    assert "三员分立" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("business_role", [Role.LIAISON, Role.MEMBER, Role.OFFICE, Role.LEADER])
def test_an_administrator_role_is_refused_to_someone_with_a_business_role(cast, business_role):
    person = make_user("ganbu", (cast.town_a, business_role))
    with pytest.raises(ValidationError):
        services.membership_grant(
            actor=cast.secadmin, person=person, unit=cast.it_unit, role=Role.SYSADMIN
        )
    assert not Membership.objects.filter(user=person, role=Role.SYSADMIN).exists()


def test_an_administrator_is_refused_a_business_role(cast):
    with pytest.raises((PermissionDenied, ValidationError)):
        services.membership_grant(
            actor=cast.secadmin, person=cast.auditor, unit=cast.town_a, role=Role.MEMBER
        )
    assert not Membership.objects.filter(user=cast.auditor, role=Role.MEMBER).exists()


def test_office_cannot_grant_administrator_roles(cast):
    with pytest.raises(PermissionDenied):
        services.membership_grant(
            actor=cast.office, person=cast.member_a, unit=cast.it_unit, role=Role.AUDITOR
        )


def test_liaison_cannot_edit_another_towns_unit_by_changing_the_url(client, login, cast):
    login(cast.liaison_a)
    before = db_state()
    mark = last_event_id()
    response = client.post(
        reverse("org:unit_edit", kwargs={"unit_id": cast.town_b.pk}),
        {"version": cast.town_b.version, "duties": "改别人的职责", "contact_phone": "110"},
    )
    assert response.status_code == 403
    assert DENIED_TEXT in response.content.decode()
    assert db_state() == before
    events = events_after(mark)
    assert [(e.action, e.outcome, e.actor_id) for e in events] == [
        ("permission.denied", Outcome.DENIED, cast.liaison_a.pk)
    ]
    assert events[0].object_type == "org.unit"
    assert events[0].object_id == str(cast.town_b.pk)


def test_liaison_posting_hidden_fields_to_its_own_unit_changes_only_contact_details(
    client, login, cast
):
    login(cast.liaison_a)
    response = client.post(
        reverse("org:unit_edit", kwargs={"unit_id": cast.town_a.pk}),
        {
            "version": cast.town_a.version,
            "duties": "负责东城街道企业服务",
            "contact_phone": "0571-1234",
            # not on the liaison's form: must not reach the database
            "name": "篡改后的名字",
            "kind": UnitKind.DEPARTMENT,
            "parent": cast.town_b.pk,
            "short_name": "改",
            "sort_order": 1,
            "is_active": "0",
        },
    )
    assert response.status_code == 302
    unit = Unit.objects.get(pk=cast.town_a.pk)
    assert (unit.name, unit.kind, unit.parent_id, unit.short_name, unit.sort_order) == (
        "东城街道",
        UnitKind.TOWN,
        cast.top.pk,
        "",
        100,
    )
    assert unit.is_active
    assert unit.duties == "负责东城街道企业服务"
    assert not AuditEvent.objects.filter(outcome=Outcome.DENIED).exists()


@pytest.mark.parametrize(
    "field_and_value",
    [
        ("name", "篡改后的名字"),
        ("kind", UnitKind.DEPARTMENT),
        ("short_name", "改"),
        ("parent", None),
    ],
)
def test_liaison_changing_a_full_field_through_the_service_is_refused(cast, field_and_value):
    field, value = field_and_value
    before = db_state()
    with pytest.raises(PermissionDenied):
        services.unit_update(
            actor=cast.liaison_a, unit=cast.town_a, expected_version=1, **{field: value}
        )
    assert db_state() == before


def test_liaison_cannot_see_a_person_whose_id_equals_its_units_id(client, login, cast):
    """A person id must not be compared with unit ids (an IDOR through a coincidence of ids)."""
    unit = Unit.objects.create(pk=9001, name="南城街道", kind=UnitKind.TOWN, parent=cast.top)
    liaison = make_user("liaison_c", (unit, Role.LIAISON))
    stranger = User(pk=9001, username="stranger", display_name="外人", phone="13700001234")
    stranger.set_password("Kaimen#2025")
    stranger.save()
    Membership.objects.create(user=stranger, unit=cast.town_b, role=Role.MEMBER)
    login(liaison)
    for name in ("org:person_detail", "org:person_reveal_phone"):
        url = reverse(name, kwargs={"person_id": stranger.pk})
        response = client.get(url) if name == "org:person_detail" else client.post(url)
        assert response.status_code == 403
        assert "13700001234" not in response.content.decode()


def test_liaison_people_list_holds_only_its_own_units_people(client, login, cast):
    login(cast.liaison_a)
    response = client.get(reverse("org:people_list"))
    assert response.status_code == 200
    shown = {person.username for person in response.context["page"].object_list}
    assert shown == {"liaison_a", "member_a"}


def test_office_cannot_manage_an_administrators_account(client, login, cast):
    login(cast.office)
    before = db_state()
    for name, data in (
        ("org:person_reset_password", {"temporary_password": "Linshi#2025x"}),
        ("org:person_deactivate", {"reason": "试试"}),
    ):
        response = client.post(reverse(name, kwargs={"person_id": cast.auditor.pk}), data)
        assert response.status_code == 403
    assert db_state() == before


def test_sysadmin_cannot_manage_his_own_account(client, login, cast):
    login(cast.sysadmin)
    before = db_state()
    response = client.post(
        reverse("org:person_deactivate", kwargs={"person_id": cast.sysadmin.pk}),
        {"reason": "自己停用自己"},
    )
    assert response.status_code == 403
    assert db_state() == before


def test_sysadmin_reads_no_business_data_and_auditor_sees_no_units(cast):
    from kaimen.org import scope

    assert not scope.can(cast.sysadmin, scope.Perm.VIEW_BUSINESS)
    assert not scope.can(cast.secadmin, scope.Perm.VIEW_BUSINESS)
    assert not scope.can(cast.auditor, scope.Perm.VIEW_BUSINESS)
    assert not scope.can(cast.auditor, scope.Perm.VIEW_UNITS)
    assert scope.filter_by_unit(cast.sysadmin, Unit.objects.all(), unit_field="pk").count() == 0
