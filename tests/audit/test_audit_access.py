"""The audit pages ask kaimen.lib.contracts.access (which org fills at start-up) and import
nothing of org: the auditor reads the log and filters it by unit, others are refused, and without
an access provider nothing is shown."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

import kaimen.audit
from kaimen.audit import selectors
from kaimen.audit.forms import AuditFilterForm
from kaimen.audit.models import AuditEvent, Outcome
from kaimen.audit.panels import audit_panel
from kaimen.audit.services import record
from kaimen.lib.contracts import access
from kaimen.lib.errors import PermissionDenied

pytestmark = pytest.mark.django_db


def test_no_module_of_audit_imports_org():
    root = Path(kaimen.audit.__file__).parent
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n.startswith("kaimen.org") for n in names), path


def test_org_installed_the_access_provider():
    assert access.installed()


def test_the_auditor_reads_and_filters_by_unit_through_the_contract(cast, client, login):
    record(actor=cast.office, action="org.unit.update", obj=cast.town_a)
    record(actor=cast.office, action="org.unit.update", obj=cast.town_b)
    form = AuditFilterForm({"unit": cast.town_a.pk})
    assert set(form.fields["unit"].queryset) >= {cast.town_a, cast.town_b}
    filters = form.filters()
    assert filters["unit_id"] == cast.town_a.pk
    rows = selectors.audit_events_for_user(user=cast.auditor, **filters)
    assert [e.unit_id_ref for e in rows] == [cast.town_a.pk]
    login(cast.auditor)
    page = client.get(reverse("audit:event_list"), {"unit": cast.town_a.pk})
    assert page.status_code == 200
    assert "东城街道" in page.content.decode()
    assert access.unit_name(cast.town_a.pk) == "东城街道"


def test_others_are_refused_by_org_scope_through_the_contract(cast, rf):
    for user in (cast.office, cast.leader, cast.sysadmin, cast.liaison_a):
        with pytest.raises(PermissionDenied) as refused:
            selectors.audit_events_for_user(user=user)
        assert refused.value.code == "audit.view"
        request = rf.get("/")
        request.user = user
        assert audit_panel(request) is None
    request = rf.get("/")
    request.user = cast.auditor
    assert audit_panel(request) is not None


def test_without_a_provider_nothing_is_allowed(cast, monkeypatch):
    monkeypatch.setattr(access, "_provider", None)
    assert not access.can(cast.auditor, access.VIEW_AUDIT)
    with pytest.raises(PermissionDenied):
        selectors.audit_events_for_user(user=cast.auditor)
    assert not AuditEvent.objects.filter(outcome=Outcome.DENIED).exists()
