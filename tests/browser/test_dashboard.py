"""In a real browser on the demo district: a leader signs in and reads the dashboard on the
meeting room's 1920×1080 wall screen (one screen, nothing to scroll, both charts drawn, Chinese
on screen, nothing refused by the Content-Security-Policy) and on a 1366×768 laptop; the office
signs in with its second factor and downloads the week's briefing from the briefings page."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaimen.briefings.models import Briefing
from kaimen.campaigns.demo import CAMPAIGN
from kaimen.org.demo import DEMO_PASSWORD
from kaimen.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shots(tmp_path: Path) -> Path:
    """KAIMEN_SCREENSHOTS=dir keeps the screenshots for people to look at."""
    folder = Path(os.environ.get("KAIMEN_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def demo_district(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", stdout=StringIO())
    User.objects.update(must_change_password=False)  # past their first sign-in
    cache.clear()
    yield
    cache.clear()


def open_page(browser, live_server, width: int, height: int):
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return page


def sign_in(page, live_server, username: str) -> None:
    """Through the login form; the second factor too where the role needs one."""
    page.goto(f"{live_server.url}/org/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    if "/org/otp/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("input[name=token]", f"{code:0{device.digits}d}")
        page.click("button[type=submit].primary")
        page.wait_for_load_state()
    assert "/org/login/" not in page.url
    assert "/org/otp/" not in page.url


def charts_drawn(page) -> None:
    for holder in ("#dash-trend", "#dash-spread"):
        page.wait_for_selector(f"{holder}[data-drawn='1'] canvas")
        box = page.locator(f"{holder} canvas").first.bounding_box()
        assert box, holder
        assert box["width"] > 250, (holder, box)
        assert box["height"] > 150, (holder, box)


def test_a_leader_reads_the_dashboard_on_the_wall_screen_and_on_a_laptop(
    browser, live_server, demo_district, tmp_path
):
    page = open_page(browser, live_server, 1920, 1080)
    sign_in(page, live_server, "leader.zhang")
    # the dashboard is the first item of a leader's menu
    page.locator("nav.mainnav a").first.click()
    page.wait_for_url("**/dashboard/")
    charts_drawn(page)

    # one screen: no vertical (or horizontal) scrollbar on the wall screen
    width, height, inner_w, inner_h = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
        " window.innerWidth, window.innerHeight]"
    )
    assert height <= inner_h, f"the wall screen scrolls: {height} > {inner_h}"
    assert width <= inner_w
    # every card lies inside the screen
    for card in page.locator(".dash-card").all():
        box = card.bounding_box()
        assert box["y"] + box["height"] <= inner_h + 1, card.inner_text()[:40]

    text = page.locator("main").inner_text()
    for words in ("2025年一季度开门红", "2025年1-3月", "社会消费品零售总额", "区商务局"):
        assert words in text
    # ten key indicators, each with its light in shape and word
    rows = page.locator(".dash-key tbody tr")
    assert rows.count() == 10
    # 固投 (−5.8% against +10%), 社零, 外贸 and 新开工项目 (tests/dashboard/test_dashboard.py)
    assert page.locator(".dash-key .dl-red").count() == 4
    assert "红灯" in page.locator(".dash-key .dl-red").first.inner_text()
    # the readable size of a wall screen: 17 px type in the cards
    size = page.evaluate("getComputedStyle(document.querySelector('.dash')).fontSize")
    assert size == "17px"
    # the trend chart opens on the first red key indicator and switches on demand
    assert "固定资产投资" in page.locator("#dash-trend-name").inner_text()
    gdp = page.locator(".dash-key tbody tr", has_text="地区生产总值").locator(".dash-pick")
    gdp.click()
    assert "地区生产总值" in page.locator("#dash-trend-name").inner_text()
    assert gdp.get_attribute("aria-pressed") == "true"
    page.screenshot(path=str(shots(tmp_path) / "dashboard-1920x1080.png"))
    assert not page.console_errors, page.console_errors
    page.context.close()

    laptop = open_page(browser, live_server, 1366, 768)
    sign_in(laptop, live_server, "leader.zhang")
    laptop.goto(f"{live_server.url}/dashboard/")
    charts_drawn(laptop)
    width, inner_w = laptop.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner_w, "a laptop never scrolls sideways"
    # the key indicators come first, readable without scrolling
    key = laptop.locator(".dash-key").bounding_box()
    assert key["y"] < 200
    assert laptop.locator(".dash-key tbody tr").count() == 10
    assert "社会消费品零售总额" in laptop.locator(".dash-key").inner_text()
    laptop.screenshot(path=str(shots(tmp_path) / "dashboard-1366x768.png"), full_page=True)
    # following an indicator opens its monitoring page, focused on the district's row
    laptop.locator(".dash-key a", has_text="外贸进出口总额").click()
    laptop.wait_for_url("**/targets/monitoring/**")
    assert "外贸进出口总额" in laptop.locator("#focus").inner_text()
    assert not laptop.console_errors, laptop.console_errors
    laptop.context.close()


def test_the_office_downloads_the_briefing_from_the_briefings_page(
    browser, live_server, demo_district, tmp_path
):
    from docx import Document

    page = open_page(browser, live_server, 1440, 900)
    sign_in(page, live_server, "office.li")  # password and the TOTP code of the demo's device
    page.goto(f"{live_server.url}/briefings/")
    page.select_option("select[name=campaign]", label=CAMPAIGN)
    page.locator("form[action$='/briefings/build'] button[type=submit]").click()
    page.wait_for_selector(".msg-success")
    briefing = Briefing.objects.get()
    with page.expect_download() as info:
        page.locator(f"a[href$='/briefings/{briefing.pk}/docx']").click()
    download = info.value
    assert download.suggested_filename == f"调度通报{briefing.label}.docx"
    saved = tmp_path / "briefing.docx"
    download.save_as(saved)
    document = Document(str(saved))
    masthead = document.paragraphs[0]
    assert masthead.text == "开门红工作调度通报"  # the 版头 (GB/T 9704)
    body = "\n".join(p.text for p in document.paragraphs)
    assert f"关于{CAMPAIGN}工作推进情况的通报" in body
    assert "区开门红工作调度办公室" in body
    page.screenshot(path=str(shots(tmp_path) / "briefings-list.png"), full_page=True)
    assert not page.console_errors, page.console_errors
    page.context.close()
