"""Every audit action and object type reads in Chinese; the stored codes stay as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

import kaimen
from kaimen.audit import labels
from kaimen.audit.services import record

CJK = re.compile(r"[\u4e00-\u9fff]")
# action="ledger.task.report" or action="unit.activate" if active else "unit.deactivate"
ACTION_ARGUMENT = re.compile(
    r'\baction=\s*("[a-z_]+(?:\.[a-z_]+)+"(?:\s+if\s[^\n]*?else\s+"[^"]+")?)'
)


def recorded_action_codes() -> set[str]:
    """Every action code a call in the code base passes to the audit trail."""
    codes: set[str] = set()
    root = Path(kaimen.__file__).parent
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for argument in ACTION_ARGUMENT.findall(path.read_text(encoding="utf-8")):
            codes.update(re.findall(r'"([a-z_]+(?:\.[a-z_]+)+)"', argument))
    return codes


def test_the_scan_finds_the_codes_of_every_app():
    codes = recorded_action_codes()
    # a scan that silently found nothing would make the next test pass on anything
    for code in ("password.change", "ledger.draft.item_decide", "permission.denied"):
        assert code in codes
    assert {"unit.activate", "unit.deactivate"} <= codes  # both arms of a conditional
    assert len({labels.domain_of(code) for code in codes}) >= 15


def test_every_recorded_action_has_a_chinese_label():
    with translation.override("zh-hans"):
        missing = sorted(code for code in recorded_action_codes() if code not in labels.ACTIONS)
        assert missing == [], f"add a label to kaimen/audit/labels.py for {missing}"
        english = {code: labels.action_label(code) for code in labels.ACTIONS}
        english = {code: text for code, text in english.items() if not CJK.search(text)}
        assert english == {}, "translate these in kaimen/locale/zh_Hans/LC_MESSAGES/django.po"
        assert {labels.domain_of(code) for code in labels.ACTIONS} <= set(labels.DOMAINS)
        assert all(CJK.search(labels.domain_label(domain)) for domain in labels.DOMAINS)


def test_every_model_has_a_chinese_object_type_label():
    with translation.override("zh-hans"):
        english = [
            model._meta.label_lower
            for model in apps.get_models()
            if model.__module__.startswith("kaimen.")
            and not CJK.search(labels.object_type_label(model._meta.label_lower))
        ]
    assert english == []


def test_an_unknown_code_is_shown_as_stored():
    assert labels.action_label("plugin.something") == "plugin.something"
    assert labels.object_type_label("nosuch.model") == "nosuch.model"
    assert labels.object_type_label("") == ""


@pytest.mark.django_db
def test_the_log_shows_labels_and_offers_a_list_of_them(client, login, cast):
    record(actor=cast.liaison_a, action="password.change", obj=cast.liaison_a)
    record(actor=cast.office, action="ledger.draft.item_decide", message="x")
    login(cast.auditor)
    body = client.get(reverse("audit:event_list")).content.decode()
    table = body[body.index('id="event-table"') :]
    text = re.sub(r"<[^>]+>", "", table)  # what the reader sees (codes stay in titles)
    assert "修改密码" in text
    assert "审定草稿条目" in text
    assert "人员「liaison_a」" in text  # the object type, then the object as people name it
    assert "password.change" not in text
    assert "org.user" not in text
    assert 'title="password.change"' in table
    # the action filter is a choice list of labels
    form = body[: body.index('id="event-table"')]
    assert '<select name="action"' in form
    assert '<option value="password.change">修改密码</option>' in form
    assert '<option value="ledger">任务台账（全部）</option>' in form


@pytest.mark.django_db
def test_the_action_filter_matches_a_code_exactly_and_a_domain_as_a_prefix(client, login, cast):
    record(actor=cast.office, action="ledger.draft.item_decide")
    record(actor=cast.office, action="ledger.draft.item_decide_later_code")
    record(actor=cast.office, action="ledger.task.report")
    login(cast.auditor)

    def shown(action):
        response = client.get(reverse("audit:event_list"), {"action": action})
        assert response.status_code == 200
        return sorted(event.action for event in response.context["page"].object_list)

    assert shown("ledger.draft.item_decide") == ["ledger.draft.item_decide"]
    assert shown("ledger.draft") == [
        "ledger.draft.item_decide",
        "ledger.draft.item_decide_later_code",
    ]
    assert len(shown("ledger")) == 3
    response = client.get(reverse("audit:event_list"), {"action": "nosuch"})
    assert "action" in response.context["form"].errors
    assert "「操作」：" in response.content.decode()  # the error names its field


@pytest.mark.django_db
def test_the_sign_in_notes_the_auditor_reads_are_chinese(client, cast):
    client.post(reverse("org:login"), {"username": cast.liaison_a.username, "password": "wrong"})
    from kaimen.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="auth.login", outcome="failure")
    assert event.message == "用户名或密码错误"
