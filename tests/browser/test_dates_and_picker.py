"""In a real browser, in Chinese: every form with a date shows the stored date and keeps it when
saved untouched (a date the browser rejects looks empty and is erased on save); lead and
co-units are picked from a searchable list grouped by kind, and the plain list works without
JavaScript."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from kaimen.campaigns.models import Campaign
from kaimen.ledger import services
from kaimen.ledger.models import DraftItem, Task
from tests.browser.test_ledger import sign_in
from tests.conftest import Cast
from tests.ledger.ledger_helpers import make_tasks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEADLINE = date(2099, 3, 31)
PLAN = "2025年一季度重点工作安排\n一、重点工作\n1. 要在3月底前完成东城片区重点项目开工。"


@pytest.fixture
def files(settings, tmp_path):
    settings.LEDGER_FILES_ROOT = tmp_path / "files"


def a_task(cast) -> Task:
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=DEADLINE)
    return task


def a_draft_item(cast) -> DraftItem:
    draft = services.draft_create_from_text(actor=cast.office, text=PLAN, year=2025)
    return draft.items.get(is_leaf=True)


def test_the_task_edit_form_shows_and_keeps_the_deadline(live_server, page, files):
    cast = Cast()
    task = a_task(cast)
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("ledger:task_edit", args=[task.pk]))
    assert page.input_value("input[name=deadline]") == "2099-03-31"
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"**/ledger/tasks/{task.pk}/")
    task.refresh_from_db()
    assert task.deadline == DEADLINE
    assert page.console_errors == []


def test_the_draft_item_form_shows_and_keeps_the_deadline(live_server, page, files):
    cast = Cast()
    item = a_draft_item(cast)
    assert item.deadline == date(2025, 3, 31)
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("ledger:draft_item_edit", args=[item.pk]))
    assert page.input_value("input[name=deadline]") == "2025-03-31"
    page.click("form button[type=submit].primary")
    page.wait_for_selector(f"#item-{item.pk}.item")  # saved by htmx: the row comes back
    item.refresh_from_db()
    assert item.deadline == date(2025, 3, 31)


def test_the_draft_item_edited_in_place_on_the_review_screen_keeps_its_deadline(
    live_server, page, files
):
    cast = Cast()
    item = a_draft_item(cast)
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("ledger:draft_review", args=[item.draft_id]))
    page.click(f"#item-{item.pk} a.button")
    page.wait_for_selector(f"#item-{item.pk} input[name=deadline]")
    assert page.input_value(f"#item-{item.pk} input[name=deadline]") == "2025-03-31"
    # The in-place form gets the searchable picker too.
    page.wait_for_selector(f"#item-{item.pk} .ts-wrapper")
    page.click(f"#item-{item.pk} button[type=submit]")
    page.wait_for_selector(f"#item-{item.pk}.item")
    item.refresh_from_db()
    assert item.deadline == date(2025, 3, 31)
    assert "2025-03-31" in page.locator(f"#item-{item.pk}").inner_text()


def test_the_publish_form_shows_its_dates_and_keeps_them(live_server, page, files):
    cast = Cast()
    item = a_draft_item(cast)
    services.draft_item_update(
        actor=cast.office,
        item=item,
        expected_version=item.version,
        heading=item.heading,
        text=item.text,
        kind=item.kind,
        lead_unit=cast.town_a,
        co_units=[],
        deadline=item.deadline,
        cadence=item.cadence,
        milestones=[],
    )
    services.draft_accept_complete(actor=cast.office, draft=item.draft)
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("ledger:draft_review", args=[item.draft_id]))
    start = page.input_value("#publish-form input[name=new_start]")
    end = page.input_value("#publish-form input[name=new_end]")
    assert start
    assert end == "2025-03-31"
    page.fill("#publish-form input[name=new_name]", "2025年一季度重点工作")
    page.click("#publish-form button[type=submit]")
    page.wait_for_url("**/ledger/?campaign=*")
    campaign = Campaign.objects.get(name="2025年一季度重点工作")
    assert (campaign.start.isoformat(), campaign.end.isoformat()) == (start, end)


def test_date_filters_show_the_dates_they_filter_on(live_server, page):
    cast = Cast()
    sign_in(page, live_server, cast.auditor)
    page.goto(live_server.url + reverse("audit:event_list") + "?date_from=2025-03-01")
    assert page.input_value("input[name=date_from]") == "2025-03-01"
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("accountability:record") + "?date_to=2025-03-31")
    assert page.input_value("input[name=date_to]") == "2025-03-31"


def test_the_calendar_override_form_stores_the_day_picked_in_the_browser(live_server, page):
    from kaimen.core.models import WorkdayOverride

    cast = Cast()
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("core:calendar"))
    page.fill("input[name=day]", "2099-10-10")
    page.select_option("select[name=is_workday]", "1")
    page.locator("input[name=day]").evaluate("input => input.form.requestSubmit()")
    page.wait_for_selector(".msg-success")
    assert WorkdayOverride.objects.get().date == date(2099, 10, 10)
    assert "2099-10-10" in page.content() or "2099/10/10" in page.content()


def test_units_are_picked_from_a_searchable_list_grouped_by_kind(live_server, page, files):
    cast = Cast()
    task = a_task(cast)
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("ledger:task_edit", args=[task.pk]))
    groups = page.eval_on_selector_all(
        "select[name=co_units] optgroup", "gs => gs.map(g => g.label)"
    )
    assert groups[:2] == ["部门", "镇(街道)"]
    control = page.locator("select[name=co_units] + .ts-wrapper")
    control.locator("input").click()
    control.locator("input").fill("西城")
    option = control.locator(".ts-dropdown .option", has_text="西城街道")
    option.first.wait_for()
    # The search narrows the list: a department whose name does not match goes away.
    control.locator(".ts-dropdown .option", has_text="区大数据中心").wait_for(state="detached")
    option.first.click()
    page.keyboard.press("Escape")
    assert page.input_value("input[name=deadline]") == "2099-03-31"
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"**/ledger/tasks/{task.pk}/")
    task.refresh_from_db()
    assert list(task.co_units.values_list("name", flat=True)) == ["西城街道"]
    assert task.deadline == DEADLINE
    assert page.console_errors == []


def test_the_plain_grouped_list_works_without_javascript(live_server, browser, files):
    cast = Cast()
    task = a_task(cast)
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        sign_in(page, live_server, cast.office)
        page.goto(live_server.url + reverse("ledger:task_edit", args=[task.pk]))
        assert page.locator(".ts-wrapper").count() == 0
        assert page.locator("select[name=lead_unit] optgroup[label='镇(街道)']").count() == 1
        page.select_option("select[name=co_units]", label="西城街道")
        page.click("form button[type=submit].primary")
        page.wait_for_url(f"**/ledger/tasks/{task.pk}/")
    finally:
        context.close()
    task.refresh_from_db()
    assert list(task.co_units.values_list("name", flat=True)) == ["西城街道"]
    assert task.deadline == DEADLINE


def test_the_ranking_compute_form_shows_its_day_and_computes_that_period(live_server, page, clock):
    from kaimen.evaluation.models import ScoreRun
    from tests.evaluation.helpers import build_world, save_scheme

    world = build_world(Cast(), clock)  # the clock stands at 2 April 2025
    save_scheme(world)
    sign_in(page, live_server, world.cast.office)
    page.goto(live_server.url + reverse("evaluation:run_list", args=[world.campaign.pk]))
    day = page.input_value("input[name=day]")
    assert day == "2025-03-31"  # a day of March, the last month that has ended
    with page.expect_navigation():
        page.locator("input[name=day]").evaluate("input => input.form.requestSubmit()")
    run = ScoreRun.objects.get()
    assert (run.period_start, run.period_end) == (date(2025, 3, 1), date(2025, 3, 31))


def test_the_practice_form_keeps_its_date_when_refused(live_server, page, clock):
    from kaimen.evaluation.models import InnovationPractice
    from tests.evaluation.helpers import build_world

    world = build_world(Cast(), clock)
    sign_in(page, live_server, world.cast.liaison_a)
    page.goto(live_server.url + reverse("evaluation:practice_list", args=[world.campaign.pk]))
    page.click("details.card summary")
    page.fill("input[name=practiced_on]", "2025-03-10")
    page.fill("input[name=title]", "企业服务专员制度")
    # The description is missing: the server refuses the form and shows it again.
    page.locator("input[name=practiced_on]").evaluate(
        "input => { input.form.noValidate = true; input.form.requestSubmit(); }"
    )
    page.wait_for_selector(".field.has-error")
    assert page.input_value("input[name=practiced_on]") == "2025-03-10"
    page.fill("textarea[name=description]", "每家规上企业配一名服务专员，诉求两日内答复。")
    page.locator("input[name=practiced_on]").evaluate("input => input.form.requestSubmit()")
    page.wait_for_selector(".msg-success")
    practice = InnovationPractice.objects.get(title="企业服务专员制度")
    assert practice.practiced_on == date(2025, 3, 10)


def test_the_campaign_form_keeps_its_dates_when_refused_and_stores_them(live_server, page):
    cast = Cast()
    sign_in(page, live_server, cast.office)
    page.goto(live_server.url + reverse("ledger:campaign_list"))
    page.fill("input[name=start]", "2099-04-01")
    page.fill("input[name=end]", "2099-06-30")
    # No name: the server refuses the form and shows it again with the dates as typed.
    page.locator("input[name=start]").evaluate(
        "input => { input.form.noValidate = true; input.form.requestSubmit(); }"
    )
    page.wait_for_selector(".field.has-error")
    assert page.input_value("input[name=start]") == "2099-04-01"
    assert page.input_value("input[name=end]") == "2099-06-30"
    page.fill("input[name=name]", "2099年二季度双过半")
    page.locator("input[name=start]").evaluate("input => input.form.requestSubmit()")
    page.wait_for_selector(".msg-success")
    campaign = Campaign.objects.get(name="2099年二季度双过半")
    assert (campaign.start, campaign.end) == (date(2099, 4, 1), date(2099, 6, 30))


def test_a_refused_attachment_keeps_the_report_as_typed(live_server, page, files):
    cast = Cast()
    task = a_task(cast)
    sign_in(page, live_server, cast.liaison_a)
    page.goto(live_server.url + reverse("ledger:task_detail", args=[task.pk]))
    page.fill("#report-form textarea[name=text]", "本周完成东城片区三个项目的现场踏勘。")
    page.fill("#report-form input[name=percent]", "35")
    page.set_input_files(
        "#report-form input[name=files]",
        files=[{"name": "进展.doc", "mimeType": "application/msword", "buffer": b"MZ\x90\x00"}],
    )
    page.click("#report-form button[type=submit]")
    page.wait_for_selector("#report-form .field.has-error")
    assert (
        page.input_value("#report-form textarea[name=text]")
        == "本周完成东城片区三个项目的现场踏勘。"
    )
    assert page.input_value("#report-form input[name=percent]") == "35"
    beside = page.locator("#report-form .field.has-error").inner_text()
    assert "进展.doc" in beside
    assert "不是 Word（.doc）" in beside
