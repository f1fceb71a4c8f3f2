"""Who may open and change what in the accountability record, through the real views and the
JSON API (SECURITY.md: least privilege, object-level access, refusals audited).

Every URL name of ``kaimen/accountability/urls.py`` and every API operation × every role of the
cast × own unit (东城街道: liaison_a, member_a) / other unit (西城街道: liaison_b) → the expected
status. A refusal answers 403, leaves the database as it was and writes exactly one
``permission.denied`` event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaimen.accountability import services
from kaimen.accountability.models import (
    Attachment,
    Explanation,
    Proposal,
    ProposerRun,
    RuleSettings,
    Status,
)
from kaimen.campaigns.models import Campaign
from tests.accountability import helpers as h
from tests.permissions import (
    BUSINESS,
    LEADS,
    OFFICE,
    check_outcome,
    last_event_id,
    send,
    sign_in,
)
from tests.permissions import ROLES_WITH_B as ROLES

pytestmark = pytest.mark.django_db
OWN_READERS = LEADS | {"liaison_a", "member_a"}
OTHER_READERS = LEADS | {"liaison_b"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@dataclass(frozen=True)
class Case:
    name: str  # a URL name, or "api:<operation>"
    method: str
    target: str = "-"  # "own" (东城街道's proposal), "other" (西城街道's)
    allowed: frozenset[str] = frozenset()
    ok: int = 200
    # Roles to whom the target does not exist: an open proposal is not shown to the unit (404).
    hidden: frozenset[str] = frozenset()

    @property
    def id(self) -> str:
        return f"{self.name}-{self.method}-{self.target}"


def both(name: str, method: str, ok: int, own: frozenset[str], other: frozenset[str]):
    return [Case(name, method, "own", own, ok), Case(name, method, "other", other, ok)]


def on_open(name: str, method: str, ok: int):
    """Decisions on an open proposal: the deciders only; the unit's own people do not see it."""
    return [
        Case(name, method, "own", LEADS, ok, hidden=OWN_READERS - LEADS),
        Case(name, method, "other", LEADS, ok, hidden=OTHER_READERS - LEADS),
    ]


PAGE_CASES: list[Case] = [
    Case("accountability:record", "GET", allowed=BUSINESS),
    Case("accountability:queue", "GET", allowed=LEADS),
    Case("accountability:run_now", "POST", allowed=LEADS, ok=302),
    *both("accountability:proposal_detail", "GET", 200, OWN_READERS, OTHER_READERS),
    *on_open("accountability:decide", "POST", 302),
    *both(
        "accountability:explain", "POST", 302, frozenset({"liaison_a"}), frozenset({"liaison_b"})
    ),
    *both("accountability:unit_record", "GET", 200, OWN_READERS, OTHER_READERS),
    Case("accountability:export", "GET", allowed=LEADS),
    Case("accountability:rules", "GET", allowed=OFFICE),
    Case("accountability:rules", "POST", allowed=OFFICE, ok=302),
    *both("accountability:attachment_download", "GET", 200, OWN_READERS, OTHER_READERS),
]
API_CASES: list[Case] = [
    Case("api:list", "GET", allowed=BUSINESS),
    *both("api:get", "GET", 200, OWN_READERS, OTHER_READERS),
    *on_open("api:confirm", "POST", 200),
    *on_open("api:dismiss", "POST", 200),
    *both("api:explain", "POST", 200, frozenset({"liaison_a"}), frozenset({"liaison_b"})),
]


def test_the_matrix_covers_every_url_name_and_api_operation():
    import kaimen.api  # noqa: F401 - the API first: the app's router imports from it
    from kaimen.accountability import api, urls

    names = {f"accountability:{p.name}" for p in urls.urlpatterns}
    assert names <= {case.name for case in PAGE_CASES}
    operations = sum(len(view.operations) for view in api.router.path_operations.values())
    assert operations == len({(c.name, c.method) for c in API_CASES})


@dataclass
class World:
    cast: object
    proposals: dict[str, Proposal]  # open, to decide
    seen: dict[str, Proposal]  # confirmed: shown to the unit, explained
    attachments: dict[str, Attachment]
    campaign: Campaign


