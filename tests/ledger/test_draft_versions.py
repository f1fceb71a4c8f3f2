"""The same speech uploaded again: under another title or year it is a new version of the
draft, linked to the earlier ones, which stay; under the same title and year the draft made the
first time opens again, and the page says which happened."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.campaigns.services import campaign_create
from kaimen.ledger import services
from kaimen.ledger.models import LedgerDraft, SourceDocument
from tests.ledger.ledger_helpers import add_departments, speech_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def files_root(settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path / "ledger-files"


@pytest.fixture
def district(cast):
    add_departments(cast)
    return cast


def upload(client, **fields):
    return client.post(
        reverse("ledger:draft_new"), {"file": speech_upload(), **fields}, follow=True
    )


def test_another_year_makes_a_new_version_and_keeps_the_first(district):
    first = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    second = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2026)
    assert not first.reopened
    assert not second.reopened
    assert second.draft.pk != first.draft.pk
    assert (first.draft.document.number, second.draft.document.number) == (1, 2)
    assert second.draft.document.previous_id == first.draft.document_id
    assert second.draft.year == 2026
    assert LedgerDraft.objects.count() == 2
    first.draft.refresh_from_db()
    assert first.draft.year == 2025
    assert first.draft.items.count() == second.draft.items.count()
    event = AuditEvent.objects.filter(action="ledger.draft.create").latest("pk")
    assert event.after["version"] == 2
    assert event.after["previous"] == first.draft.document_id


def test_another_title_makes_a_new_version(district):
    first = services.draft_upload_file(
        actor=district.office, upload=speech_upload(), year=2025, title="一季度讲话"
    )
    second = services.draft_upload_file(
        actor=district.office, upload=speech_upload(), year=2025, title="一季度讲话（修订）"
    )
    assert second.draft.document.number == 2
    assert second.draft.document.title == "一季度讲话（修订）"
    assert first.draft.document.title == "一季度讲话"


def test_the_same_title_and_year_reopen_the_draft_and_write_nothing(district):
    first = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    events = AuditEvent.objects.count()
    again = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    assert again.reopened
    assert again.draft.pk == first.draft.pk
    assert SourceDocument.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_an_older_version_is_reopened_by_its_own_title_and_year(district):
    v1 = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2026)
    back = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    assert back.reopened
    assert back.draft.pk == v1.draft.pk
    assert SourceDocument.objects.count() == 2


def test_the_year_comes_from_the_typed_title_when_the_field_is_empty(district):
    outcome = services.draft_upload_file(
        actor=district.office, upload=speech_upload(), title="2027年一季度开门红讲话"
    )
    assert outcome.draft.year == 2027


def test_the_current_campaign_gives_the_year_when_nothing_else_does(district, cast):
    campaign_create(
        actor=cast.office, name="2031年开门红", start=date(2031, 1, 1), end=date(2031, 3, 31)
    )
    text = "关于推进重点工作的安排\n一、重点工作\n1. 要在3月底前完成重点项目开工。"
    draft = services.draft_upload_text(actor=cast.office, text=text).draft
    assert draft.year == 2031
    assert not any("--year" in f for f in draft.flags)


def test_no_flag_tells_the_office_about_a_command_line_option(district, cast):
    text = "关于推进重点工作的安排\n一、重点工作\n1. 要在3月底前完成重点项目开工。"
    draft = services.draft_upload_text(actor=cast.office, text=text).draft
    flags = [*draft.flags, *(f for item in draft.items.all() for f in item.flags)]
    assert flags, "the missing year is flagged"
    assert not any("--year" in f or "kaimen " in f or "命令" in f for f in flags)
    assert any("战役年份" in f for f in flags)


def test_the_review_page_names_the_version_and_links_the_others(client, login, district):
    login(district.office)
    upload(client, year="2025")
    page = upload(client, year="2026").content.decode()
    first, second = LedgerDraft.objects.order_by("document__number")
    assert "新版本第 2 版" in page
    assert 'id="draft-versions"' in page
    assert reverse("ledger:draft_review", args=[first.pk]) in page
    assert "2026" in page
    older = client.get(reverse("ledger:draft_review", args=[first.pk])).content.decode()
    assert reverse("ledger:draft_review", args=[second.pk]) in older
    assert district.office.get_username() in older or str(district.office) in older


def test_the_review_page_says_when_the_same_draft_was_reopened(client, login, district):
    login(district.office)
    upload(client, year="2025")
    page = upload(client, year="2025").content.decode()
    assert LedgerDraft.objects.count() == 1
    assert "已重新打开第 1 版" in page
    assert 'id="draft-versions"' not in page


def test_the_upload_form_mentions_no_command_line(client, login, district):
    login(district.office)
    page = client.get(reverse("ledger:draft_new")).content.decode()
    assert 'name="year"' in page
    assert "--year" not in page
    assert "命令" not in page


def test_a_version_number_taken_at_the_same_moment_is_retried_once(district, monkeypatch):
    from django.db import IntegrityError

    from kaimen.ledger.services import drafts

    first = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    real = drafts._insert_version
    calls = []

    def collide_once(**kwargs):
        calls.append(kwargs["title"])
        if len(calls) == 1:
            raise IntegrityError("ledger_document_one_number_per_file")
        return real(**kwargs)

    monkeypatch.setattr(drafts, "_insert_version", collide_once)
    second = services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2026)
    assert len(calls) == 2
    assert second.draft.document.number == 2
    assert second.draft.document.previous_id == first.draft.document_id


def test_two_collisions_give_a_clear_message_and_keep_no_file(district, monkeypatch, settings):
    from django.db import IntegrityError

    from kaimen.ledger.services import drafts
    from kaimen.lib.errors import ValidationError

    def collide(**kwargs):
        raise IntegrityError("ledger_document_one_number_per_file")

    monkeypatch.setattr(drafts, "_insert_version", collide)
    with pytest.raises(ValidationError, match="同时上传"):
        services.draft_upload_file(actor=district.office, upload=speech_upload(), year=2025)
    root = settings.LEDGER_FILES_ROOT
    kept = [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
    assert kept == []
