"""The reference speech from upload through review to a published ledger, through the real views."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.ledger import services
from kaimen.ledger.models import (
    Decision,
    DraftItem,
    LedgerDraft,
    SourceDocument,
    Task,
    TaskStatus,
    UnitProposal,
)
from kaimen.org.models import Unit, UnitKind
from tests.ledger.ledger_helpers import SPEECH, add_departments, publish_speech, speech_upload

pytestmark = pytest.mark.django_db

# The gold file's acceptable lead units (corpus/2025-q1-kaimenhong-speech.gold.json), by path.
ACCEPTABLE_LEADS = {
    "一/(一)/二是": {"区发展和改革局", "区统计局"},
    "一/(三)/一是": {"区纪委监委", "区委组织部", "区委区政府督查室"},
    "一/(三)/三是": {"区委组织部", "区委区政府督查室", "区委办公室", "区人力资源和社会保障局"},
    "二/(一)/一是": {"区商务局"},
    "二/(一)/二是": {"区商务局", "区市场监督管理局"},
    "二/(一)/三是": {"区商务局", "区文化广电旅游体育局"},
    "二/(二)/一是": {"区投资促进局"},
    "二/(二)/二是": {"区投资促进局"},
    "二/(二)/三是": {"区发展和改革局", "区政务服务管理局", "区市场监督管理局", "区司法局"},
}


@pytest.fixture(autouse=True)
def _files(settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path / "ledger-files"


@pytest.fixture
def district(cast):
    add_departments(cast)
    return cast


def test_reference_speech_upload_review_publish_gives_nine_tasks_with_the_right_leads(
    client, login, district
):
    login(district.office)
    response = client.post(reverse("ledger:draft_new"), {"file": speech_upload(), "year": "2025"})
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = LedgerDraft.objects.get()
    assert response["Location"] == reverse("ledger:draft_review", args=[draft.pk])

    review = client.get(response["Location"])
    assert review.status_code == 200
    page = review.content.decode()
    assert "提高站位,认清形势" in page  # the source text is shown beside the ledger
    assert f'id="src-{draft.items.get(path="二/(二)/二是").pk}"' in page  # item linked to its words
    assert "招商引资专班" in page  # the four task forces are proposed

    items = DraftItem.objects.filter(draft=draft, is_leaf=True, kind="task")
    assert items.count() == 9
    client.post(reverse("ledger:draft_accept_complete", args=[draft.pk]))
    assert items.filter(decision=Decision.ACCEPTED).count() == 9
    response = client.post(
        reverse("ledger:draft_publish", args=[draft.pk]),
        {"new_name": "2025年一季度开门红", "new_start": "2025-02-05", "new_end": "2025-03-31"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]

    tasks = Task.objects.select_related("lead_unit").order_by("order")
    assert tasks.count() == 9
    for task in tasks:
        assert task.lead_unit.name in ACCEPTABLE_LEADS[task.path], (task.path, task.lead_unit)
        assert task.original_text
        assert task.document_id == draft.document_id
        assert task.deadline == date(2025, 3, 31)
    assert set(ACCEPTABLE_LEADS) == {t.path for t in tasks}
    published = client.get(reverse("ledger:draft_review", args=[draft.pk])).content.decode()
    assert reverse("ledger:task_detail", args=[tasks[0].pk]) in published
    assert 'id="publish-form"' not in published


def test_the_source_document_is_kept_with_its_hash_and_text(district):
    draft = services.draft_create_from_file(
        actor=district.office, upload=speech_upload(), year=2025
    )
    document = draft.document
    assert document.kind == "txt"
    assert document.original_name == SPEECH.name
    assert len(document.sha256) == 64
    assert "同志们" in document.extracted_text
    assert document.stored_name
    assert document.stored_name != SPEECH.name


def test_uploading_the_same_speech_twice_returns_the_same_draft(district):
    first = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    events = AuditEvent.objects.count()
    second = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    assert first.pk == second.pk
    assert SourceDocument.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_publishing_twice_does_not_duplicate_tasks(district):
    campaign, tasks = publish_speech(district)
    draft = LedgerDraft.objects.get()
    again = services.draft_publish(actor=district.office, draft=draft, campaign=campaign)
    assert again.created == 0
    assert [t.pk for t in again.tasks] == [t.pk for t in tasks]
    assert Task.objects.count() == 9


def test_publish_refuses_while_tasks_are_not_reviewed(district):
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    with pytest.raises(services.ValidationError, match="没有审核"):
        services.draft_publish(
            actor=district.office,
            draft=draft,
            new_campaign=services.NewCampaign("x", date(2025, 2, 1), date(2025, 3, 31)),
        )
    assert not Task.objects.exists()


def test_accepting_a_proposed_task_force_creates_the_unit_with_its_duty(district):
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    proposal = UnitProposal.objects.get(draft=draft, name="招商引资专班")
    services.unit_proposal_decide(actor=district.office, proposal=proposal, accept=True)
    unit = Unit.objects.get(name="招商引资专班")
    assert unit.kind == UnitKind.TASK_FORCE
    assert unit.duties.startswith("负责项目对接和引进")
    assert UnitProposal.objects.filter(draft=draft).count() == 4


def test_an_existing_unit_of_the_proposed_name_is_linked_not_duplicated(district):
    existing = Unit.objects.create(name="服务保障专班", kind=UnitKind.TASK_FORCE)
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    proposal = UnitProposal.objects.get(draft=draft, name="服务保障专班")
    services.unit_proposal_decide(actor=district.office, proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.unit == existing
    assert Unit.objects.filter(name="服务保障专班").count() == 1


def test_office_edits_an_item_with_htmx_and_gets_the_row_back(client, login, district):
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    item = draft.items.get(path="二/(一)/一是")
    login(district.office)
    url = reverse("ledger:draft_item_edit", args=[item.pk])
    form = client.get(url, headers={"HX-Request": "true"})
    assert form.status_code == 200
    assert "<html" not in form.content.decode()
    response = client.post(
        url,
        {
            "version": item.version,
            "heading": "落实促消费政策",
            "text": item.text,
            "kind": "task",
            "lead_unit": Unit.objects.get(name="区商务局").pk,
            "co_units": [Unit.objects.get(name="区财政局").pk],
            "deadline": "2025-03-15",
            "cadence": "ten_days",
            "milestones": "2025-02-28 出台配套政策",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "落实促消费政策" in response.content.decode()
    item.refresh_from_db()
    assert item.deadline == date(2025, 3, 15)
    assert item.cadence == "ten_days"
    assert item.milestones == [{"label": "出台配套政策", "date": "2025-02-28"}]
    assert list(item.co_units.values_list("name", flat=True)) == ["区财政局"]


def test_a_stale_item_edit_is_refused_with_409(client, login, district):
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    item = draft.items.get(path="二/(一)/一是")
    login(district.office)
    data = {
        "version": item.version + 5,
        "heading": "x",
        "text": item.text,
        "kind": "task",
        "deadline": "2025-03-15",
        "cadence": "weekly",
    }
    response = client.post(reverse("ledger:draft_item_edit", args=[item.pk]), data)
    assert response.status_code == 409


def test_merge_and_split_keep_the_text_and_the_link_to_the_source(district):
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    first = draft.items.get(path="一/(二)/一是")
    second = draft.items.get(path="一/(二)/二是")
    whole = first.text + second.text
    merged = services.draft_item_merge(actor=district.office, item=first)
    assert merged.text == whole
    assert not DraftItem.objects.filter(pk=second.pk).exists()
    assert merged.source_end >= merged.source_start + len(first.text)

    at = merged.split_points()[0][0]
    new = services.draft_item_split(actor=district.office, item=merged, at=at)
    merged.refresh_from_db()
    assert merged.text == whole[:at].strip()
    assert new.text == whole[at:].strip()
    assert new.path.startswith("一/(二)/一是·")
    source = draft.document.extracted_text
    assert new.source_start is not None
    assert source[new.source_start : new.source_start + 4].replace("\n", "") in new.text
    orders = list(draft.items.order_by("order").values_list("pk", flat=True))
    assert orders.index(new.pk) == orders.index(merged.pk) + 1


def test_publish_with_an_exhortation_turned_into_a_task_and_a_rejected_task(district):
    draft = services.draft_create_from_file(actor=district.office, upload=speech_upload())
    services.draft_accept_complete(actor=district.office, draft=draft)
    rejected = draft.items.get(path="二/(二)/三是")
    services.draft_item_decide(actor=district.office, item=rejected, decision=Decision.REJECTED)
    result = services.draft_publish(
        actor=district.office,
        draft=draft,
        new_campaign=services.NewCampaign("开门红", date(2025, 2, 5), date(2025, 3, 31)),
    )
    assert len(result.tasks) == 8
    assert not Task.objects.filter(path="二/(二)/三是").exists()
    assert all(t.status in (TaskStatus.NOT_STARTED, TaskStatus.LAGGING) for t in result.tasks)


def test_pasted_text_without_any_markers_is_refused_with_a_clear_message(district):
    with pytest.raises(services.ValidationError, match="层次编号"):
        services.draft_create_from_text(
            actor=district.office, text="今年工作要加快推进,各部门要抓好落实。"
        )
    assert not SourceDocument.objects.exists()
