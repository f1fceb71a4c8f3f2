"""The main menu of every demo role at 1366×768, in a real browser: one line, grouped, every
page of a group reachable from its drop-down; and the audit log reads in Chinese (no English
action label, the 结果 column on one line).

KAIMEN_SCREENSHOTS=dir keeps the screenshots (menu-<user>.png, audit-log.png) to look at."""

from __future__ import annotations

import re

import pytest

from kaimen.org.demo import ACCOUNTS
from tests.browser.test_dashboard import demo_district, open_page, shots, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("demo_district"),
]

CJK = re.compile(r"[\u4e00-\u9fff]")


def menu_geometry(page) -> dict:
    return page.evaluate(
        """() => {
          const nav = document.querySelector('nav.mainnav');
          const entries = [...nav.children].map(e => e.getBoundingClientRect());
          const right = document.querySelector('.topbar-right').getBoundingClientRect();
          const bar = document.querySelector('header.topbar').getBoundingClientRect();
          return {
            tops: entries.map(r => Math.round(r.top)),
            heights: entries.map(r => Math.round(r.height)),
            navRight: Math.max(...entries.map(r => r.right)),
            rightLeft: right.left, rightTop: right.top, barHeight: bar.height,
            brandTop: document.querySelector('.brand').getBoundingClientRect().top,
            scrollWidth: document.documentElement.scrollWidth,
          };
        }"""
    )


def test_every_roles_menu_fits_one_line_at_1366(browser, live_server, tmp_path):
    folder = shots(tmp_path)
    for account in ACCOUNTS:
        page = open_page(browser, live_server, 1366, 768)
        sign_in(page, live_server, account.username)
        geometry = menu_geometry(page)
        assert geometry["tops"], account.username
        # one line: every entry on the same row, no entry taller than one line of text
        assert len(set(geometry["tops"])) == 1, (account.username, geometry)
        assert max(geometry["heights"]) < 40, (account.username, geometry)
        assert geometry["barHeight"] < 64, (account.username, geometry)
        assert geometry["navRight"] <= geometry["rightLeft"], (account.username, geometry)
        assert geometry["scrollWidth"] <= 1366, (account.username, geometry)
        # every entry of a drop-down opens on hover and is a one-line link
        for group in page.locator("nav.mainnav .navgroup").all():
            group.hover()
            links = group.locator(".navgroup-menu a")
            assert links.count() >= 2
            for link in links.all():
                assert link.is_visible(), (account.username, link.inner_text())
                box = link.bounding_box()
                assert box["height"] < 40, (account.username, link.inner_text(), box)
                assert box["x"] + box["width"] <= 1366
            page.screenshot(path=str(folder / f"menu-{account.username}-open.png"))
        page.mouse.move(683, 500)
        page.screenshot(path=str(folder / f"menu-{account.username}.png"))
        # every label of the menu is Chinese
        for label in page.locator("nav.mainnav > a, nav.mainnav .navgroup-head").all_inner_texts():
            assert CJK.search(label), (account.username, label)
        page.context.close()


def test_a_leader_lands_on_the_dashboard(browser, live_server, tmp_path):
    page = open_page(browser, live_server, 1366, 768)
    sign_in(page, live_server, "leader.zhang")
    assert page.url.rstrip("/").endswith("/dashboard")
    assert page.locator("nav.mainnav > a").first.inner_text() == "驾驶舱"
    page.context.close()


def test_the_audit_log_reads_in_chinese(browser, live_server, tmp_path):
    page = open_page(browser, live_server, 1366, 768)
    sign_in(page, live_server, "auditor.zheng")
    page.goto(f"{live_server.url}/audit/")
    rows = page.locator("#event-table tbody tr")
    assert rows.count() > 10
    actions = page.locator("#event-table td.audit-action").all_inner_texts()
    english = sorted({text for text in actions if not CJK.search(text)})
    assert english == [], english
    objects = page.locator("#event-table tbody td:nth-child(7)").all_inner_texts()
    assert not [text for text in objects if re.search(r"\b[a-z]+\.[a-z]+\b", text)]
    # the 结果 column, like the other short ones, stays on one line (a row may still be tall
    # where a long note wraps)
    lines = page.evaluate(
        """() => [...document.querySelectorAll('#event-table tbody tr')].slice(0, 30).map(tr =>
             [2, 3, 6, 5].map(i => {
               const range = document.createRange();
               range.selectNodeContents(tr.children[i - 1]);
               return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
             }))"""
    )
    assert {count for row in lines for count in row[:3]} == {1}, lines
    assert max(row[3] for row in lines) <= 2, lines  # 操作: a label may take two lines, no more
    # the 操作 filter is a list of labels
    options = page.locator("select[name=action] option").all_inner_texts()
    assert len(options) > 50
    assert all(CJK.search(text) for text in options)
    page.select_option("select[name=action]", "auth.login")
    page.click("form.filters button[type=submit]")
    # htmx swaps the table in place: wait until the filtered table is there
    page.wait_for_function(
        """() => [...document.querySelectorAll('#event-table td.audit-action')]
             .every(td => td.title === 'auth.login')"""
    )
    shown = set(page.locator("#event-table td.audit-action").all_inner_texts())
    assert shown == {"登录"}, shown
    page.screenshot(path=str(shots(tmp_path) / "audit-log.png"), full_page=False)
    page.context.close()
