"""The ledger's lists stay flat in queries as they grow; the home panel, the calendar page, the
API and the demo."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kaimen.audit.services import verify
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.core.models import CalendarYear, WorkdayOverride
from kaimen.ledger import services
from kaimen.ledger.demo import DEPARTMENT_TASKS, load_demo_campaign
from kaimen.ledger.models import StepState, SupervisionStep, Task, TaskStatus
from kaimen.org.demo import load_demo_district
from tests.ledger.ledger_helpers import make_tasks

pytestmark = pytest.mark.django_db


def _many(cast, n: int):
    specs = [
        (cast.town_a if i % 2 else cast.town_b, [cast.town_b if i % 2 else cast.town_a])
        for i in range(n)
    ]
    tasks = make_tasks(cast, specs, deadline=date(2099, 12, 31))
    for task in tasks[:3]:
        liaison = cast.liaison_a if task.lead_unit_id == cast.town_a.pk else cast.liaison_b
        services.progress_report(actor=liaison, task=task, text="进展", percent=20)
    return tasks


@pytest.mark.parametrize("role", ["office", "liaison_a"])
def test_task_list_query_count_does_not_grow_with_rows(
    client, login, cast, django_assert_max_num_queries, role
):
    _many(cast, 5)
    login(cast.role(role))
    url = reverse("ledger:task_list")
    client.get(url)  # warm the session and the caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(cast, 35)
    assert Task.objects.count() == 40
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200
    shown = response.content.decode().count('href="/ledger/tasks/')
    assert shown == 40  # liaison_a leads or co-works on every one of them


def test_task_list_filters_by_light_status_unit_and_overdue(client, login, cast, clock):
    tasks = make_tasks(cast, [(cast.town_a, []), (cast.town_b, [])], deadline=date(2025, 3, 10))
    services.task_request_closure(actor=cast.liaison_b, task=tasks[1], summary="完成")
    login(cast.office)
    url = reverse("ledger:task_list")

    def rows(**query) -> set[int]:
        page = client.get(url, query).content.decode()
        return {t.pk for t in tasks if f'href="/ledger/tasks/{t.pk}/"' in page}

    assert rows() == {tasks[0].pk, tasks[1].pk}
    assert rows(overdue="on") == {tasks[0].pk}
    assert rows(light="red") == {tasks[0].pk}
    assert rows(status=TaskStatus.AWAITING_ACCEPTANCE) == {tasks[1].pk}
    assert rows(unit=cast.town_b.pk) == {tasks[1].pk}
    partial = client.get(url, {"light": "red"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'id="task-table"' in partial


def test_task_detail_shows_the_leaders_words_reports_and_forms_by_role(client, login, cast):
    (task,) = make_tasks(cast, [(cast.town_a, [cast.town_b])], deadline=date(2099, 12, 31))
    services.progress_report(actor=cast.liaison_a, task=task, text="完成选址", percent=25)
    services.instruction_give(actor=cast.leader, task=task, text="要倒排工期")
    login(cast.liaison_a)
    page = client.get(reverse("ledger:task_detail", args=[task.pk])).content.decode()
    assert task.original_text in page
    assert "完成选址" in page
    assert "要倒排工期" in page
    assert reverse("ledger:task_report", args=[task.pk]) in page
    assert reverse("ledger:task_accept", args=[task.pk]) not in page
    login(cast.leader)
    page = client.get(reverse("ledger:task_detail", args=[task.pk])).content.decode()
    assert reverse("ledger:task_instruct", args=[task.pk]) in page
    assert reverse("ledger:task_report", args=[task.pk]) not in page


def test_home_panel_counts_my_units_tasks(client, login, cast):
    make_tasks(
        cast,
        [(cast.town_a, []), (cast.town_a, []), (cast.town_b, [cast.town_a])],
        deadline=date(2025, 1, 31),
    )
    login(cast.liaison_a)
    page = client.get(reverse("core:home")).content.decode()
    assert "本单位的任务" in page
    assert "<b>2</b>" in page  # two tasks led by 东城街道 (both red: their deadline has passed)
    assert 'class="text-red">2</b>' in page


def test_office_enters_next_years_schedule_on_the_calendar_page(client, login, cast):
    login(cast.office)
    url = reverse("core:calendar")
    page = client.get(url).content.decode()
    assert "2027" in page  # the package has no 2027 yet: the page says so
    response = client.post(url, {"day": "2027-02-06", "is_workday": "1", "note": "春节调休"})
    assert response.status_code == 302
    assert WorkdayOverride.objects.get().is_workday
    client.post(reverse("core:calendar_year_mark"), {"year": "2027", "complete": "1"})
    assert CalendarYear.objects.filter(year=2027).exists()


def test_api_lists_only_the_tasks_a_liaison_may_see(client, login, cast):
    own, other = make_tasks(
        cast, [(cast.town_a, []), (cast.town_b, [])], deadline=date(2099, 12, 31)
    )
    login(cast.liaison_a)
    data = client.get("/api/v1/ledger/tasks").json()
    assert [t["id"] for t in data["items"]] == [own.pk]
    assert client.get(f"/api/v1/ledger/tasks/{other.pk}").status_code == 403
    assert client.get(f"/api/v1/ledger/tasks/{own.pk}").json()["lead_unit_id"] == cast.town_a.pk


def test_the_demo_builds_the_campaign_once_with_an_overdue_task_and_a_supervision_order(
    settings, tmp_path
):
    settings.LEDGER_FILES_ROOT = tmp_path
    load_demo_district()
    first = load_demo_campaign()
    assert first.created
    # the speech's nine tasks and the departments' task table (every department leads work)
    assert first.tasks == 9 + len(DEPARTMENT_TASKS)
    assert first.reports > first.tasks
    campaign = Campaign.objects.get(name=CAMPAIGN)
    tasks = Task.objects.filter(campaign=campaign)
    assert tasks.filter(status=TaskStatus.LAGGING, light="red").count() == 1
    assert tasks.filter(status=TaskStatus.CLOSED).count() == 7 + len(DEPARTMENT_TASKS)
    assert SupervisionStep.objects.filter(level="order", state=StepState.CONFIRMED).count() == 1
    counts = (Task.objects.count(), SupervisionStep.objects.count())
    again = load_demo_campaign()
    assert not again.created
    assert (Task.objects.count(), SupervisionStep.objects.count()) == counts
    assert verify().ok
