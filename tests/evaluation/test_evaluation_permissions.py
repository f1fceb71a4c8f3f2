"""Who may open and change what in the scorecards, through the real views and the API.

Every URL name of ``kaimen/evaluation/urls.py`` × every role of the cast × own unit (东城街道,
liaison_a) / other unit (西城街道, liaison_b) → the expected status. A refusal is a 403 that
leaves the database as it was and writes exactly one ``permission.denied`` event. Plus the query
count of the ranking page, which must not grow with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from django.urls import reverse

from kaimen.evaluation import services
from kaimen.evaluation.models import (
    Commendation,
    InnovationPractice,
    Objection,
    ScoreRun,
    ScoringScheme,
    Standing,
)
from kaimen.org.models import Role, Unit, UnitKind
from tests.conftest import make_user
from tests.evaluation.helpers import at
from tests.ledger.ledger_helpers import make_tasks
from tests.permissions import (
    BUSINESS,
    LEADS,
    OFFICE,
    Case,
    check_outcome,
    events_after,
    last_event_id,
    per_target,
    send,
    sign_in,
)
from tests.permissions import ROLES_WITH_B as ROLES

pytestmark = pytest.mark.django_db
SCHEME = {
    "name": "矩阵考核",
    "missing": "reweight",
    "min_samples": 1,
    "dimensions": [
        {
            "dimension": "innovation",
            "weight": "100",
            "metrics": [
                {
                    "code": "innovation.practice_rating",
                    "weight": "100",
                    "normalisation": {"method": "ratio_to_target", "target": "10", "cap": "1"},
                }
            ],
        }
    ],
}


CASES: list[Case] = [
    Case("evaluation:index", "GET", allowed=BUSINESS, ok=302),
    Case("evaluation:run_list", "GET", allowed=BUSINESS),
    Case("evaluation:run_compute", "POST", allowed=OFFICE, ok=302),
    Case("evaluation:scheme_edit", "GET", allowed=OFFICE),
    Case("evaluation:scheme_edit", "POST", allowed=OFFICE, ok=302),
    Case("evaluation:practice_list", "GET", allowed=BUSINESS),
    *per_target(
        "evaluation:practice_list",
        "POST",
        302,
        own=frozenset({"liaison_a"}),
        other=frozenset({"liaison_b"}),
    ),
    *per_target("evaluation:practice_rate", "POST", 302, own=OFFICE, other=OFFICE),
    Case("evaluation:commendation_list", "GET", allowed=BUSINESS),
    Case("evaluation:commendation_list", "POST", allowed=OFFICE, ok=302),
    Case("evaluation:run_detail", "GET", allowed=BUSINESS),
    Case("evaluation:run_recompute", "POST", allowed=OFFICE, ok=302),
    Case("evaluation:run_open", "POST", allowed=OFFICE, ok=302),
    Case("evaluation:run_publish", "GET", allowed=OFFICE),
    Case("evaluation:run_publish", "POST", allowed=OFFICE, ok=302),
    *per_target(
        "evaluation:standing_detail",
        "GET",
        200,
        own=LEADS | {"liaison_a", "member_a"},
        other=LEADS | {"liaison_b"},
    ),
    *per_target(
        "evaluation:objection_lodge",
        "POST",
        302,
        own=frozenset({"liaison_a"}),
        other=frozenset({"liaison_b"}),
    ),
    Case("evaluation:objection_queue", "GET", allowed=OFFICE),
    Case("evaluation:objection_answer", "POST", allowed=OFFICE, ok=302),
]


def test_the_matrix_covers_every_evaluation_url_name():
    from kaimen.evaluation import urls

    names = {f"evaluation:{p.name}" for p in urls.urlpatterns}
    assert names <= {case.url_name for case in CASES}


@dataclass
class World:
    cast: object
    campaign: object
    runs: dict[str, ScoreRun]
    practices: dict[str, InnovationPractice]
    objection: Objection


def _week(world_cast, campaign, day: date) -> ScoreRun:
    return services.run_compute(
        actor=world_cast.office, campaign=campaign, period_kind="week", day=day
    )


@pytest.fixture
def world(cast, clock) -> World:
    """Four runs: "open" (March, window open), "closed" (week 10, window closed: publishable),
    "draft" (week 11), "answer" (week 12, window open, one objection of 东城街道)."""
    clock.current = at(date(2025, 3, 3))
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 3, 31))
    campaign = task.campaign
    services.scheme_save(
        actor=cast.office,
        campaign=campaign,
        config=SCHEME,
        peer_groups=[UnitKind.TOWN],
        top_k=1,
        bottom_k=1,
        objection_workdays=5,
    )
    practices = {}
    for key, unit, liaison, day in (
        ("own", cast.town_a, cast.liaison_a, date(2025, 3, 3)),
        ("other", cast.town_b, cast.liaison_b, date(2025, 3, 3)),
        ("own-12", cast.town_a, cast.liaison_a, date(2025, 3, 18)),
        ("other-12", cast.town_b, cast.liaison_b, date(2025, 3, 19)),
    ):
        if day > clock.current.date():
            clock.current = at(day)
        practice = services.practice_submit(
            actor=liaison,
            campaign=campaign,
            unit=unit,
            title=f"{unit.name}举措",
            description="做法",
            practiced_on=day,
        )
        practices[key] = services.practice_rate(
            actor=cast.office, practice=practice, rating="8", comment="", expected_version=1
        )
    clock.current = at(date(2025, 3, 24))
    closed = services.run_open_objections(
        actor=cast.office, run=_week(cast, campaign, date(2025, 3, 3))
    )
    clock.current = at(date(2025, 4, 2))
    draft = _week(cast, campaign, date(2025, 3, 10))
    answer = services.run_open_objections(
        actor=cast.office, run=_week(cast, campaign, date(2025, 3, 17))
    )
    objection = services.objection_lodge(
        actor=cast.liaison_a, run=answer, unit=cast.town_a, text="举措评分偏低"
    )
    month = services.run_compute(
        actor=cast.office, campaign=campaign, period_kind="month", day=date(2025, 3, 15)
    )
    opened = services.run_open_objections(actor=cast.office, run=month)
    return World(
        cast=cast,
        campaign=campaign,
        runs={"open": opened, "closed": closed, "draft": draft, "answer": answer},
        practices=practices,
        objection=objection,
    )


def db_state() -> dict[str, list]:
    models = [ScoringScheme, InnovationPractice, ScoreRun, Standing, Objection, Commendation]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def request_for(world: World, case: Case) -> tuple[str, dict]:
    cast = world.cast
    short = case.url_name.split(":")[1]
    unit = {"own": cast.town_a, "other": cast.town_b}.get(case.target)
    run = world.runs["open"]
    kwargs: dict = {}
    data: dict = {}
    match short:
        case "run_list" | "run_compute" | "scheme_edit" | "practice_list" | "commendation_list":
            kwargs = {"campaign_id": world.campaign.pk}
        case "practice_rate":
            kwargs = {"practice_id": world.practices[case.target].pk}
        case "run_detail" | "run_recompute":
            kwargs = {"run_id": run.pk}
        case "run_open":
            kwargs = {"run_id": world.runs["draft"].pk}
        case "run_publish":
            kwargs = {"run_id": world.runs["closed"].pk}
        case "standing_detail" | "objection_lodge":
            kwargs = {"run_id": run.pk, "unit_id": unit.pk}
        case "objection_answer":
            kwargs = {"objection_id": world.objection.pk}
    match short:
        case "run_compute":
            data = {"period_kind": "week", "day": "2025-03-24"}
        case "scheme_edit":
            data = {
                "version": "1",
                "name": "矩阵考核（修订）",
                "missing": "zero",
                "min_samples": "1",
                "peer_groups": ["town"],
                "top_k": "2",
                "bottom_k": "2",
                "objection_workdays": "5",
                "dim_innovation_weight": "100",
                "m_innovation_practice_rating_use": "on",
                "m_innovation_practice_rating_weight": "100",
                "m_innovation_practice_rating_method": "min_max",
            }
        case "practice_list" if case.method == "POST":
            data = {
                "unit": unit.pk,
                "title": "新举措",
                "description": "做法和成效",
                "practiced_on": "2025-03-28",
            }
        case "practice_rate":
            data = {"version": "2", "rating": "9.5", "comment": "复核"}
        case "commendation_list" if case.method == "POST":
            data = {
                "kind": "unit",
                "unit": cast.town_a.pk,
                "period_label": "2025年3月",
                "citation": "东城街道工作突出，特予表扬。",
            }
        case "run_publish" if case.method == "POST":
            data = {"confirm": "on"}
        case "objection_lodge":
            data = {"text": "第二项举措未计入"}
        case "objection_answer":
            data = {"outcome": "rejected", "answer": "评分依据充分，维持原评分。"}
    return reverse(case.url_name, kwargs=kwargs), data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_permission_matrix(client, login, world, case: Case, role: str):
    user = sign_in(login, world.cast, role)
    url, data = request_for(world, case)
    before = db_state()
    mark = last_event_id()

    response = send(client, case.method, url, data)

    check_outcome(
        case, role, user, response, before=before, mark=mark, db_state=db_state, change_shows=True
    )


POST_ONLY = [
    ("evaluation:run_compute", {"campaign_id": 1}),
    ("evaluation:practice_rate", {"practice_id": 1}),
    ("evaluation:run_recompute", {"run_id": 1}),
    ("evaluation:run_open", {"run_id": 1}),
    ("evaluation:objection_lodge", {"run_id": 1, "unit_id": 1}),
    ("evaluation:objection_answer", {"objection_id": 1}),
]


@pytest.mark.parametrize(("url_name", "kwargs"), POST_ONLY)
def test_a_get_on_a_change_endpoint_is_refused_with_405(client, login, cast, url_name, kwargs):
    login(cast.office)
    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 405


# ---------------------------------------------------------------------------------------------
# The API, with the same rules


API_CASES = [
    # (name, method, path, body, {role: expected status}; roles not named expect 403)
    ("runs", "GET", "/runs?campaign={campaign}", None, dict.fromkeys(BUSINESS, 200)),
    ("ranking", "GET", "/runs/{open}/ranking", None, dict.fromkeys(BUSINESS, 200)),
    ("ranking-draft", "GET", "/runs/{draft}/ranking", None, {
        "leader": 200, "office": 200, "liaison_a": 404, "liaison_b": 404, "member_a": 404,
    }),
    ("object-own", "POST", "/runs/{open}/objections", "own", {"liaison_a": 201}),
    ("object-other", "POST", "/runs/{open}/objections", "other", {"liaison_b": 201}),
    ("publish", "POST", "/runs/{closed}/publish", {"confirm": True}, {"office": 200}),
]  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("api_case", API_CASES, ids=[c[0] for c in API_CASES])
def test_api_permission_matrix(client, login, world, api_case, role):
    name, method, path, body, expected = api_case
    user = sign_in(login, world.cast, role)
    url = "/api/v1/evaluation" + path.format(
        campaign=world.campaign.pk,
        open=world.runs["open"].pk,
        draft=world.runs["draft"].pk,
        closed=world.runs["closed"].pk,
    )
    if body in ("own", "other"):
        unit = world.cast.town_a if body == "own" else world.cast.town_b
        body = {"unit_id": unit.pk, "text": "举措评分偏低"}
    before = db_state()
    mark = last_event_id()
    response = send(client, method, url, body, json_body=True)
    new_events = events_after(mark)
    if role == "anonymous":
        assert response.status_code == 401
        assert db_state() == before
        return
    status = expected.get(role, 403)
    assert response.status_code == status, response.content[:500]
    if status == 403:
        assert db_state() == before
        assert [(e.action, e.actor_id) for e in new_events] == [("permission.denied", user.pk)]
    elif status == 404:
        assert db_state() == before


# ---------------------------------------------------------------------------------------------
# Query counts


def test_the_ranking_page_does_not_grow_its_queries_with_its_rows(
    client, login, cast, clock, django_assert_max_num_queries
):
    clock.current = at(date(2025, 3, 3))
    (task,) = make_tasks(cast, [(cast.town_a, [])], deadline=date(2025, 3, 31))
    campaign = task.campaign
    services.scheme_save(
        actor=cast.office,
        campaign=campaign,
        config=SCHEME,
        peer_groups=[UnitKind.TOWN, UnitKind.DEPARTMENT],
        top_k=3,
        bottom_k=3,
        objection_workdays=5,
    )
    towns = Unit.objects.bulk_create(
        Unit(name=f"第{n}镇", kind=UnitKind.TOWN, parent=cast.top) for n in range(60)
    )
    for n, town in enumerate(towns):
        liaison = make_user(f"liaison_t{n}", (town, Role.LIAISON))
        practice = services.practice_submit(
            actor=liaison,
            campaign=campaign,
            unit=town,
            title="举措",
            description="做法",
            practiced_on=date(2025, 3, 3),
        )
        services.practice_rate(
            actor=cast.office,
            practice=practice,
            rating=str(n % 10),
            comment="",
            expected_version=1,
        )
    clock.current = at(date(2025, 4, 2))
    run = services.run_compute(
        actor=cast.office, campaign=campaign, period_kind="month", day=date(2025, 3, 15)
    )
    run = services.run_open_objections(actor=cast.office, run=run)
    assert run.standings.count() > 60
    login(cast.office)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("evaluation:run_detail", args=[run.pk]))
    assert page.status_code == 200
    assert "第59镇" in page.content.decode()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("evaluation:run_list", args=[campaign.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("evaluation:practice_list", args=[campaign.pk])).status_code == 200
        )
    with django_assert_max_num_queries(20):
        detail = reverse("evaluation:standing_detail", args=[run.pk, towns[0].pk])
        assert client.get(detail).status_code == 200
    login(cast.liaison_a)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("evaluation:run_detail", args=[run.pk])).status_code == 200
    with django_assert_max_num_queries(20):
        response = client.get(f"/api/v1/evaluation/runs/{run.pk}/ranking")
    assert response.status_code == 200
