"""The main menu in groups (驾驶舱 · 首页 · 任务 · 目标 · 考核 · 通报 · 管理) and each role's first
screen: a leader lands on the dashboard, everyone else on 首页."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
DASHBOARD = reverse("dashboard:dashboard")


def groups(response) -> list[tuple[str, list[str]]]:
    return [
        (
            str(group["label"]),
            [str(i["label"]) for i in group["items"]] if len(group["items"]) > 1 else [],
        )
        for group in response.context["nav_groups"]
    ]


def test_a_leader_lands_on_the_dashboard_and_has_no_home_entry(cast, login):
    client = login(cast.leader)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    page = client.get(DASHBOARD)
    assert HOME not in [item["url"] for item in page.context["nav_items"]]
    assert groups(page)[0] == ("驾驶舱", [])


@pytest.mark.parametrize("role", ["office", "liaison_a", "member_a", "auditor", "sysadmin"])
def test_everyone_else_lands_on_home(cast, login, role):
    response = login(cast.role(role)).get(HOME)
    assert response.status_code == 200
    assert HOME in [item["url"] for item in response.context["nav_items"]]


def test_the_office_menu_is_a_few_groups_with_their_pages(cast, login):
    shown = groups(login(cast.office).get(HOME))
    labels = [label for label, _ in shown]
    assert labels == ["驾驶舱", "首页", "任务", "目标", "考核", "调度通报", "管理"]
    members = dict(shown)
    assert members["任务"][0] == "任务台账"
    assert "审计日志" not in members["管理"]  # 三员分立: not the office's
    # every page of the flat list is in exactly one group
    flat = login(cast.office).get(HOME).context["nav_items"]
    assert sum(max(1, len(items)) for _, items in shown) == len(flat)


def test_a_group_of_one_page_is_that_pages_link(cast, login):
    shown = groups(login(cast.auditor).get(HOME))
    assert shown == [("首页", []), ("审计日志", [])]


def test_only_the_most_specific_entry_is_current(cast, login):
    response = login(cast.office).get(reverse("ledger:draft_list"))
    current = [item["url"] for item in response.context["nav_items"] if item["current"]]
    assert current == [reverse("ledger:draft_list")]  # not the task ledger's "ledger" as well
    tasks = next(g for g in response.context["nav_groups"] if g["key"] == "tasks")
    assert tasks["current"]
