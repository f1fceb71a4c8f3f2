"""A liaison signs in for the first time, sets a password, and lands on a Chinese home page."""

from __future__ import annotations

import pytest

from kaimen.org.models import Role
from tests.conftest import STRONG_PASSWORD, Cast, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_liaison_signs_in_changes_password_and_sees_chinese_home(live_server, page, tmp_path):
    cast = Cast()
    make_user("liaison.new", (cast.town_a, Role.LIAISON), must_change=True)

    page.goto(f"{live_server.url}/")
    assert "/org/login/" in page.url
    assert page.locator("h1").inner_text() == "登录开门红"
    page.fill("input[name=username]", "Liaison.New")
    page.fill("input[name=password]", STRONG_PASSWORD)
    page.click("button[type=submit].primary")

    page.wait_for_url("**/org/password/")
    page.fill("input[name=old_password]", STRONG_PASSWORD)
    page.fill("input[name=new_password]", "Dongcheng#2026")
    page.fill("input[name=new_password2]", "Dongcheng#2026")
    page.click("button[type=submit].primary")

    page.wait_for_url(f"{live_server.url}/")
    heading = page.locator("h1").inner_text()
    assert heading.startswith("欢迎")
    assert "东城街道" in page.locator("main").inner_text()
    nav = page.locator("nav.mainnav").inner_text()
    assert "首页" in nav
    assert "管理" in nav  # the group whose drop-down holds 单位
    assert page.locator("nav.mainnav a[href$='/org/units/']").count() == 1
    assert "审计日志" not in nav  # the audit log is the auditor's alone
    page.screenshot(path=str(tmp_path / "home.png"), full_page=True)
    # No inline script or style was blocked by the Content-Security-Policy, and htmx loaded.
    assert not [e for e in page.console_errors if "Content Security Policy" in e]
    assert page.evaluate("typeof window.htmx") == "object"


def test_wrong_password_gets_a_clear_message_in_chinese(live_server, page):
    Cast()
    page.goto(f"{live_server.url}/org/login/")
    page.fill("input[name=username]", "liaison_a")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit].primary")
    assert "用户名或密码错误" in page.locator(".msg-error").inner_text()