@pytest.fixture
def world(cast, clock, settings, tmp_path) -> World:
    settings.ACCOUNTABILITY_FILES_ROOT = tmp_path / "files"
    h.overdue_tasks(
        cast,
        clock,
        [cast.town_a, cast.town_a, cast.town_b, cast.town_b],
        deadline=date(2025, 6, 30),
    )
    h.run(clock, date(2025, 3, 11))
    h.set_day(clock, date(2025, 3, 12))
    proposals = {
        "own": Proposal.objects.get(unit=cast.town_a),
        "other": Proposal.objects.get(unit=cast.town_b),
    }
    # A unit sees (and explains) a proposal only once a person has confirmed it: one confirmed
    # proposal per town, on another matter, for the reads and the explanations.
    seen = {}
    for key, unit in (("own", cast.town_a), ("other", cast.town_b)):
        seen[key] = Proposal.objects.create(
            campaign=proposals[key].campaign,
            unit=unit,
            rule="overdue",
            step="remind",
            matter_kind="task",
            subject=f"task:confirmed-{key}",
            matter="任务“测试”",
            key=f"confirmed-{key}",
            facts=["事实"],
            text="建议",
            proposed_at=proposals[key].proposed_at,
            status=Status.CONFIRMED,
            decided_by=cast.office,
            decided_at=proposals[key].proposed_at,
            decision_reason="属实",
        )
    attachments = {}
    for key, liaison in (("own", cast.liaison_a), ("other", cast.liaison_b)):
        explanation = services.explanation_add(
            actor=liaison,
            proposal=seen[key],
            text="情况说明",
            uploads=[SimpleUploadedFile("说明.png", PNG)],
        )
        attachments[key] = explanation.attachments.get()
    return World(cast, proposals, seen, attachments, Campaign.objects.first())


def db_state() -> dict[str, list]:
    models = [Proposal, Explanation, Attachment, ProposerRun, RuleSettings]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def page_request(world: World, case: Case) -> tuple[str, dict]:
    short = case.name.split(":")[1]
    proposal = (world.proposals if short == "decide" else world.seen).get(case.target)
    kwargs: dict = {}
    data: dict = {}
    if short in {"proposal_detail", "decide", "explain"}:
        kwargs = {"proposal_id": proposal.pk}
    elif short == "unit_record":
        kwargs = {"unit_id": proposal.unit_id}
    elif short == "attachment_download":
        kwargs = {"attachment_id": world.attachments[case.target].pk}
    elif short == "rules":
        kwargs = {"campaign_id": world.campaign.pk}
    match short:
        case "decide":
            data = {"decision": "confirm", "reason": "经核实属实"}
        case "explain":
            data = {"text": "补充说明:已整改"}
        case "rules":
            data = {
                "version": "0",
                "red_periods": "2",
                "red_periods_to_escalate": "1",
                "order_limit_workdays": "5",
                "overdue_workdays_to_escalate": "5",
                "missed_reports": "2",
                "missed_reports_to_escalate": "1",
                "highest_step": "notify",
            }
    return reverse(case.name, kwargs=kwargs), data


def api_request(world: World, case: Case) -> tuple[str, dict | None]:
    base = "/api/v1/accountability/proposals"
    op = case.name.split(":")[1]
    if op == "list":
        return base, None
    pk = (world.proposals if op in ("confirm", "dismiss") else world.seen)[case.target].pk
    match op:
        case "get":
            return f"{base}/{pk}", None
        case "confirm" | "dismiss":
            return f"{base}/{pk}/{op}", {"reason": "经核实"}
        case "explain":
            return f"{base}/{pk}/explanations", {"text": "补充说明"}
    raise AssertionError(op)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", PAGE_CASES, ids=[case.id for case in PAGE_CASES])
