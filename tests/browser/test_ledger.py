"""In a real browser: the office uploads the reference speech, reviews the proposed ledger beside
the text, publishes it; a liaison sees its task and files a progress report, reports the task
done; the office accepts the closure."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import Workbook

from kaimen.ledger.models import Attachment, ProgressReport, Task, TaskStatus
from kaimen.org.models import Role
from tests.conftest import Cast, make_user
from tests.ledger.ledger_helpers import SPEECH, add_departments

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, user) -> None:
    """A signed-in session (second factor passed) handed to the browser as its cookie; the
    login form itself is covered by test_login.py."""
    client = Client()
    client.force_login(user)
    from kaimen.org.scope import requires_second_factor

    if requires_second_factor(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="browser", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def shot(page, tmp_path: Path, name: str, *, full_page: bool = True) -> None:
    folder = Path(os.environ.get("KAIMEN_SCREENSHOT_DIR", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def test_office_publishes_the_speech_and_a_liaison_reports_progress(
    live_server, page, tmp_path, settings
):
    settings.LEDGER_FILES_ROOT = tmp_path / "files"
    cast = Cast()
    units = add_departments(cast)
    liaison = make_user("liaison.shangwu", (units["区商务局"], Role.LIAISON))

    # The office uploads the speech and lands on the review screen.
    sign_in(page, live_server, cast.office)
    page.goto(f"{live_server.url}/ledger/drafts/new/")
    page.set_input_files("input[name=file]", str(SPEECH))
    page.fill("input[name=year]", "2025")
    page.click("button[type=submit].primary")
    page.wait_for_selector("#source")
    assert "讲话原文" in page.locator(".source-pane h2").inner_text()
    assert page.locator("tr.item").count() == 15 + 1  # 15 items and the cut-off (三)
    # Hovering a proposed task highlights its words in the source text.
    row = page.locator("tr.item", has_text="抢抓政策机遇").first
    row.hover()
    item_id = row.get_attribute("data-item")
    assert "linked" in (page.locator(f"#src-{item_id}").get_attribute("class") or "")
    assert "抢抓政策机遇" in page.locator(f"#src-{item_id}").inner_text().replace("\n", "")
    shot(page, tmp_path, "ledger-review")
    row.click()  # scrolls the source pane to the item's words
    assert page.locator(f"#src-{item_id}").is_visible()
    box, pane = (
        page.locator(f"#src-{item_id}").bounding_box(),
        page.locator(".source-pane").bounding_box(),
    )
    assert pane["y"] <= box["y"] <= pane["y"] + pane["height"]
    shot(page, tmp_path, "ledger-review-linked", full_page=False)

    # Accept one task by htmx (the row is swapped in place), then all complete ones, publish.
    row.locator("button", has_text="接受").click()
    page.wait_for_selector(f"#item-{item_id}.decision-accepted")
    page.click("text=接受所有已有牵头单位和完成时限的拟定任务")
    page.wait_for_selector("#publish-form")
    page.fill("input[name=new_name]", "2025年一季度开门红")
    page.fill("input[name=new_start]", "2025-02-05")
    page.fill("input[name=new_end]", "2025-03-31")
    page.click("#publish-form button[type=submit]")
    page.wait_for_url("**/ledger/?campaign=*")
    assert "已将 9 项任务发布" in page.locator(".messages").inner_text()
    assert page.locator("table.ledger tbody tr").count() == 9
    shot(page, tmp_path, "ledger-task-list-office")

    # The liaison of 区商务局 sees its own tasks only and reports progress with a file.
    sign_in(page, live_server, liaison)
    page.goto(f"{live_server.url}/ledger/")
    rows = page.locator("table.ledger tbody tr")
    own = Task.objects.filter(lead_unit=units["区商务局"]).count()
    assert rows.count() >= own > 0
    page.click("text=抢抓政策机遇,积极落实国家和省市出台的各项促消费政策")
    page.wait_for_selector("#report-form")
    assert "领导原话" in page.content()
    page.fill("#report-form textarea[name=text]", "已在商圈张贴政策海报300余份,发放消费券500万元。")
    page.fill("#report-form input[name=percent]", "40")
    workbook = io.BytesIO()
    Workbook().save(workbook)
    page.set_input_files(
        "#report-form input[name=files]",
        files=[
            {
                "name": "消费券发放台账.xlsx",
                "mimeType": "application/octet-stream",
                "buffer": workbook.getvalue(),
            }
        ],
    )
    page.click("#report-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert "进展已报送" in page.locator(".messages").inner_text()
    assert "消费券发放台账.xlsx" in page.content()
    report = ProgressReport.objects.get()
    assert report.reported_by == liaison
    assert report.percent == 40
    assert Attachment.objects.get().original_name == "消费券发放台账.xlsx"
    shot(page, tmp_path, "ledger-task-liaison")

    # The liaison reports it done; the office accepts the closure.
    page.fill("textarea[name=summary]", "政策宣传和消费券发放已全部完成。")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=申请办结 >> nth=-1")
    page.wait_for_selector(".msg-success")
    task = report.task
    task.refresh_from_db()
    assert task.status == TaskStatus.AWAITING_ACCEPTANCE
    sign_in(page, live_server, cast.office)
    page.goto(f"{live_server.url}/ledger/tasks/{task.pk}/")
    page.click("button:has-text('同意办结')")
    page.wait_for_selector(".msg-success")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLOSED
    shot(page, tmp_path, "ledger-task-closed")
    assert not [e for e in page.console_errors if "Content Security Policy" in e]


def test_office_decides_the_one_ladder_s_proposals_and_enters_next_years_holidays(
    live_server, page, tmp_path
):
    from kaimen.accountability.demo import load_demo_accountability
    from kaimen.accountability.models import Proposal, Status
    from kaimen.ledger.demo import load_demo_campaign
    from kaimen.org.demo import load_demo_district
    from kaimen.org.models import User

    load_demo_district()
    load_demo_campaign()
    load_demo_accountability()
    office = User.objects.get(username="office.li")
    User.objects.filter(pk=office.pk).update(must_change_password=False)
    office.refresh_from_db()
    sign_in(page, live_server, office)

    page.goto(f"{live_server.url}/")
    assert "本单位的任务" in page.locator("main").inner_text()
    shot(page, tmp_path, "ledger-home-office", full_page=False)

    # The ledger's former proposal page leads to the one ladder's queue.
    page.goto(f"{live_server.url}/ledger/supervision/")
    assert page.url.endswith("/accountability/queue/")
    proposals = page.locator("form.decision")
    before = proposals.count()
    assert before >= 1
    shot(page, tmp_path, "accountability-queue")
    proposals.first.locator("textarea[name=reason]").fill("已约谈牵头单位负责人")
    proposals.first.locator("button[value=confirm]").click()
    page.wait_for_selector(".msg-success")
    assert page.locator("form.decision").count() == before - 1
    assert Proposal.objects.filter(
        status=Status.CONFIRMED, decision_reason="已约谈牵头单位负责人"
    ).exists()

    # The ledger's earlier supervision records stay readable.
    page.goto(f"{live_server.url}/ledger/supervision/history/")
    assert page.locator("main table").count() >= 1
    shot(page, tmp_path, "ledger-supervision-history")

    page.goto(f"{live_server.url}/calendar/")
    page.fill("input[name=day]", "2027-02-20")
    page.select_option("select[name=is_workday]", "1")
    page.fill("input[name=note]", "春节调休上班")
    page.click("button[type=submit].primary")
    page.wait_for_selector(".msg-success")
    assert "春节调休上班" in page.locator("main").inner_text()
    shot(page, tmp_path, "calendar")
