"""One definition of a task's light (``kaimen.ledger.lights``): on a fresh demo the home page, the
ledger list, the dashboard and the briefing show the same counts of red, yellow and green tasks,
and a finished task is counted apart, never as green."""

from __future__ import annotations

import re
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from kaimen.briefings.assemble import assemble_snapshot
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.ledger.models import Light, Task, TaskStatus
from kaimen.org.models import User

pytestmark = pytest.mark.django_db
LIGHTS = ("red", "yellow", "green")


def person(username: str) -> User:
    User.objects.filter(username=username).update(must_change_password=False)
    return User.objects.get(username=username)


@pytest.fixture
def demo(clock, settings, tmp_path) -> Campaign:
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=StringIO())
    clock.current = datetime(2025, 4, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    return Campaign.objects.get(name=CAMPAIGN)


def home_counts(client) -> dict[str, int]:
    page = client.get(reverse("core:home")).content.decode()
    return {
        light: int(re.search(rf'\?light={light}"><b class="text-{light}">(\d+)</b>', page)[1])
        for light in LIGHTS
    } | {"closed": int(re.search(r'\?status=closed"><b>(\d+)</b>', page)[1])}


def ledger_list_counts(client, campaign) -> dict[str, int]:
    """The rows of the ledger list by the light they show (every page)."""
    counts = dict.fromkeys([*LIGHTS, "done"], 0)
    url = reverse("ledger:task_list")
    page_no = 1
    while True:
        page = client.get(url, {"campaign": campaign.pk, "page": page_no}).content.decode()
        for light in counts:
            counts[light] += len(re.findall(rf'class="light light-{light}"', page))
        if f"page={page_no + 1}" not in page:
            return counts
        page_no += 1


def dashboard_counts(client) -> dict[str, int]:
    page = client.get(reverse("dashboard:dashboard")).content.decode()
    cell = page[page.index("dash-task-counts") :]
    found = re.findall(
        r'<span class="dl dl-(red|yellow|green)">.*?</span>[^<]*</span>\s*<b>(\d+)</b>', cell
    )
    return {light: int(n) for light, n in found[:3]}


def briefing_counts(campaign) -> dict[str, int]:
    snap = assemble_snapshot(year=campaign.year, campaign=campaign)
    text = next(p for p in snap.overview.paragraphs if "台账任务" in p)
    names = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
    counts = {light: int(re.search(rf"{word}(\d+)项", text)[1]) for light, word in names.items()}
    return counts | {"closed": int(re.search(r"已办结(\d+)项", text)[1])}


def test_home_ledger_dashboard_and_briefing_count_the_same_lights(demo, client, login):
    tasks = Task.objects.filter(campaign=demo)
    finished = tasks.filter(status__in=[TaskStatus.AWAITING_ACCEPTANCE, TaskStatus.CLOSED])
    assert finished.exists()
    # a finished task has no light: it is never green
    assert set(finished.values_list("light", flat=True)) == {Light.DONE}
    expected = {
        light: tasks.exclude(pk__in=finished).filter(light=light).count() for light in LIGHTS
    }
    assert expected["red"] > 0
    closed = tasks.filter(status=TaskStatus.CLOSED).count()

    login(person("office.li"))
    assert home_counts(client) == expected | {"closed": closed}
    listed = ledger_list_counts(client, demo)
    assert {k: listed[k] for k in LIGHTS} == expected
    assert listed["done"] == finished.count()
    assert dashboard_counts(client) == expected
    assert briefing_counts(demo) == expected | {"closed": closed}