def test_page_permission_matrix(client, login, world, case: Case, role: str):
    user = sign_in(login, world.cast, role)
    url, data = page_request(world, case)
    before = db_state()
    mark = last_event_id()
    response = send(client, case.method, url, data)
    check_outcome(
        case, role, user, response, before=before, mark=mark, db_state=db_state, change_shows=True
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", API_CASES, ids=[case.id for case in API_CASES])
def test_api_permission_matrix(client, login, world, case: Case, role: str):
    user = sign_in(login, world.cast, role)
    url, body = api_request(world, case)
    before = db_state()
    mark = last_event_id()
    response = send(client, case.method, url, body, json_body=True)
    check_outcome(
        case,
        role,
        user,
        response,
        before=before,
        mark=mark,
        db_state=db_state,
        api=True,
        change_shows=True,
    )


def test_a_unit_sees_only_its_own_proposals_in_the_list(client, login, world):
    login(world.cast.liaison_a)
    rows = client.get("/api/v1/accountability/proposals").json()["items"]
    assert {r["unit_id"] for r in rows} == {world.cast.town_a.pk}
    page = client.get(reverse("accountability:record")).content.decode()
    assert "东城街道" in page
    assert "西城街道" not in page
    # Asking for the other unit by filter finds nothing rather than its rows.
    rows = client.get(f"/api/v1/accountability/proposals?unit={world.cast.town_b.pk}").json()
    assert rows["items"] == []


def test_the_leader_and_office_see_every_unit(client, login, world):
    login(world.cast.leader)
    rows = client.get("/api/v1/accountability/proposals").json()["items"]
    assert {r["unit_id"] for r in rows} == {world.cast.town_a.pk, world.cast.town_b.pk}


def test_a_missing_proposal_is_404(client, login, world):
    login(world.cast.office)
    assert client.get("/api/v1/accountability/proposals/999999").status_code == 404
    assert client.get(reverse("accountability:proposal_detail", args=[999999])).status_code == 404


POST_ONLY = [
    ("accountability:run_now", {}),
    ("accountability:decide", {"proposal_id": 1}),
    ("accountability:explain", {"proposal_id": 1}),
]


@pytest.mark.parametrize(("url_name", "kwargs"), POST_ONLY)
def test_a_get_on_a_change_endpoint_is_refused_with_405(client, login, cast, url_name, kwargs):
    login(cast.office)
    assert client.get(reverse(url_name, kwargs=kwargs)).status_code == 405


def test_a_forged_decision_through_the_api_needs_a_reason(client, login, world):
    login(world.cast.office)
    url = f"/api/v1/accountability/proposals/{world.proposals['own'].pk}/confirm"
    response = client.post(url, json.dumps({"reason": " "}), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["field"] == "reason"
    response = client.post(url, "{}", content_type="application/json")
    assert response.status_code == 422
    assert Proposal.objects.get(pk=world.proposals["own"].pk).status == "proposed"


def test_a_body_that_cannot_be_parsed_gets_a_clear_400_in_the_api_shape(client, login, world):
    login(world.cast.office)
    url = f"/api/v1/accountability/proposals/{world.proposals['own'].pk}/confirm"
    response = client.post(url, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "unparsable"
    response = client.post(url, "x", content_type="multipart/form-data")  # no boundary
    assert response.status_code == 400
    assert "multipart" in response.json()["message"]
    assert Proposal.objects.get(pk=world.proposals["own"].pk).status == "proposed"


@pytest.mark.parametrize("day", ["1700000000", "2025-13-01", "2025年4月1日"])
def test_api_dates_are_iso_days_or_a_clear_422(client, login, world, day):
    login(world.cast.office)
    response = client.get("/api/v1/accountability/proposals", {"date_from": day})
    assert response.status_code == 422
    assert response.json()["field"] == "date_from"


def test_api_filters_narrow_the_list(client, login, world):
    login(world.cast.office)
    base = "/api/v1/accountability/proposals"
    rows = client.get(base, {"unit": world.cast.town_b.pk, "status": "proposed"}).json()
    assert [r["unit"] for r in rows["items"]] == ["西城街道"]
    assert client.get(base, {"date_from": "2099-01-01"}).json()["items"] == []
    assert client.get(base, {"step": "interview"}).json()["items"] == []
