"""Owners a document names, from the upload to the review screen: matched through the unit tree,
short names and aliases; unmatched names mapped to a unit (and remembered) or referred to the
system administrator; accepting waits for a decision."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.ledger import services
from kaimen.ledger.models import Decision, DraftItem, UnitAlias
from kaimen.lib.errors import PermissionDenied, ValidationError
from kaimen.org.models import Unit, UnitKind
from tests.ledger.ledger_helpers import add_departments

pytestmark = pytest.mark.django_db

PLAN = """示范区2026年优化营商环境工作方案(2026年)
一、重点任务
1. 精简项目审批手续,6月底前完成网上审批改造。(区政务服务局牵头,区发改局、区审改办配合)
2. 东城街道要做好辖区企业走访服务,3月底前走访全部规上企业。
3. 开展消费季活动。(责任单位:区商务局、区文旅局;完成时限:2026年6月底前)
"""


@pytest.fixture
def draft(cast):
    add_departments(cast)
    return services.draft_create_from_text(actor=cast.office, text=PLAN, year=2026)


def _items(draft) -> list[DraftItem]:
    return list(draft.items.filter(is_leaf=True).order_by("order"))


def test_named_owners_reach_the_draft_matched_to_the_tree(cast, draft):
    first, street, shop = _items(draft)
    assert first.kind == street.kind == shop.kind == "task"
    assert first.heading == "精简项目审批手续,6月底前完成网上审批改造"
    assert first.lead_unit.name == "区政务服务管理局"
    assert [u.name for u in first.co_units.all()] == ["区发展和改革局"]
    assert first.named_owner["lead"] == ["区政务服务局"]
    assert first.unmatched_units == [
        {"name": "区审改办", "role": "co", "status": "open", "unit": None}
    ]
    assert street.lead_unit == cast.town_a
    assert shop.lead_unit.name == "区商务局"
    assert [u.name for u in shop.co_units.all()] == ["区文化广电旅游体育局"]
    assert shop.deadline == date(2026, 6, 30)


def test_an_item_with_an_unmatched_name_cannot_be_accepted_before_a_decision(cast, draft):
    first = _items(draft)[0]
    with pytest.raises(ValidationError, match="区审改办"):
        services.draft_item_decide(actor=cast.office, item=first, decision=Decision.ACCEPTED)
    services.draft_item_refer_unit(actor=cast.office, item=first, name="区审改办")
    first.refresh_from_db()
    assert first.unmatched_units[0]["status"] == "referred"
    services.draft_item_decide(actor=cast.office, item=first, decision=Decision.ACCEPTED)
    assert AuditEvent.objects.filter(action="ledger.draft.item_refer_unit").count() == 1


def test_the_office_maps_a_name_and_the_next_document_is_matched(cast, draft, client, login):
    first = _items(draft)[0]
    reform = Unit.objects.create(name="区委改革办", kind=UnitKind.DEPARTMENT, parent=cast.top)
    login(cast.office)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    response = client.post(
        reverse("ledger:draft_item_map_unit", args=[first.pk]),
        {"name": "区审改办", "unit": reform.pk, "remember": "1"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.unmatched_units[0]["status"] == "mapped"
    assert first.unmatched_units[0]["unit"] == reform.pk
    assert reform in first.co_units.all()
    alias = UnitAlias.objects.get(name="区审改办")
    assert alias.unit == reform
    assert alias.created_by == cast.office
    events = list(AuditEvent.objects.filter(pk__gt=mark))
    assert [e.action for e in events] == ["ledger.draft.item_map_unit"]
    # The review screen now shows the mapping instead of the two actions.
    page = client.get(reverse("ledger:draft_review", args=[draft.pk])).content.decode()
    assert "区审改办" in page
    assert "区委改革办" in page
    # Next time the alias matches.
    again = services.draft_create_from_text(
        actor=cast.office, text=PLAN.replace("优化营商环境", "再优化营商环境"), year=2026
    )
    first_again = _items(again)[0]
    assert first_again.unmatched_units == []
    assert reform in first_again.co_units.all()


def test_the_review_screen_offers_both_actions_for_an_unmatched_name(cast, draft, client, login):
    login(cast.office)
    page = client.get(reverse("ledger:draft_review", args=[draft.pk])).content.decode()
    first = _items(draft)[0]
    assert reverse("ledger:draft_item_map_unit", args=[first.pk]) in page
    assert reverse("ledger:draft_item_refer_unit", args=[first.pk]) in page


def test_a_name_the_lead_was_given_by_becomes_the_lead(cast, draft):
    first = _items(draft)[0]
    DraftItem.objects.filter(pk=first.pk).update(
        lead_unit=None,
        unmatched_units=[{"name": "区政务局", "role": "lead", "status": "open", "unit": None}],
    )
    first.refresh_from_db()
    unit = Unit.objects.get(name="区政务服务管理局")
    services.draft_item_map_unit(actor=cast.office, item=first, name="区政务局", unit=unit)
    first.refresh_from_db()
    assert first.lead_unit == unit
    assert not UnitAlias.objects.exists()  # not asked to remember


def test_a_unit_user_may_not_map_names(cast, draft, client, login):
    first = _items(draft)[0]
    with pytest.raises(PermissionDenied):
        services.draft_item_map_unit(
            actor=cast.liaison_a, item=first, name="区审改办", unit=cast.town_a, remember=True
        )
    login(cast.liaison_a)
    response = client.post(
        reverse("ledger:draft_item_map_unit", args=[first.pk]),
        {"name": "区审改办", "unit": cast.town_a.pk, "remember": "1"},
    )
    assert response.status_code == 403
    first.refresh_from_db()
    assert first.unmatched_units[0]["status"] == "open"
    assert not UnitAlias.objects.exists()


def test_a_remembered_name_cannot_be_taken_by_another_unit(cast, draft):
    first = _items(draft)[0]
    UnitAlias.objects.create(name="区审改办", unit=cast.town_b, created_at=draft.created_at)
    with pytest.raises(ValidationError, match="已记为"):
        services.draft_item_map_unit(
            actor=cast.office, item=first, name="区审改办", unit=cast.town_a, remember=True
        )
    first.refresh_from_db()
    assert first.unmatched_units[0]["status"] == "open"  # nothing half-written


def test_a_stale_name_gets_a_clear_message(cast, draft, client, login):
    first = _items(draft)[0]
    login(cast.office)
    response = client.post(
        reverse("ledger:draft_item_map_unit", args=[first.pk]),
        {"name": "不存在的单位", "unit": cast.town_a.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert "没有待对应的单位" in response.content.decode()


def test_the_office_adds_and_removes_other_names_on_the_responsibility_page(cast, client, login):
    add_departments(cast)
    reform = Unit.objects.create(name="区委改革办", kind=UnitKind.DEPARTMENT, parent=cast.top)
    login(cast.office)
    page = client.get(reverse("ledger:responsibility")).content.decode()
    assert "区发改局 → 区发展和改革局" in page  # the shipped short names that apply
    response = client.post(
        reverse("ledger:unit_alias_add"), {"name": "区审改办", "unit": reform.pk}
    )
    assert response.status_code == 302
    alias = UnitAlias.objects.get(name="区审改办")
    draft = services.draft_create_from_text(actor=cast.office, text=PLAN, year=2026)
    assert _items(draft)[0].unmatched_units == []
    # A second unit cannot take the same name.
    response = client.post(
        reverse("ledger:unit_alias_add"), {"name": "区审改办", "unit": cast.town_a.pk}, follow=True
    )
    assert "已记为“区委改革办”的简称" in response.content.decode()
    client.post(reverse("ledger:unit_alias_remove", args=[alias.pk]))
    assert not UnitAlias.objects.exists()
    actions = list(
        AuditEvent.objects.filter(action__startswith="ledger.unit_alias")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["ledger.unit_alias.add", "ledger.unit_alias.remove"]


def test_an_office_name_overrides_a_shipped_short_name(cast):
    add_departments(cast)
    services.unit_alias_add(actor=cast.office, name="区发改局", unit=cast.town_a)
    text = "示范区2026年工作安排(2026年)\n一、任务\n1. 推进项目建设。(区发改局牵头)\n"
    draft = services.draft_create_from_text(actor=cast.office, text=text, year=2026)
    assert _items(draft)[0].lead_unit == cast.town_a


def test_accepting_all_complete_items_leaves_those_with_an_unmatched_name(cast, draft):
    first, street, shop = _items(draft)
    services.draft_accept_complete(actor=cast.office, draft=draft)
    first.refresh_from_db()
    shop.refresh_from_db()
    assert first.decision == Decision.PENDING  # 区审改办 awaits a decision
    assert shop.decision == Decision.ACCEPTED
