"""`kaimen demo` loads the demo district 示范区, and running it twice leaves the same data."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaimen.audit.models import AuditEvent
from kaimen.audit.services import verify
from kaimen.core.checks import DEFAULT_ACCOUNT_NAMES, default_accounts
from kaimen.org.demo import DEMO_PASSWORD
from kaimen.org.models import Membership, Role, Unit, UnitKind, User

pytestmark = pytest.mark.django_db

TASK_FORCES = {
    "招商引资专班": "负责项目对接和引进",
    "服务保障专班": "负责为企业提供全方位服务",
    "推进攻坚专班": "负责解决项目推进过程中的难题",
    "政策研究专班": "负责制定和完善招商政策",
}
SOME_DEPARTMENTS = [
    "区委办公室",
    "区政府办公室",
    "区委组织部",
    "区委宣传部",
    "区纪委监委",
    "区委区政府督查室",
    "区发展和改革局",
    "区统计局",
    "区财政局",
    "区商务局",
    "区投资促进局",
    "区文化广电旅游体育局",
    "区市场监督管理局",
    "区政务服务管理局",
    "区司法局",
    "区科学技术局",
    "区工业和信息化局",
    "区住房和城乡建设局",
    "区自然资源和规划局",
    "区人力资源和社会保障局",
    "区生态环境局",
    "区农业农村局",
    "区交通运输局",
    "区应急管理局",
]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def every_table_count() -> dict[str, int]:
    tables = set(connection.introspection.table_names())
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.db_table in tables
    }


def org_data() -> dict[str, list]:
    return {
        "units": list(Unit.objects.order_by("pk").values()),
        "users": list(User.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "devices": list(TOTPDevice.objects.order_by("pk").values("user_id", "key", "confirmed")),
    }


@pytest.fixture
def demo():
    return run_demo()


def test_running_the_demo_twice_gives_the_same_data(demo):
    counts, data = every_table_count(), org_data()
    events = AuditEvent.objects.count()
    second = run_demo()
    assert every_table_count() == counts
    assert org_data() == data
    assert AuditEvent.objects.count() == events  # the second run writes no audit event
    assert "0 units and 0 accounts created" in second


def test_the_first_run_writes_one_audit_event_for_the_district(demo):
    assert AuditEvent.objects.filter(action="demo.load").count() == 1


def test_the_demo_has_the_departments_towns_and_task_forces(demo):
    departments = set(Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("name", flat=True))
    assert len(departments) >= 25
    assert set(SOME_DEPARTMENTS) <= departments
    assert Unit.objects.filter(kind=UnitKind.TOWN).count() == 8
    assert Unit.objects.filter(kind=UnitKind.LEADERSHIP).count() >= 1
    forces = dict(Unit.objects.filter(kind=UnitKind.TASK_FORCE).values_list("name", "duties"))
    assert forces == TASK_FORCES


def test_the_demo_has_one_account_per_role(demo):
    for role in Role.values:
        holders = Membership.objects.filter(role=role, is_active=True, user__is_active=True)
        assert holders.exists(), role
    for role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR):
        assert Membership.objects.filter(role=role).count() == 1, role


def test_the_three_administrators_are_three_different_people(demo):
    holders = [
        Membership.objects.get(role=role).user_id
        for role in (Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR)
    ]
    assert len(set(holders)) == 3


def test_the_demo_has_no_default_account_names(demo):
    names = {name.lower() for name in User.objects.values_list("username", flat=True)}
    assert not names & set(DEFAULT_ACCOUNT_NAMES)
    assert default_accounts(None) == []


def test_second_factor_roles_get_a_confirmed_device_and_the_key_is_printed(demo):
    for role in ("office", "sysadmin", "secadmin", "auditor"):
        user = Membership.objects.get(role=role).user
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        assert base64.b32encode(device.bin_key).decode("ascii") in demo


def test_every_demo_account_must_change_its_password_at_first_sign_in(client, demo):
    assert DEMO_PASSWORD in demo
    assert all(User.objects.values_list("must_change_password", flat=True))
    response = client.post(
        reverse("org:login"), {"username": "liaison.chengguan", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:password_change")


def test_a_second_run_keeps_a_changed_password(demo):
    user = User.objects.get(username="liaison.chengguan")
    user.set_password("Qingshan#2026")
    user.save()
    run_demo()
    user.refresh_from_db()
    assert user.check_password("Qingshan#2026")


def test_the_audit_chain_verifies_after_loading(demo):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue().startswith("OK:")
    assert verify().ok
    run_demo()
    assert verify().ok


def test_every_demo_liaison_is_named_after_a_person_or_its_whole_unit(demo):
    # "委区联络员" (a slice of 区委区政府督查室) is nobody's name
    for membership in Membership.objects.filter(role=Role.LIAISON).select_related("user", "unit"):
        name = membership.user.display_name
        prefix = name.removesuffix("联络员")
        unit = membership.unit
        assert len(prefix) == 1 or prefix in {unit.name, unit.short_name}, (name, unit.name)
