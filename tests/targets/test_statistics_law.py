"""统计法: a submitted figure is never updated in place; a correction is a new version with a
reason and an approver; leaders cannot change figures (no code path); the audit trail rebuilds
who changed what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse

from kaimen.audit.models import AuditEvent, Outcome
from kaimen.audit.services import verify
from kaimen.lib.errors import PermissionDenied, StaleVersion, ValidationError
from kaimen.targets import selectors, services
from kaimen.targets.models import Actual, ActualCorrection, CorrectionStatus

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _town_rows(cat):
    """Each town has its 固投 target: its own row, for which its liaison files 部门快报."""
    for town in (cat.cast.town_a, cat.cast.town_b):
        services.target_set(
            actor=cat.cast.office, indicator=cat.fai, unit=town, year=2025, value="600"
        )


def figures() -> list[dict]:
    return list(Actual.objects.order_by("pk").values())


def submit(cat, user=None, unit=None, value="52.31", growth="10.2"):
    return services.actual_submit(
        actor=user or cat.cast.liaison_a,
        indicator=cat.fai,
        unit=unit or cat.cast.town_a,
        year=2025,
        end_month=2,
        value=value,
        growth_pct=growth,
    )


def test_a_submitted_figure_cannot_be_submitted_again(cat):
    submit(cat)
    before = figures()
    with pytest.raises(ValidationError, match="更正申请") as refused:
        submit(cat, value="60")
    assert refused.value.code == "already_submitted"
    assert figures() == before


def test_no_code_path_updates_a_figure_in_place(cat):
    actual = submit(cat)
    with pytest.raises(TypeError):
        Actual.objects.filter(pk=actual.pk).update(value=D("1"))
    actual.value = D("1")
    with pytest.raises(TypeError):
        actual.save()
    with pytest.raises(TypeError):
        actual.delete()
    with pytest.raises(TypeError):
        Actual.objects.filter(pk=actual.pk).delete()
    # and raw SQL on the application's own connection meets the database trigger
    with (
        pytest.raises(DatabaseError, match="never updated in place"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE targets_actual SET value = 1 WHERE id = %s", [actual.pk])
    assert Actual.objects.get(pk=actual.pk).value == D("52.31")


def test_a_correction_needs_a_reason_and_changes_nothing_until_approved(cat):
    actual = submit(cat)
    with pytest.raises(ValidationError, match="更正原因"):
        services.correction_request(actor=cat.cast.liaison_a, actual=actual, value="53", reason="")
    correction = services.correction_request(
        actor=cat.cast.liaison_a,
        actual=actual,
        value="53.10",
        growth_pct="10.2",
        reason="漏报一家企业的投资",
    )
    assert correction.status == CorrectionStatus.PENDING
    assert Actual.objects.get(pk=actual.pk).value == D("52.31")
    assert Actual.objects.count() == 1


def test_approval_writes_the_next_version_and_keeps_the_first(cat):
    actual = submit(cat)
    correction = services.correction_request(
        actor=cat.cast.liaison_a,
        actual=actual,
        value="53.10",
        growth_pct="10.2",
        reason="漏报一家企业的投资",
    )
    new = services.correction_approve(actor=cat.cast.office, correction=correction)
    assert (new.version, new.value, new.growth_pct) == (2, D("53.10"), D("10.2"))
    assert new.supersedes_id == actual.pk
    assert (new.entered_by, new.approved_by) == (cat.cast.liaison_a, cat.cast.office)
    assert new.reason == "漏报一家企业的投资"
    first = Actual.objects.get(pk=actual.pk)
    assert (first.version, first.value) == (1, D("52.31"))
    correction.refresh_from_db()
    assert (correction.status, correction.result_id) == (CorrectionStatus.APPROVED, new.pk)
    # the current figure everyone reads is the new version
    current = selectors.figure_map(indicator_ids=[cat.fai.pk], years=[2025])
    assert current[(cat.fai.pk, cat.cast.town_a.pk, 2025, 2)].pk == new.pk


def test_nobody_approves_his_own_correction(cat):
    actual = submit(cat, user=cat.cast.office)
    correction = services.correction_request(
        actor=cat.cast.office, actual=actual, value="53", reason="统计局修订"
    )
    with pytest.raises(PermissionDenied):
        services.correction_approve(actor=cat.cast.office, correction=correction)
    with pytest.raises(PermissionDenied):
        services.correction_approve(actor=cat.cast.liaison_a, correction=correction)
    services.correction_approve(actor=cat.office2, correction=correction)
    assert Actual.objects.count() == 2


def test_a_correction_of_an_outdated_version_is_refused(cat):
    actual = submit(cat)
    first = services.correction_request(
        actor=cat.cast.liaison_a, actual=actual, value="53", reason="第一次更正"
    )
    services.correction_approve(actor=cat.cast.office, correction=first)
    with pytest.raises(StaleVersion):
        services.correction_request(
            actor=cat.cast.liaison_a, actual=actual, value="54", reason="基于旧版本的更正"
        )
    with pytest.raises(StaleVersion):
        services.correction_approve(actor=cat.cast.office, correction=first)


def test_leaders_have_no_way_to_change_a_figure(cat):
    actual = submit(cat)
    correction = services.correction_request(
        actor=cat.cast.liaison_a, actual=actual, value="53", reason="漏报"
    )
    before = figures()
    for attempt in (
        lambda: submit(cat, user=cat.cast.leader, unit=cat.cast.town_b),
        lambda: services.correction_request(
            actor=cat.cast.leader, actual=actual, value="99", reason="领导要求"
        ),
        lambda: services.correction_approve(actor=cat.cast.leader, correction=correction),
        lambda: services.correction_reject(actor=cat.cast.leader, correction=correction, note="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert figures() == before


def test_a_leaders_attempt_through_the_pages_is_403_and_audited(client, login, cat):
    actual = submit(cat)
    correction = services.correction_request(
        actor=cat.cast.liaison_a, actual=actual, value="53", reason="漏报"
    )
    login(cat.cast.leader)
    before = figures()
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    posts = [
        (reverse("targets:actual_create"), {}),
        (
            reverse("targets:actual_create"),
            {
                "indicator": cat.fai.pk,
                "unit": cat.cast.town_b.pk,
                "year": 2025,
                "month": 2,
                "value": "1",
                "provenance": "official",
            },
        ),
        (reverse("targets:correction_request", args=[actual.pk]), {"value": "99", "reason": "改"}),
        (reverse("targets:correction_approve", args=[correction.pk]), {}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 403
        assert "您没有执行此操作的权限" in response.content.decode()
    assert figures() == before
    denied = AuditEvent.objects.filter(id__gt=mark)
    assert [(e.action, e.outcome, e.actor_id) for e in denied] == [
        ("permission.denied", Outcome.DENIED, cat.cast.leader.pk)
    ] * len(posts)


def test_a_town_cannot_enter_another_towns_figures(client, login, cat):
    with pytest.raises(PermissionDenied):
        submit(cat, user=cat.cast.liaison_a, unit=cat.cast.town_b)
    login(cat.cast.liaison_a)
    response = client.post(
        reverse("targets:actual_create"),
        {
            "indicator": cat.fai.pk,
            "unit": cat.cast.town_b.pk,
            "year": 2025,
            "month": 2,
            "value": "1",
            "provenance": "flash",
        },
    )
    # town_b is not offered in the liaison's form; posting its id anyway is a refusal
    assert response.status_code == 403
    assert not Actual.objects.exists()
    assert AuditEvent.objects.filter(action="permission.denied").count() == 1


def test_the_audit_trail_rebuilds_who_changed_what(cat):
    actual = submit(cat)
    c1 = services.correction_request(
        actor=cat.cast.liaison_a,
        actual=actual,
        value="53.10",
        growth_pct="10.2",
        reason="漏报一家企业",
    )
    v2 = services.correction_approve(actor=cat.cast.office, correction=c1)
    c2 = services.correction_request(
        actor=cat.cast.liaison_a,
        actual=v2,
        growth_pct="11.0",
        value="53.10",
        reason="增速按可比口径修订",
    )
    services.correction_approve(actor=cat.office2, correction=c2)

    events = AuditEvent.objects.filter(
        action__in=["targets.actual.submit", "targets.correction.approve"]
    ).order_by("id")
    story = [
        (e.actor_name, e.after["version"], e.after["value"], e.after["growth_pct"], e.message)
        for e in events
    ]
    assert story == [
        ("liaison_a", 1, "52.3100", "10.20", ""),
        ("office", 2, "53.1000", "10.20", "漏报一家企业"),
        ("office2", 3, "53.1000", "11.00", "增速按可比口径修订"),
    ]
    requested = [
        e.actor_name for e in AuditEvent.objects.filter(action="targets.correction.request")
    ]
    assert requested == ["liaison_a", "liaison_a"]
    history = selectors.actual_history_for_user(user=cat.cast.leader, actual_id=actual.pk)
    assert [
        (v.version, v.entered_by.username, getattr(v.approved_by, "username", None))
        for v in history.versions
    ] == [
        (3, "liaison_a", "office2"),
        (2, "liaison_a", "office"),
        (1, "liaison_a", None),
    ]
    assert verify().ok


def test_a_figure_for_a_period_that_has_not_ended_is_refused_unless_a_forecast(cat, clock):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clock.current = datetime(2025, 3, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with pytest.raises(ValidationError, match="尚未结束"):
        services.actual_submit(
            actor=cat.cast.office,
            indicator=cat.fai,
            unit=cat.cast.top,
            year=2025,
            end_month=3,
            value="80",
        )
    forecast = services.actual_submit(
        actor=cat.cast.office,
        indicator=cat.fai,
        unit=cat.cast.top,
        year=2025,
        end_month=3,
        value="80",
        provenance="forecast",
    )
    assert forecast.get_provenance_display()


def test_january_alone_is_refused_for_a_series_released_as_1_2(cat):
    with pytest.raises(ValidationError, match="1-2月"):
        services.actual_submit(
            actor=cat.cast.office,
            indicator=cat.fai,
            unit=cat.cast.top,
            year=2025,
            end_month=1,
            value="9",
        )
    assert not ActualCorrection.objects.exists()
