"""The 红黑榜 flow: draft → objection window (each unit sees its own standing and may object) →
the office answers → confirms and publishes. The confirmation cannot be skipped through the
pages or the API; commendations follow published results."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse

from kaimen.audit.models import AuditEvent
from kaimen.evaluation import selectors, services
from kaimen.evaluation.models import (
    Commendation,
    InnovationPractice,
    Objection,
    ObjectionOutcome,
    RunStatus,
    ScoreRun,
)
from kaimen.lib.errors import PermissionDenied, ValidationError
from tests.evaluation.helpers import at, build_world, compute_march, save_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast, clock):
    w = build_world(cast, clock)
    save_scheme(w)
    return w


@pytest.fixture
def draft(world) -> ScoreRun:
    return compute_march(world)


@pytest.fixture
def shown(world, draft) -> ScoreRun:
    # Wednesday 2 April 2025: five working days (with 清明 on Friday 4 April) end on 10 April
    return services.run_open_objections(actor=world.cast.office, run=draft)


def after_window(clock, run: ScoreRun) -> None:
    clock.current = at(run.window_closes_on + timedelta(days=1))


def api(client, path: str, body: dict | None = None):
    url = f"/api/v1/evaluation{path}"
    if body is None:
        return client.get(url)
    return client.post(url, json.dumps(body), content_type="application/json")


def practices_of(unit) -> list[InnovationPractice]:
    return list(InnovationPractice.objects.filter(unit=unit).order_by("pk"))


def status(run: ScoreRun) -> str:
    return ScoreRun.objects.get(pk=run.pk).status


# ---------------------------------------------------------------------------------------------
# The window


def test_opening_the_window_counts_working_days_on_the_official_calendar(shown):
    assert shown.status == RunStatus.OBJECTION
    assert shown.window_shown_on == date(2025, 4, 2)
    assert shown.window_closes_on == date(2025, 4, 10)  # 4 April is 清明, 5–6 the weekend
    event = AuditEvent.objects.get(action="evaluation.run.open_objections")
    assert "截至2025年4月10日" in event.message


def test_a_unit_sees_nothing_of_a_draft(client, login, world, draft):
    login(world.cast.liaison_a)
    assert client.get(reverse("evaluation:run_detail", args=[draft.pk])).status_code == 404
    runs = client.get(reverse("evaluation:run_list", args=[world.campaign.pk]))
    assert reverse("evaluation:run_detail", args=[draft.pk]) not in runs.content.decode()
    assert api(client, f"/runs/{draft.pk}/ranking").status_code in (401, 404)


def test_during_the_window_a_unit_sees_only_its_own_standing(client, login, world, shown):
    login(world.cast.liaison_a)
    page = client.get(reverse("evaluation:run_detail", args=[shown.pk])).content.decode()
    assert "东城街道" in page
    for other in ("西城街道", "北山镇", "南湖镇", "区商务局"):
        assert other not in page
    own = reverse("evaluation:standing_detail", args=[shown.pk, world.cast.town_a.pk])
    detail = client.get(own).content.decode()
    assert "最少样本规则" not in detail
    assert "85.00" in detail
    assert "实际31.25 ÷ 目标25 = 1.25" in detail  # the formula, down to its inputs
    theirs = reverse("evaluation:standing_detail", args=[shown.pk, world.cast.town_b.pk])
    assert client.get(theirs).status_code == 403


def test_after_publication_every_unit_sees_the_whole_ranking_but_only_its_own_formula(
    client, login, world, shown, clock
):
    after_window(clock, shown)
    services.run_publish(actor=world.cast.office, run=shown, confirm=True)
    login(world.cast.member_a)
    page = client.get(reverse("evaluation:run_detail", args=[shown.pk])).content.decode()
    for name in ("东城街道", "西城街道", "北山镇", "南湖镇", "区商务局"):
        assert name in page
    theirs = reverse("evaluation:standing_detail", args=[shown.pk, world.cast.town_b.pk])
    assert client.get(theirs).status_code == 403


# ---------------------------------------------------------------------------------------------
# Objections


def test_the_liaison_lodges_one_objection_while_the_window_is_open(world, shown):
    objection = services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="第二项任务已按时完成"
    )
    assert objection.unit == world.cast.town_b
    with pytest.raises(ValidationError, match="已对2025年3月的结果提出过申诉"):
        services.objection_lodge(
            actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="再补充一点"
        )
    assert Objection.objects.count() == 1


def test_a_member_or_another_units_liaison_cannot_object(world, shown):
    for user, unit in (
        (world.cast.member_a, world.cast.town_a),
        (world.cast.liaison_a, world.cast.town_b),
        (world.cast.office, world.cast.town_b),
    ):
        with pytest.raises(PermissionDenied):
            services.objection_lodge(actor=user, run=shown, unit=unit, text="有异议")
    assert not Objection.objects.exists()


def test_no_objection_before_the_window_opens_or_after_it_closes(world, draft, clock):
    with pytest.raises(ValidationError, match="尚未公示"):
        services.objection_lodge(
            actor=world.cast.liaison_a, run=draft, unit=world.cast.town_a, text="有异议"
        )
    shown = services.run_open_objections(actor=world.cast.office, run=draft)
    after_window(clock, shown)
    with pytest.raises(ValidationError, match="申诉期已于2025年04月10日结束"):
        services.objection_lodge(
            actor=world.cast.liaison_a, run=shown, unit=world.cast.town_a, text="有异议"
        )


def test_the_objection_form_on_the_standing_page(client, login, world, shown):
    login(world.cast.liaison_b)
    url = reverse("evaluation:objection_lodge", args=[shown.pk, world.cast.town_b.pk])
    response = client.post(url, {"text": "举措评分偏低"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.unit, objection.lodged_by) == (world.cast.town_b, world.cast.liaison_b)
    page = client.get(response["Location"]).content.decode()
    assert "举措评分偏低" in page


def test_an_upheld_objection_can_recompute_the_draft_with_the_answer(world, shown):
    objection = services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="举措评分偏低"
    )
    for practice, rating in zip(practices_of(world.cast.town_b), ("10", "9"), strict=True):
        services.practice_rate(
            actor=world.cast.office,
            practice=practice,
            rating=rating,
            comment="复核后上调",
            expected_version=practice.version,
        )
    mark = AuditEvent.objects.order_by("-id").first().id
    services.objection_answer(
        actor=world.cast.office,
        objection=objection,
        answer="经复核，评分上调为9分。",
        outcome=ObjectionOutcome.UPHELD,
        recompute=True,
    )
    events = list(AuditEvent.objects.filter(id__gt=mark))
    assert [e.action for e in events] == ["evaluation.objection.answer"]  # one event
    assert events[0].after["recomputed"] is True
    # B now 10 + 9 = 19, the towns' highest: 65 × 60% + 100 × 40%
    assert (events[0].after["total_before"], events[0].after["total_after"]) == ("39.00", "79.00")
    shown.refresh_from_db()
    assert shown.status == RunStatus.OBJECTION  # the window stays as it was
    objection.refresh_from_db()
    assert objection.outcome == ObjectionOutcome.UPHELD


def test_an_objection_is_answered_once_and_only_by_the_office(world, shown):
    objection = services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="有异议"
    )
    with pytest.raises(PermissionDenied):
        services.objection_answer(
            actor=world.cast.leader, objection=objection, answer="x", outcome="rejected"
        )
    with pytest.raises(ValidationError, match="成立或不成立"):
        services.objection_answer(
            actor=world.cast.office, objection=objection, answer="x", outcome="maybe"
        )
    services.objection_answer(
        actor=world.cast.office, objection=objection, answer="不成立", outcome="rejected"
    )
    with pytest.raises(ValidationError, match="已经答复"):
        services.objection_answer(
            actor=world.cast.office, objection=objection, answer="再答", outcome="upheld"
        )


def test_the_office_answers_in_its_queue(client, login, world, shown):
    objection = services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="有异议"
    )
    login(world.cast.office)
    queue = client.get(reverse("evaluation:objection_queue")).content.decode()
    assert "有异议" in queue
    response = client.post(
        reverse("evaluation:objection_answer", args=[objection.pk]),
        {"outcome": "rejected", "answer": "经核实，任务逾期属实。"},
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "经核实，任务逾期属实。"


# ---------------------------------------------------------------------------------------------
# Publication: never without the window, the answers and the confirmation


def test_publishing_a_draft_that_was_never_shown_is_refused(world, draft):
    with pytest.raises(ValidationError, match="还没有向各单位公示"):
        services.run_publish(actor=world.cast.office, run=draft, confirm=True)
    assert status(draft) == RunStatus.DRAFT


def test_publishing_while_the_window_is_open_is_refused_on_the_page(client, login, world, shown):
    login(world.cast.office)
    url = reverse("evaluation:run_publish", args=[shown.pk])
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 400
    assert "申诉期尚未结束（截至2025年4月10日）" in response.content.decode()
    assert status(shown) == RunStatus.OBJECTION


def test_publishing_while_the_window_is_open_is_refused_through_the_api(
    client, login, world, shown
):
    login(world.cast.office)
    response = api(client, f"/runs/{shown.pk}/publish", {"confirm": True})
    assert response.status_code == 400
    assert "申诉期尚未结束" in response.json()["message"]
    assert status(shown) == RunStatus.OBJECTION


def test_publishing_with_an_unanswered_objection_is_refused_everywhere(
    client, login, world, shown, clock
):
    services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="有异议"
    )
    after_window(clock, shown)
    login(world.cast.office)
    page = client.post(reverse("evaluation:run_publish", args=[shown.pk]), {"confirm": "on"})
    assert page.status_code == 400
    assert "还有1件申诉未答复" in page.content.decode()
    response = api(client, f"/runs/{shown.pk}/publish", {"confirm": True})
    assert response.status_code == 400
    assert "还有1件申诉未答复" in response.json()["message"]
    assert status(shown) == RunStatus.OBJECTION


def test_the_confirmation_cannot_be_skipped_on_the_page_or_in_the_api(
    client, login, world, shown, clock
):
    after_window(clock, shown)
    login(world.cast.office)
    page = client.post(reverse("evaluation:run_publish", args=[shown.pk]), {})
    assert page.status_code == 400
    assert "发布前请确认" in page.content.decode()
    for body in ({}, {"confirm": False}):
        response = api(client, f"/runs/{shown.pk}/publish", body)
        assert response.status_code == 400
        assert response.json()["code"] == "confirmation_required"
    assert status(shown) == RunStatus.OBJECTION
    assert not AuditEvent.objects.filter(action="evaluation.run.publish").exists()


def test_the_office_publishes_once_the_window_closed_and_all_is_answered(
    client, login, world, shown, clock
):
    objection = services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="有异议"
    )
    services.objection_answer(
        actor=world.cast.office, objection=objection, answer="不成立", outcome="rejected"
    )
    after_window(clock, shown)
    login(world.cast.office)
    url = reverse("evaluation:run_publish", args=[shown.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert status(shown) == RunStatus.PUBLISHED
    event = AuditEvent.objects.get(action="evaluation.run.publish")
    assert set(event.after["red"]) == {"北山镇", "区商务局", "东城街道"}
    assert event.after["black"] == ["西城街道"]
    # published once: a second confirmation changes nothing
    again = api(client, f"/runs/{shown.pk}/publish", {"confirm": True})
    assert again.status_code == 400


def test_the_office_publishes_through_the_api(client, login, world, shown, clock):
    after_window(clock, shown)
    login(world.cast.office)
    response = api(client, f"/runs/{shown.pk}/publish", {"confirm": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "published"


def test_only_the_office_publishes(client, login, world, shown, clock):
    after_window(clock, shown)
    for user in (world.cast.leader, world.cast.liaison_a):
        with pytest.raises(PermissionDenied):
            services.run_publish(actor=user, run=shown, confirm=True)
    login(world.cast.leader)
    assert api(client, f"/runs/{shown.pk}/publish", {"confirm": True}).status_code == 403
    assert status(shown) == RunStatus.OBJECTION


# ---------------------------------------------------------------------------------------------
# The API's reads and the objection


def test_the_api_lists_runs_and_a_units_own_ranking(client, login, world, shown):
    login(world.cast.liaison_a)
    runs = api(client, f"/runs?campaign={world.campaign.pk}").json()
    assert [r["period_label"] for r in runs["items"]] == ["2025年3月"]
    ranking = api(client, f"/runs/{shown.pk}/ranking").json()
    assert ranking["complete"] is False
    assert [s["unit"] for s in ranking["standings"]] == ["东城街道"]
    assert ranking["standings"][0]["total"] == "85.00"


def test_the_api_lodges_an_objection_for_the_liaisons_own_unit_only(client, login, world, shown):
    login(world.cast.liaison_b)
    body = {"unit_id": world.cast.town_b.pk, "text": "任务已按时完成"}
    response = api(client, f"/runs/{shown.pk}/objections", body)
    assert response.status_code == 201, response.content
    assert response.json()["outcome"] == ""
    other = {"unit_id": world.cast.town_a.pk, "text": "替东城申诉"}
    assert api(client, f"/runs/{shown.pk}/objections", other).status_code == 403
    assert Objection.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Commendations and what the briefing reads


def test_commendations_follow_published_results(world, shown, clock):
    with pytest.raises(ValidationError, match="尚未发布"):
        services.commendation_grant(
            actor=world.cast.office,
            campaign=world.campaign,
            kind="unit",
            unit=world.cast.town_a,
            run=shown,
        )
    after_window(clock, shown)
    run = services.run_publish(actor=world.cast.office, run=shown, confirm=True)
    unit = services.commendation_grant(
        actor=world.cast.office,
        campaign=world.campaign,
        kind="unit",
        unit=world.cast.town_a,
        run=run,
    )
    assert "东城街道在" in unit.citation
    assert "并列第1名" in unit.citation
    assert "授予“先进单位”称号" in unit.citation
    person = services.commendation_grant(
        actor=world.cast.office,
        campaign=world.campaign,
        kind="person",
        unit=world.cast.town_a,
        person_name="陈晓东",
        deeds="牵头协调解决企业难题12件。",
        run=run,
    )
    assert person.citation.startswith("东城街道陈晓东同志在")
    with pytest.raises(ValidationError, match="不在所选考核期的红榜上"):
        services.commendation_grant(
            actor=world.cast.office,
            campaign=world.campaign,
            kind="unit",
            unit=world.cast.town_b,
            run=run,
        )
    with pytest.raises(PermissionDenied):
        services.commendation_grant(
            actor=world.cast.liaison_a,
            campaign=world.campaign,
            kind="unit",
            unit=world.cast.town_a,
            citation="自我表彰",
            period_label="3月",
        )
    assert Commendation.objects.count() == 2


def test_the_briefing_rows_come_only_from_a_published_run(world, shown, clock):
    assert selectors.published_ranking_rows(world.campaign) == ()
    assert selectors.published_roll_rows(world.campaign) == ()
    after_window(clock, shown)
    services.run_publish(actor=world.cast.office, run=shown, confirm=True)
    rows = selectors.published_ranking_rows(world.campaign)
    assert [(r.peer_group, r.unit, r.rank, r.tied) for r in rows if r.peer_group == "镇街"] == [
        ("镇街", "东城街道", 1, True),
        ("镇街", "北山镇", 1, True),
        ("镇街", "南湖镇", 3, False),
        ("镇街", "西城街道", 4, False),
    ]
    assert next(r for r in rows if r.unit == "南湖镇").limited
    roll = selectors.published_roll_rows(world.campaign)
    assert {(r.board, r.unit) for r in roll} == {
        ("red", "东城街道"),
        ("red", "北山镇"),
        ("black", "西城街道"),
        ("red", "区商务局"),
    }


def test_the_home_panel_shows_the_units_own_standing_once_shown(client, login, world, draft):
    login(world.cast.liaison_b)
    assert "2025年3月" not in client.get(reverse("core:home")).content.decode()
    services.run_open_objections(actor=world.cast.office, run=draft)
    home = client.get(reverse("core:home")).content.decode()
    assert "2025年3月" in home
    own = reverse("evaluation:standing_detail", args=[draft.pk, world.cast.town_b.pk])
    assert own in home
    assert "4/4" in home  # 西城街道: 4th of the 4 towns ranked


def test_the_home_panel_counts_the_offices_objections_to_answer(client, login, world, shown):
    services.objection_lodge(
        actor=world.cast.liaison_b, run=shown, unit=world.cast.town_b, text="有异议"
    )
    login(world.cast.office)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("evaluation:objection_queue") in home


def test_publishing_tells_leaders_the_office_and_the_ranked_units(world, shown, clock):
    from kaimen.notifications.models import Notification

    after_window(clock, shown)
    assert not Notification.objects.exists()
    services.run_publish(actor=world.cast.office, run=shown, confirm=True)
    told = set(
        Notification.objects.filter(event="ranking_published").values_list("recipient", flat=True)
    )
    assert {world.cast.leader.pk, world.cast.office.pk, world.cast.liaison_b.pk} <= told
    assert Notification.objects.filter(link=f"/evaluation/runs/{shown.pk}/").exists()
