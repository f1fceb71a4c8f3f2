"""The audit administrator's page and export (三员分立: only the auditor reads the trail)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.audit.services import record
from kaimen.audit.views import COLUMNS
from kaimen.org import services
from kaimen.org.models import Role

pytestmark = pytest.mark.django_db

LIST = reverse("audit:event_list")
EXPORT = reverse("audit:event_export")
INJECTIONS = ['=HYPERLINK("http://evil.example","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def at(day: int, hour: int = 10):
    return timezone.make_aware(datetime(2026, 3, day, hour, 0))


@pytest.fixture
def trail(cast, clock):
    """Four events on three days, by different people, of different kinds and units."""
    clock.current = at(2)
    record(actor=cast.liaison_a, action="auth.login", obj=cast.liaison_a)
    clock.current = at(5)
    services.unit_update(actor=cast.office, unit=cast.town_a, expected_version=1, duties="服务")
    services.membership_grant(
        actor=cast.secadmin, person=cast.member_a, unit=cast.town_b, role=Role.LIAISON
    )
    clock.current = at(9)
    record(
        actor=cast.liaison_b,
        action="permission.denied",
        outcome=Outcome.DENIED,
        obj=cast.town_a,
        message="units.edit_contact POST",
    )
    return cast


def shown(response) -> list[str]:
    assert response.status_code == 200
    return [event.action for event in response.context["page"].object_list]


def download(response) -> bytes:
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_auditor_sees_every_event_newest_first(client, login, trail):
    login(trail.auditor)
    assert shown(client.get(LIST)) == [
        "permission.denied",
        "role.grant",
        "unit.update",
        "auth.login",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"actor": "liaison"}, ["permission.denied", "auth.login"]),
        ({"actor": "office"}, ["unit.update"]),
        ({"action": "role."}, ["role.grant"]),
        ({"action": "auth"}, ["auth.login"]),
        ({"outcome": "denied"}, ["permission.denied"]),
        ({"outcome": "success"}, ["role.grant", "unit.update", "auth.login"]),
        ({"date_from": "2026-03-04", "date_to": "2026-03-06"}, ["role.grant", "unit.update"]),
        ({"date_from": "2026-03-06"}, ["permission.denied"]),
        ({"date_to": "2026-03-02"}, ["auth.login"]),
        ({"actor": "liaison", "outcome": "success"}, ["auth.login"]),
    ],
)
def test_filters_narrow_the_list(client, login, trail, query, expected):
    login(trail.auditor)
    assert shown(client.get(LIST, query)) == expected


def test_the_unit_filter_finds_what_concerns_that_unit(client, login, trail):
    login(trail.auditor)
    assert shown(client.get(LIST, {"unit": trail.town_b.pk})) == ["role.grant"]
    assert shown(client.get(LIST, {"unit": trail.town_a.pk})) == [
        "permission.denied",
        "unit.update",
    ]


def test_a_bad_filter_is_a_form_error_not_a_server_error(client, login, trail):
    login(trail.auditor)
    response = client.get(LIST, {"date_from": "not-a-date", "unit": "999999", "outcome": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_the_htmx_request_gets_only_the_table(client, login, trail):
    login(trail.auditor)
    response = client.get(LIST, {"outcome": "denied"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="event-table"' in body
    assert "<html" not in body
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("role", ["leader", "office", "liaison_a", "sysadmin", "secadmin"])
def test_only_the_auditor_opens_the_log_and_the_export(client, login, trail, role):
    login(trail.role(role))
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AuditEvent.objects.filter(action="audit.export").exists()
    assert (
        AuditEvent.objects.filter(action="permission.denied", actor=trail.role(role)).count() == 2
    )


def test_the_export_has_the_header_row_and_the_events(client, login, trail):
    login(trail.auditor)
    workbook = load_workbook(io.BytesIO(download(client.get(EXPORT))))
    sheet = workbook["审计日志"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    actions = [row[COLUMNS.index("操作代码")] for row in rows[1:]]
    assert actions == ["permission.denied", "role.grant", "unit.update", "auth.login"]
    # people read the label; the stored code keeps its own column
    labels = [row[COLUMNS.index("操作")] for row in rows[1:]]
    assert labels == ["越权访问被拒绝", "授予角色", "修改单位", "登录"]
    assert [row[COLUMNS.index("对象类型")] for row in rows[1:]][-1] == "人员"
    assert [row[COLUMNS.index("对象类型代码")] for row in rows[1:]][-1] == "org.user"
    first = rows[1]
    assert first[COLUMNS.index("操作人")] == "liaison_b"
    assert first[COLUMNS.index("时间")] == "2026-03-09 10:00:00"
    assert first[COLUMNS.index("来源IP")] in ("", None)  # written outside a request
    assert isinstance(first[0], int)  # numbers stay numbers


def test_the_export_follows_the_filters(client, login, trail):
    login(trail.auditor)
    workbook = load_workbook(io.BytesIO(download(client.get(EXPORT, {"outcome": "denied"}))))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert [row[COLUMNS.index("操作代码")] for row in rows[1:]] == ["permission.denied"]


def test_the_export_writes_one_audit_event(client, login, trail):
    login(trail.auditor)
    before = AuditEvent.objects.count()
    response = client.get(EXPORT, {"action": "auth"}, REMOTE_ADDR="10.8.8.8")
    download(response)
    assert "no-store" in response["Cache-Control"]
    assert 'filename="audit-' in response["Content-Disposition"]
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.outcome, event.actor_id, event.ip) == (
        "audit.export",
        Outcome.SUCCESS,
        trail.auditor.pk,
        "10.8.8.8",
    )
    assert event.after["rows"] == 1
    assert event.after["filters"]["action"] == "auth"


def test_formula_text_is_exported_as_a_string_not_a_formula(client, login, cast):
    for text in INJECTIONS:
        record(actor=None, actor_name=text, action="test.injection", message=text)
    login(cast.auditor)
    content = download(client.get(EXPORT, {"action": "test.injection"}))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert not re.search(r"<f[ >]", xml), name
    workbook = load_workbook(io.BytesIO(content))
    rows = list(workbook.active.iter_rows(min_row=2))
    messages = sorted(row[COLUMNS.index("说明")].value for row in rows)
    assert messages == sorted(INJECTIONS)
    for row in rows:
        cell = row[COLUMNS.index("说明")]
        assert cell.data_type == "s"


def make_events(n: int) -> None:
    for i in range(n):
        record(actor=None, actor_name=f"user{i}", action="test.event", message=str(i))


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_page_query_count_does_not_grow_with_rows(
    client, login, cast, django_assert_max_num_queries
):
    login(cast.auditor)
    make_events(5)
    few = count_queries(client)
    make_events(55)
    with django_assert_max_num_queries(few):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 50
