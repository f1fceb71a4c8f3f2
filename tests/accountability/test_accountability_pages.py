"""The pages, the home panels, and what the dashboard and the briefing read from here."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kaimen.accountability import selectors, services
from kaimen.accountability.models import Explanation, Proposal, Status
from kaimen.campaigns.models import Campaign
from kaimen.lib import clock as clock_module
from kaimen.org.models import Unit, UnitKind
from tests.accountability import helpers as h

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def world(cast, clock, settings, tmp_path):
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


def many_proposals(cast, n: int, *, start: int = 0) -> None:
    """``n`` proposals of as many units, half decided, each with an explanation and a file:
    rows for the query-count tests (their content is not under test)."""
    campaign = Campaign.objects.first()
    now = clock_module.now()
    for i in range(start, start + n):
        unit = Unit.objects.create(name=f"测试镇{i}", kind=UnitKind.TOWN, parent=cast.top)
        decided = i % 2 == 1
        p = Proposal.objects.create(
            campaign=campaign,
            unit=unit,
            rule="missed_reports",
            step="remind",
            matter_kind="reports",
            subject="reports",
            matter="进展报送",
            key=f"k{i}",
            facts=["事实一", "事实二"],
            text="建议",
            proposed_at=now,
            status=Status.CONFIRMED if decided else Status.PROPOSED,
            decided_by=cast.office if decided else None,
            decided_at=now if decided else None,
            decision_reason="属实" if decided else "",
        )
        e = Explanation.objects.create(
            proposal=p, text="说明", author=cast.office, author_unit=unit, created_at=now
        )
        e.attachments.create(
            original_name="a.png",
            kind="png",
            size=1,
            sha256="0" * 64,
            stored_name=f"{i:032x}",
            uploaded_by=cast.office,
            uploaded_at=now,
        )


@pytest.mark.parametrize("url_name", ["accountability:record", "accountability:queue"])
def test_list_pages_do_not_query_per_row(
    client, login, cast, world, django_assert_max_num_queries, url_name
):
    login(cast.office)
    many_proposals(cast, 3)
    with django_assert_max_num_queries(40) as few:
        assert client.get(reverse(url_name)).status_code == 200
    many_proposals(cast, 30, start=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse(url_name)).content.decode()
    assert "测试镇32" in page


def test_the_unit_record_page_does_not_query_per_row(
    client, login, cast, world, django_assert_max_num_queries
):
    login(cast.liaison_a)
    url = reverse("accountability:unit_record", args=[cast.town_a.pk])
    world[cast.town_a.pk] = services.proposal_confirm(
        actor=cast.office, proposal=world[cast.town_a.pk], reason="属实"
    )

    def explain() -> None:
        services.explanation_add(
            actor=cast.liaison_a,
            proposal=world[cast.town_a.pk],
            text="补充说明",
            uploads=[SimpleUploadedFile("a.png", PNG)],
        )

    explain()
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(4):
        explain()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("补充说明") == 5


def test_the_queue_shows_facts_rule_step_and_a_decision_form(client, login, cast, world):
    login(cast.office)
    page = client.get(reverse("accountability:queue")).content.decode()
    assert "已有4次未按时报送进展" in page
    assert "此前未确认过任何步骤" in page
    assert 'name="reason"' in page
    assert 'value="confirm"' in page
    assert 'value="dismiss"' in page
    assert page.count('class="card proposal"') == 2


def test_deciding_through_the_page_without_a_reason_changes_nothing(client, login, cast, world):
    login(cast.office)
    p = world[cast.town_a.pk]
    response = client.post(
        reverse("accountability:decide", args=[p.pk]),
        {"decision": "confirm", "reason": ""},
        follow=True,
    )
    assert "请填写确认理由" in response.content.decode()
    p.refresh_from_db()
    assert p.status == Status.PROPOSED
    response = client.post(
        reverse("accountability:decide", args=[p.pk]),
        {"decision": "dismiss", "reason": "已整改到位", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("accountability:queue")
    p.refresh_from_db()
    assert (p.status, p.decision_reason) == (Status.DISMISSED, "已整改到位")
    response = client.post(
        reverse("accountability:decide", args=[p.pk]),
        {"decision": "confirm", "reason": "再次决定"},
        follow=True,
    )
    assert "不能再次决定" in response.content.decode()
    p.refresh_from_db()
    assert p.status == Status.DISMISSED


def test_the_liaison_explains_from_its_unit_page(client, login, cast, world):
    services.proposal_confirm(actor=cast.office, proposal=world[cast.town_a.pk], reason="属实")
    login(cast.liaison_a)
    url = reverse("accountability:unit_record", args=[cast.town_a.pk])
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    p = world[cast.town_a.pk]
    response = client.post(
        reverse("accountability:explain", args=[p.pk]),
        {"text": "首周因人员调整未及时报送", "files": [SimpleUploadedFile("证明.png", PNG)]},
    )
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert "首周因人员调整未及时报送" in page
    assert "证明.png" in page
    download = client.get(
        reverse(
            "accountability:attachment_download", args=[p.explanations.get().attachments.get().pk]
        )
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PNG


def test_the_record_filters_and_answers_htmx_with_the_table(client, login, cast, world):
    services.proposal_confirm(actor=cast.office, proposal=world[cast.town_a.pk], reason="属实")
    login(cast.office)
    url = reverse("accountability:record")

    def table(**params) -> str:
        page = client.get(url, params, HTTP_HX_REQUEST="true").content.decode()
        assert page.lstrip().startswith('<div id="record-table">')
        return page

    assert "东城街道" in table()
    assert "西城街道" in table()
    page = table(status="confirmed")
    assert "东城街道" in page
    assert "西城街道" not in page
    page = table(unit=cast.town_b.pk)
    assert "西城街道" in page
    assert "东城街道" not in page
    tomorrow = timezone.localdate(clock_module.now()) + timedelta(days=1)
    page = table(date_from=tomorrow.isoformat())
    assert "东城街道" not in page
    assert "西城街道" not in page
    full = client.get(url).content.decode()
    assert '<form class="filters"' in full


def test_the_rules_page_shows_a_clear_error_and_saves(client, login, cast, world):
    login(cast.office)
    campaign = Campaign.objects.first()
    url = reverse("accountability:rules", args=[campaign.pk])
    data = {
        "version": "0",
        "red_periods": "0",
        "red_periods_to_escalate": "1",
        "order_limit_workdays": "5",
        "overdue_workdays_to_escalate": "5",
        "missed_reports": "2",
        "missed_reports_to_escalate": "1",
        "highest_step": "accountability",
    }
    page = client.post(url, data).content.decode()
    assert "“连续红灯期数”应为1到12之间的整数" in page
    assert client.post(url, data | {"red_periods": "2"})["Location"] == url
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page
    # A second tab still holding version 0 is told, not silently overwritten.
    page = client.post(url, data | {"red_periods": "4"}).content.decode()
    assert "已被他人修改" in page
    assert services.rules_for(campaign)[0].red_periods == 2


# ---------------------------------------------------------------------------------------------
# Home panels and the selectors for the dashboard and the briefing


def test_the_office_home_shows_the_open_count(client, login, cast, world):
    login(cast.office)
    page = client.get(reverse("core:home")).content.decode()
    assert f'<a class="stat" href="{reverse("accountability:queue")}"><b>2</b>' in page


def test_a_liaison_home_lists_its_own_confirmed_items_only(client, login, cast, world):
    login(cast.liaison_a)
    own = reverse("accountability:proposal_detail", args=[world[cast.town_a.pk].pk])
    assert own not in client.get(reverse("core:home")).content.decode()  # not yet confirmed
    for p in world.values():
        services.proposal_confirm(actor=cast.office, proposal=p, reason="属实")
    page = client.get(reverse("core:home")).content.decode()
    assert reverse("accountability:proposal_detail", args=[world[cast.town_a.pk].pk]) in page
    assert reverse("accountability:proposal_detail", args=[world[cast.town_b.pk].pk]) not in page
    login(cast.auditor)
    assert "accountability" not in client.get(reverse("core:home")).content.decode()


@pytest.mark.parametrize(
    ("role", "count"),
    [
        ("office", 2),
        ("leader", 2),
        # an open proposal is shown to the unit only once confirmed
        ("liaison_a", 0),
        ("member_a", 0),
        ("liaison_b", 0),
        ("auditor", 0),
        ("sysadmin", 0),
    ],
)
def test_open_proposal_count_is_scoped(cast, world, role, count):
    assert selectors.open_proposal_count(cast.role(role)) == count


def test_recent_confirmed_gives_plain_rows_newest_first(cast, clock, world):
    campaign = Campaign.objects.first()
    assert selectors.recent_confirmed(campaign) == []
    services.proposal_confirm(actor=cast.office, proposal=world[cast.town_a.pk], reason="属实")
    clock.advance(days=1)
    services.proposal_confirm(actor=cast.leader, proposal=world[cast.town_b.pk], reason="属实")
    rows = selectors.recent_confirmed(campaign, limit=10)
    assert rows == [
        selectors.ConfirmedRow(
            "西城街道", "提醒", "多次未按时报送进展", "进展报送", date(2025, 3, 13)
        ),
        selectors.ConfirmedRow(
            "东城街道", "提醒", "多次未按时报送进展", "进展报送", date(2025, 3, 12)
        ),
    ]
    assert len(selectors.recent_confirmed(campaign, limit=1)) == 1


def test_a_refused_explanation_file_keeps_the_text_with_the_message_beside_it(
    client, login, cast, world
):
    services.proposal_confirm(actor=cast.office, proposal=world[cast.town_a.pk], reason="属实")
    login(cast.liaison_a)
    p = world[cast.town_a.pk]
    docx_renamed = b"PK\x03\x04" + b"\x00" * 100
    response = client.post(
        reverse("accountability:explain", args=[p.pk]),
        {
            "text": "首周因人员调整未及时报送",
            "files": [SimpleUploadedFile("说明.doc", docx_renamed)],
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    form = page[page.index(f'id="explain-{p.pk}"') :]
    form = form[: form.index("</form>")]
    assert "首周因人员调整未及时报送</textarea>" in form
    assert 'class="field has-error"' in form
    assert "不是 Word（.doc）" in form
    assert not Explanation.objects.exists()
