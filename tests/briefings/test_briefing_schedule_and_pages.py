"""The Monday job (working days only, one issue a week) and the briefing pages: who lists,
who downloads, who builds."""

from __future__ import annotations

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from kaimen.briefings import services, tasks
from kaimen.briefings.models import Briefing, BriefingSource
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.core.models import WorkdayOverride
from kaimen.org import scope
from kaimen.org.models import User
from kaimen.org.scope import Perm

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo() -> Campaign:
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name=CAMPAIGN)


def _at(clock, *args) -> None:
    clock.current = datetime(*args, tzinfo=SHANGHAI)


def test_the_weekly_job_builds_on_a_working_monday(demo, clock):
    _at(clock, 2025, 3, 10, 8, 0)
    briefing_id = tasks.weekly_briefing.call_local()
    briefing = Briefing.objects.get(pk=briefing_id)
    assert briefing.scheduled_week == "2025-W11"
    assert briefing.campaign == demo
    assert briefing.created_by is None
    assert briefing.source == BriefingSource.SCHEDULE
    assert briefing.number is None  # a draft the office issues


def test_the_weekly_job_skips_a_monday_of_the_national_day_holiday(demo, clock):
    _at(clock, 2025, 10, 6, 8, 0)  # Monday, 国庆节 holiday
    assert tasks.weekly_briefing.call_local() is None
    assert not Briefing.objects.exists()


def test_the_weekly_job_follows_the_offices_override_table(demo, clock):
    _at(clock, 2025, 3, 10, 8, 0)
    WorkdayOverride.objects.create(
        date=clock.current.date(), is_workday=False, updated_at=clock.current
    )
    assert services.briefing_build_scheduled() is None
    assert not Briefing.objects.exists()


def test_the_weekly_job_builds_once_a_week(demo, clock):
    _at(clock, 2025, 3, 10, 8, 0)
    first = services.briefing_build_scheduled()
    again = services.briefing_build_scheduled()
    clock.advance(days=1)
    later_that_week = services.briefing_build_scheduled()
    assert first.pk == again.pk == later_that_week.pk
    assert Briefing.objects.count() == 1
    clock.advance(days=6)  # the next Monday, the draft not issued: rebuilt in place
    next_week = services.briefing_build_scheduled()
    assert next_week.pk == first.pk
    assert next_week.scheduled_week == "2025-W12"
    services.briefing_issue(actor=person("office.li"), briefing_id=first.pk)
    clock.advance(days=7)  # issued: the Monday after builds a new draft
    assert services.briefing_build_scheduled().pk != first.pk


def person(username: str) -> User:
    """A demo account past its first sign-in (demo accounts must set their own password)."""
    User.objects.filter(username=username).update(must_change_password=False)
    return User.objects.get(username=username)


@pytest.fixture
def built(demo) -> Briefing:
    return services.briefing_build(actor=User.objects.get(username="office.li"), campaign=demo)


def test_the_office_sees_the_list_and_the_build_button(built, login):
    response = login(person("office.li")).get(reverse("briefings:briefing_list"))
    assert response.status_code == 200
    assert built.label in response.content.decode()
    assert reverse("briefings:briefing_build") in response.content.decode()
    assert reverse("briefings:briefing_issue", args=[built.pk]) in response.content.decode()


def test_the_office_issues_from_the_page_and_the_list_says_who_built_it(built, login):
    client = login(person("office.li"))
    response = client.post(reverse("briefings:briefing_issue", args=[built.pk]))
    assert response.status_code == 302
    issued = Briefing.objects.get(pk=built.pk)
    assert issued.number == 1
    page = client.get(reverse("briefings:briefing_list")).content.decode()
    assert issued.label in page
    assert reverse("briefings:briefing_issue", args=[built.pk]) not in page
    assert person("office.li").display_name in page


def test_a_leader_reads_and_downloads_but_cannot_build(built, login):
    client = login(person("leader.zhang"))
    page = client.get(reverse("briefings:briefing_list"))
    assert page.status_code == 200
    assert reverse("briefings:briefing_build") not in page.content.decode()
    response = client.get(reverse("briefings:briefing_download", args=[built.pk, "docx"]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    body = b"".join(response.streaming_content)
    assert body == services.path_of(built.docx_name).read_bytes()
    assert client.post(reverse("briefings:briefing_build")).status_code == 403
    assert client.post(reverse("briefings:briefing_issue", args=[built.pk])).status_code == 403
    assert reverse("briefings:briefing_issue", args=[built.pk]) not in page.content.decode()
    assert Briefing.objects.count() == 1
    assert Briefing.objects.get().number is None


def test_the_office_builds_now_from_the_page(demo, login):
    client = login(person("office.li"))
    response = client.post(reverse("briefings:briefing_build"), {"campaign": demo.pk})
    assert response.status_code == 302
    assert Briefing.objects.filter(campaign=demo).count() == 1


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_a_liaison_gets_no_list_and_no_download(built, login, kind):
    client = login(person("liaison.shangwu"))
    assert client.get(reverse("briefings:briefing_list")).status_code in (403, 404)
    response = client.get(reverse("briefings:briefing_download", args=[built.pk, kind]))
    assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    ("role", "reads", "builds"),
    [
        ("office", True, True),
        ("leader", True, False),
        ("liaison_a", False, False),
        ("member_a", False, False),
        ("auditor", False, False),
        ("sysadmin", False, False),
        ("secadmin", False, False),
    ],
)
def test_who_reads_and_who_builds_briefings(cast, role, reads, builds):
    user = cast.role(role)
    assert scope.can(user, Perm.BRIEFING_VIEW) is reads
    assert scope.can(user, Perm.BRIEFING_BUILD) is builds


def test_the_list_page_does_not_grow_its_queries_with_its_rows(
    built, demo, login, django_assert_max_num_queries
):
    office = person("office.li")
    client = login(office)
    client.get(reverse("briefings:briefing_list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("briefings:briefing_list"))
    for _ in range(3):
        services.briefing_build(actor=office, campaign=demo)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("briefings:briefing_list"))
