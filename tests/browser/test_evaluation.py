"""In a real browser: a unit reads its own standing and formula during the objection window and
objects; the office answers in its queue, then confirms and publishes; the unit then sees the
whole ranking."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kaimen.evaluation import services
from kaimen.evaluation.models import Objection, RunStatus, ScoreRun
from tests.browser.test_ledger import shot, sign_in
from tests.conftest import Cast
from tests.evaluation.helpers import at, build_world, compute_march, save_scheme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_objects_and_the_office_answers_and_publishes(live_server, page, tmp_path, clock):
    world = build_world(Cast(), clock)
    save_scheme(world)
    run = services.run_open_objections(actor=world.cast.office, run=compute_march(world))
    town_b = world.cast.town_b

    # 西城街道's liaison sees its own line only, opens the formula and objects.
    sign_in(page, live_server, world.cast.liaison_b)
    page.goto(f"{live_server.url}/evaluation/runs/{run.pk}/")
    table = page.locator("table.ranking").inner_text()
    assert "西城街道" in table
    assert "东城街道" not in table
    page.click(f"a[href='/evaluation/runs/{run.pk}/units/{town_b.pk}/']")
    page.locator("details.expl-dimension summary").first.click()
    assert "任务按时完成率" in page.locator(".explanation").inner_text()
    shot(page, tmp_path, "evaluation-standing")
    page.fill("textarea[name=text]", "第二项任务3月18日已完成，请核实。")
    page.click("form button.primary")
    page.wait_for_selector(".msg-success")
    assert Objection.objects.filter(unit=town_b).exists()

    # The office answers, and may not publish while the window is open.
    sign_in(page, live_server, world.cast.office)
    page.goto(f"{live_server.url}/evaluation/objections/")
    page.check("input[name=outcome][value=rejected]")
    page.fill("textarea[name=answer]", "经核实，办结申请于3月25日提出，晚于完成时限。")
    page.click("form.answer button.primary")
    page.wait_for_selector(".msg-success")
    page.goto(f"{live_server.url}/evaluation/runs/{run.pk}/publish/")
    assert page.locator("button.primary[disabled]").count() == 1
    assert "申诉期尚未结束" in page.content()

    clock.current = at(run.window_closes_on + timedelta(days=1))
    sign_in(page, live_server, world.cast.office)  # a week later: a new session
    page.goto(f"{live_server.url}/evaluation/runs/{run.pk}/publish/")
    shot(page, tmp_path, "evaluation-publish")
    page.click("button.primary")  # without ticking the confirmation: the browser refuses
    assert ScoreRun.objects.get(pk=run.pk).status == RunStatus.OBJECTION
    page.check("input[name=confirm]")
    page.click("button.primary")
    page.wait_for_selector(".msg-success")
    assert ScoreRun.objects.get(pk=run.pk).status == RunStatus.PUBLISHED
    shot(page, tmp_path, "evaluation-ranking")

    # Published: the unit sees every town, but opens only its own formula.
    sign_in(page, live_server, world.cast.liaison_b)
    page.goto(f"{live_server.url}/evaluation/runs/{run.pk}/")
    table = " ".join(page.locator("table.ranking").all_inner_texts())
    assert "东城街道" in table
    assert "北山镇" in table
    assert page.console_errors == []


def test_the_office_edits_the_scheme_in_the_browser(live_server, page, tmp_path, clock):
    world = build_world(Cast(), clock)
    save_scheme(world)
    sign_in(page, live_server, world.cast.office)
    page.goto(f"{live_server.url}/evaluation/campaigns/{world.campaign.pk}/scheme/")
    shot(page, tmp_path, "evaluation-scheme")
    page.fill("input[name=dim_speed_weight]", "70")  # 70 + 40: does not add up
    page.click("form.scheme-form button.primary")
    assert (
        "各维度的权重合计为110%，应为100%，多10个百分点" in page.locator(".msg-error").inner_text()
    )
    page.fill("input[name=dim_speed_weight]", "60")
    page.click("form.scheme-form button.primary")
    page.wait_for_selector(".msg-success")
    assert page.console_errors == []
