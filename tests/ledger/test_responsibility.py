"""The office's responsibility table (职责对照表) drives the unit suggestions of a new draft."""

from __future__ import annotations

import pytest

from kaimen.audit.models import AuditEvent
from kaimen.ledger import selectors, services
from kaimen.ledger.models import ResponsibilityEntry
from kaimen.lib import errors

pytestmark = pytest.mark.django_db

SPEECH = """区长在全区工作会议上的讲话
同志们:
一、抓好重点工作
(一)推进营商环境。一是要加快建设智慧停车系统,年底前完成。
"""


def test_office_entry_makes_the_parser_suggest_that_unit(cast):
    services.responsibility_save(actor=cast.office, unit=cast.town_a, keywords="智慧停车、停车场")
    draft = services.draft_create_from_text(actor=cast.office, text=SPEECH, year=2026)
    items = [item for item in draft.items.all() if item.lead_unit_id]
    assert [item.lead_unit_id for item in items] == [cast.town_a.pk]


def test_empty_table_falls_back_to_the_shipped_one(cast):
    assert ResponsibilityEntry.objects.count() == 0
    assert selectors.responsibility_rules() is None


def test_each_save_writes_one_audit_event_and_edits_are_versioned(cast):
    before = AuditEvent.objects.count()
    entry = services.responsibility_save(actor=cast.office, unit=cast.town_a, keywords="停车")
    assert AuditEvent.objects.count() == before + 1
    services.responsibility_save(
        actor=cast.office, unit=cast.town_a, keywords="停车, 充电桩", expected_version=1
    )
    entry.refresh_from_db()
    assert entry.keyword_list() == ["停车", "充电桩"]
    assert AuditEvent.objects.count() == before + 2
    with pytest.raises(errors.StaleVersion):
        services.responsibility_save(
            actor=cast.office, unit=cast.town_a, keywords="别的", expected_version=1
        )


def test_keywords_are_required_and_bounded(cast):
    with pytest.raises(errors.ValidationError, match="关键词"):
        services.responsibility_save(actor=cast.office, unit=cast.town_a, keywords=" 、 ,")
    with pytest.raises(errors.ValidationError, match="过长"):
        services.responsibility_save(actor=cast.office, unit=cast.town_a, keywords="停" * 21)


@pytest.mark.parametrize("role", ["leader", "liaison_a", "auditor", "sysadmin"])
def test_only_the_office_edits_the_table(cast, role):
    with pytest.raises(errors.PermissionDenied):
        services.responsibility_save(actor=cast.role(role), unit=cast.town_a, keywords="停车")


def test_page_lists_entries_and_refuses_a_liaison(cast, login, client):
    services.responsibility_save(actor=cast.office, unit=cast.town_a, keywords="停车")
    login(cast.office)
    page = client.get("/ledger/responsibility/")
    assert page.status_code == 200
    assert "停车" in page.content.decode()
    client.logout()
    login(cast.liaison_a)
    assert client.get("/ledger/responsibility/").status_code == 403


def test_load_defaults_fills_units_the_district_has(cast):
    from kaimen.org.models import Unit, UnitKind

    Unit.objects.create(name="区商务局", kind=UnitKind.DEPARTMENT)
    added = services.responsibility_load_defaults(actor=cast.office)
    assert added == 1
    assert services.responsibility_load_defaults(actor=cast.office) == 0
    assert ResponsibilityEntry.objects.get().unit.name == "区商务局"
