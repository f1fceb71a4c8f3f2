"""A person decides each proposal with a reason, once; the unit explains its own; the office sets
the thresholds; the record exports to a workbook that is safe to open."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from kaimen.accountability import selectors, services, storage
from kaimen.accountability.models import Attachment, Explanation, Proposal, RuleSettings, Status
from kaimen.audit.models import AuditEvent
from kaimen.campaigns.models import Campaign
from kaimen.lib.errors import PermissionDenied, StaleVersion, ValidationError
from tests.accountability import helpers as h

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def proposals(cast, clock, settings, tmp_path):
    """One open proposal (missed reports) for each town."""
    settings.ACCOUNTABILITY_FILES_ROOT = tmp_path / "files"
    h.overdue_tasks(
        cast,
        clock,
        [cast.town_a, cast.town_a, cast.town_b, cast.town_b],
        deadline=date(2025, 6, 30),
    )
    h.run(clock, date(2025, 3, 11))
    h.set_day(clock, date(2025, 3, 12))
    return {p.unit_id: p for p in h.open_proposals()}


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


@pytest.mark.parametrize("confirm", [True, False])
@pytest.mark.parametrize("reason", ["", "   ", "\u200b\u200b"])
def test_a_decision_needs_a_reason(cast, proposals, confirm, reason):
    p = proposals[cast.town_a.pk]
    with pytest.raises(ValidationError, match="请填写") as caught:
        services.proposal_decide(actor=cast.office, proposal=p, confirm=confirm, reason=reason)
    assert caught.value.field == "reason"
    p.refresh_from_db()
    assert p.status == Status.PROPOSED
    assert not events("accountability.confirm")
    assert not events("accountability.dismiss")


def test_confirming_records_who_when_and_why_and_one_audit_event(cast, clock, proposals):
    p = services.proposal_confirm(
        actor=cast.office, proposal=proposals[cast.town_a.pk], reason="  经核实属实，予以提醒。 "
    )
    p.refresh_from_db()
    assert p.status == Status.CONFIRMED
    assert p.decided_by == cast.office
    assert p.decided_at == clock.current
    assert p.decision_reason == "经核实属实，予以提醒。"
    (event,) = events("accountability.confirm")
    assert event.actor == cast.office
    assert event.unit_id_ref == cast.town_a.pk
    assert event.after["status"] == "confirmed"
    assert event.message == "经核实属实，予以提醒。"


def test_a_leader_may_dismiss_with_a_reason(cast, proposals):
    p = services.proposal_dismiss(
        actor=cast.leader, proposal=proposals[cast.town_b.pk], reason="情况特殊，暂不提醒。"
    )
    assert (p.status, p.decided_by) == (Status.DISMISSED, cast.leader)
    assert len(events("accountability.dismiss")) == 1


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("second", [True, False])
def test_a_decided_proposal_cannot_be_decided_again(cast, proposals, first, second):
    p = proposals[cast.town_a.pk]
    services.proposal_decide(actor=cast.office, proposal=p, confirm=first, reason="第一次决定")
    stale = Proposal.objects.get(pk=p.pk)
    with pytest.raises(ValidationError, match="不能再次决定"):
        services.proposal_decide(actor=cast.leader, proposal=stale, confirm=second, reason="再改")
    stale.refresh_from_db()
    assert stale.decision_reason == "第一次决定"
    assert stale.decided_by == cast.office
    assert len(events("accountability.confirm") + events("accountability.dismiss")) == 1


def test_a_withdrawn_proposal_cannot_be_decided(cast, clock, proposals):
    p = proposals[cast.town_a.pk]
    Proposal.objects.filter(pk=p.pk).update(status=Status.WITHDRAWN, decided_at=clock.current)
    with pytest.raises(ValidationError, match="撤回"):
        services.proposal_confirm(actor=cast.office, proposal=p, reason="确认")


@pytest.mark.parametrize("role", ["liaison_a", "liaison_b", "member_a", "auditor", "sysadmin"])
def test_only_the_office_and_leaders_decide(cast, proposals, role):
    p = proposals[cast.town_a.pk]
    with pytest.raises(PermissionDenied):
        services.proposal_confirm(actor=cast.role(role), proposal=p, reason="确认")
    p.refresh_from_db()
    assert p.status == Status.PROPOSED


def test_the_liaison_explains_its_own_unit_with_attachments(cast, proposals, settings):
    p = services.proposal_confirm(
        actor=cast.office, proposal=proposals[cast.town_a.pk], reason="属实"
    )
    explanation = services.explanation_add(
        actor=cast.liaison_a,
        proposal=p,
        text="第一周因人员调整未及时报送，已补报。",
        uploads=[SimpleUploadedFile("补报材料.png", PNG)],
    )
    assert explanation.author == cast.liaison_a
    assert explanation.author_unit == cast.town_a
    (attachment,) = explanation.attachments.all()
    assert attachment.original_name == "补报材料.png"
    assert storage.path_of(attachment.stored_name).read_bytes() == PNG
    (event,) = events("accountability.explain")
    assert event.unit_id_ref == cast.town_a.pk
    assert event.after["files"][0]["name"] == "补报材料.png"
    # Explaining changes nothing about the proposal or its decision.
    p.refresh_from_db()
    assert p.status == Status.CONFIRMED


def test_an_unconfirmed_proposal_is_not_for_the_unit_to_explain(cast, proposals):
    with pytest.raises(ValidationError, match="尚未经确认"):
        services.explanation_add(
            actor=cast.liaison_a, proposal=proposals[cast.town_a.pk], text="说明"
        )
    assert not Explanation.objects.exists()


@pytest.mark.parametrize("role", ["liaison_b", "member_a", "office", "leader"])
def test_nobody_else_explains_for_the_unit(cast, proposals, role):
    with pytest.raises(PermissionDenied):
        services.explanation_add(
            actor=cast.role(role), proposal=proposals[cast.town_a.pk], text="代为说明"
        )
    assert not Explanation.objects.exists()


def test_a_refused_attachment_leaves_nothing_behind(cast, proposals, settings):
    settings.ACCOUNTABILITY_ATTACHMENT_MAX_BYTES = 100
    proposals[cast.town_a.pk] = services.proposal_confirm(
        actor=cast.office, proposal=proposals[cast.town_a.pk], reason="属实"
    )
    with pytest.raises(ValidationError, match="超过上限"):
        services.explanation_add(
            actor=cast.liaison_a,
            proposal=proposals[cast.town_a.pk],
            text="说明",
            uploads=[SimpleUploadedFile("大图.png", PNG + b"\x00" * 200)],
        )
    with pytest.raises(ValidationError, match="不是扩展名所说的"):
        services.explanation_add(
            actor=cast.liaison_a,
            proposal=proposals[cast.town_a.pk],
            text="说明",
            uploads=[SimpleUploadedFile("伪装.png", b"MZ\x90\x00" + b"\x00" * 40)],
        )
    assert not Explanation.objects.exists()
    assert not Attachment.objects.exists()
    root = storage.root()
    assert not root.exists() or not any(root.iterdir())


def test_an_empty_explanation_is_refused(cast, proposals):
    proposals[cast.town_a.pk] = services.proposal_confirm(
        actor=cast.office, proposal=proposals[cast.town_a.pk], reason="属实"
    )
    with pytest.raises(ValidationError, match="请填写说明"):
        services.explanation_add(actor=cast.liaison_a, proposal=proposals[cast.town_a.pk], text="")


# ---------------------------------------------------------------------------------------------
# The campaign's thresholds

RULES = {
    "red_periods": 2,
    "red_periods_to_escalate": 1,
    "order_limit_workdays": 3,
    "overdue_workdays_to_escalate": 5,
    "missed_reports": 3,
    "missed_reports_to_escalate": 1,
    "highest_step": "notify",
}


def test_the_office_sets_the_thresholds_versioned_and_audited(cast, proposals):
    campaign = Campaign.objects.first()
    saved = services.rules_save(
        actor=cast.office, campaign=campaign, expected_version=None, **RULES
    )
    rules, limit = services.rules_for(campaign)
    assert (rules.red_periods, rules.missed_reports, rules.highest_step.value, limit) == (
        2,
        3,
        "notify",
        3,
    )
    (event,) = events("accountability.rules.save")
    assert event.before["red_periods"] == 3
    assert event.after["red_periods"] == 2
    services.rules_save(
        actor=cast.office,
        campaign=campaign,
        expected_version=saved.version,
        **(RULES | {"red_periods": 4}),
    )
    with pytest.raises(StaleVersion):
        services.rules_save(
            actor=cast.office, campaign=campaign, expected_version=saved.version, **RULES
        )
    assert RuleSettings.objects.get().red_periods == 4


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("red_periods", 0, "“连续红灯期数”应为1到12之间的整数"),
        ("missed_reports", 21, "“未按时报送次数”应为1到20之间的整数"),
        ("order_limit_workdays", "5", "“督办单办理时限（工作日）”应为1到60之间的整数"),
        ("highest_step", "fire", "规则最高可建议的步骤"),
    ],
)
def test_bad_thresholds_are_refused_with_a_message(cast, proposals, field, value, message):
    campaign = Campaign.objects.first()
    with pytest.raises(ValidationError, match=message) as caught:
        services.rules_save(
            actor=cast.office, campaign=campaign, expected_version=None, **(RULES | {field: value})
        )
    assert caught.value.field == field
    assert not RuleSettings.objects.exists()


@pytest.mark.parametrize("role", ["leader", "liaison_a"])
def test_only_the_office_sets_thresholds(cast, proposals, role):
    with pytest.raises(PermissionDenied):
        services.rules_save(
            actor=cast.role(role),
            campaign=Campaign.objects.first(),
            expected_version=None,
            **RULES,
        )


# ---------------------------------------------------------------------------------------------
# Export


def test_the_record_exports_to_xlsx_safely(cast, proposals):
    services.proposal_confirm(actor=cast.office, proposal=proposals[cast.town_a.pk], reason="属实")
    proposals[cast.town_b.pk] = services.proposal_confirm(
        actor=cast.office, proposal=proposals[cast.town_b.pk], reason="属实"
    )
    services.explanation_add(
        actor=cast.liaison_b,
        proposal=proposals[cast.town_b.pk],
        text='=HYPERLINK("http://example.invalid","点我")',
    )
    exported = services.record_export(actor=cast.office)
    data = exported.content.read()
    assert exported.filename.endswith(".xlsx")
    sheet = load_workbook(BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "战役", "单位", "事项类型")
    by_unit = {r[2]: r for r in rows[1:]}
    assert set(by_unit) == {"东城街道", "西城街道"}
    confirmed = by_unit["东城街道"]
    assert confirmed[6] == "提醒"
    assert confirmed[10] == "已确认"
    assert confirmed[13] == "属实"
    assert "已有4次未按时报送进展" in confirmed[8]
    assert by_unit["西城街道"][14].endswith('=HYPERLINK("http://example.invalid","点我")')
    # No formula anywhere in the sheet XML.
    import zipfile

    with zipfile.ZipFile(BytesIO(data)) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml
    (event,) = events("accountability.export")
    assert event.after["rows"] == 2


def test_the_export_follows_the_filters_and_is_for_deciders(cast, proposals):
    filters = selectors.RecordFilters(unit_id=cast.town_b.pk)
    exported = services.record_export(actor=cast.leader, filters=filters)
    rows = list(load_workbook(exported.content).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["西城街道"]
    with pytest.raises(PermissionDenied):
        services.record_export(actor=cast.liaison_a)


def test_a_formula_like_reason_stays_text_when_read_back(cast, proposals):
    services.proposal_dismiss(
        actor=cast.office, proposal=proposals[cast.town_a.pk], reason="+86 电话已沟通"
    )
    exported = services.record_export(actor=cast.office)
    sheet = load_workbook(exported.content).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "+86 电话已沟通"]
    assert cells
    assert all(c.data_type == "s" for c in cells)


def test_a_confirmed_step_tells_the_unit_s_liaison_and_the_leaders_a_dismissal_tells_nobody(
    cast, proposals
):
    from kaimen.notifications.models import Notification

    services.proposal_dismiss(
        actor=cast.office, proposal=proposals[cast.town_b.pk], reason="情况特殊，暂不提醒。"
    )
    assert not Notification.objects.exists()
    p = services.proposal_confirm(
        actor=cast.office, proposal=proposals[cast.town_a.pk], reason="经核实属实，予以提醒。"
    )
    told = {n.recipient for n in Notification.objects.filter(event="accountability_confirmed")}
    assert cast.liaison_a in told
    assert cast.leader in told
    assert cast.liaison_b not in told
    note = Notification.objects.filter(recipient=cast.liaison_a).get()
    assert "经核实属实" in note.body
    assert note.link.endswith(f"/proposals/{p.pk}/")
