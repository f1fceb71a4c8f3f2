"""Who may open and change what on the targets pages (SECURITY.md: least privilege, object-level
access, 统计法: leaders read figures and never change them).

Every URL name of ``kaimen/targets/urls.py`` × every role of the cast × own unit (东城街道) /
other unit (西城街道) → the expected status. A refusal leaves the database as it was and writes
exactly one ``permission.denied`` event; an allowed change is carried out and audited.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaimen.targets import imports, services, views
from kaimen.targets.models import (
    Actual,
    ActualCorrection,
    Explanation,
    ImportBatch,
    ImportLayout,
    Indicator,
    PlanValue,
    Project,
    SplitBasis,
    Target,
)
from tests.permissions import (
    OFFICE,
    ROLES,
    Case,
    both,
    check_outcome,
    last_event_id,
    send,
    sign_in,
)
from tests.targets.workbooks import bureau_workbook

pytestmark = pytest.mark.django_db
D = Decimal

VIEW = frozenset({"leader", "office", "liaison_a", "member_a"})
ALL_OF_IT = frozenset({"leader", "office"})
OWN_HANDS = frozenset({"office", "liaison_a"})


CASES = [
    Case("targets:monitoring", "GET", allowed=VIEW),
    Case("targets:light_rule", "GET", allowed=VIEW),
    *both("targets:explain", "POST", OWN_HANDS, OFFICE, 302),
    Case("targets:indicator_list", "GET", allowed=VIEW),
    Case("targets:indicator_create", "GET", allowed=OFFICE),
    Case("targets:indicator_create", "POST", allowed=OFFICE, ok=302),
    Case("targets:indicator_edit", "GET", allowed=OFFICE),
    Case("targets:indicator_edit", "POST", allowed=OFFICE, ok=302),
    Case("targets:target_list", "GET", allowed=VIEW),
    Case("targets:target_create", "GET", allowed=OFFICE),
    Case("targets:target_create", "POST", allowed=OFFICE, ok=302),
    *both("targets:target_detail", "GET", VIEW, ALL_OF_IT, 200),
    *both("targets:target_decompose", "POST", OFFICE, OFFICE, 302),
    Case("targets:target_split", "POST", allowed=OFFICE, ok=302),
    Case("targets:target_split_projects", "POST", allowed=OFFICE, ok=302),
    Case("targets:project_list", "GET", allowed=VIEW),
    Case("targets:project_list", "POST", allowed=OFFICE, ok=302),
    Case("targets:actual_list", "GET", allowed=VIEW),
    Case("targets:actual_create", "GET", allowed=OWN_HANDS),
    *both("targets:actual_create", "POST", OWN_HANDS, OFFICE, 302),
    *both("targets:actual_detail", "GET", VIEW, ALL_OF_IT, 200),
    *both("targets:correction_request", "POST", OWN_HANDS, OFFICE, 302),
    *both("targets:correction_approve", "POST", OFFICE, OFFICE, 302),
    # only the requester takes a pending correction back (the town's liaison asked for both)
    *both("targets:correction_withdraw", "POST", frozenset({"liaison_a"}), frozenset(), 302),
    *both("targets:correction_reject", "POST", OFFICE, OFFICE, 302),
    Case("targets:import_list", "GET", allowed=OFFICE),
    Case("targets:import_list", "POST", allowed=OFFICE, ok=302),
    Case("targets:import_detail", "GET", allowed=OFFICE),
    Case("targets:import_mapping", "POST", allowed=OFFICE, ok=302),
    Case("targets:import_commit", "POST", allowed=OFFICE, ok=302),
]


def test_the_matrix_covers_every_targets_url_name():
    from kaimen.targets import urls

    assert {f"targets:{p.name}" for p in urls.urlpatterns} == {c.url_name for c in CASES}


class World:
    def __init__(self, cat) -> None:
        cast = cat.cast
        self.cat = cat
        self.district = services.target_set(
            actor=cast.office, indicator=cat.fai, unit=cast.top, year=2025, value="1200"
        )
        services.target_split(
            actor=cast.office,
            target=self.district,
            units=[cast.town_a, cast.town_b],
            basis=SplitBasis.WEIGHTS,
            weights={cast.town_a.pk: 1, cast.town_b.pk: 1},
        )
        self.targets = {
            "own": Target.objects.get(unit=cast.town_a),
            "other": Target.objects.get(unit=cast.town_b),
        }
        # the towns' own rows of 社零 and 一般公共预算收入, for which their liaisons file 快报
        for town in (cast.town_a, cast.town_b):
            for indicator in (cat.retail, cat.revenue):
                services.target_set(
                    actor=cast.office, indicator=indicator, unit=town, year=2025, value="40"
                )
        services.project_create(
            actor=cast.office,
            name="城东产业园",
            unit=cast.town_a,
            year=2025,
            planned_investment="100",
        )
        self.figures, self.corrections = {}, {}
        for side, unit, liaison in (
            ("own", cast.town_a, cast.liaison_a),
            ("other", cast.town_b, cast.liaison_b),
        ):
            fai = services.actual_submit(
                actor=liaison, indicator=cat.fai, unit=unit, year=2025, end_month=2, value="50"
            )
            self.corrections[side] = services.correction_request(
                actor=liaison, actual=fai, value="51", reason="漏报"
            )
            self.figures[side] = services.actual_submit(
                actor=liaison, indicator=cat.retail, unit=unit, year=2025, end_month=2, value="30"
            )
        self.batch, _ = imports.import_upload(
            actor=cast.office, data=bureau_workbook(), file_name="月报.xlsx"
        )


@pytest.fixture
def world(cat) -> World:
    return World(cat)


def db_state() -> dict[str, list[dict]]:
    models = [Actual, ActualCorrection, Explanation, ImportBatch, ImportLayout, Indicator]
    models += [PlanValue, Project, Target]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def mapping_data(batch) -> dict:
    form = views._mapping_form(batch)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


def request_for(world: World, case: Case) -> tuple[str, dict]:
    cat, cast = world.cat, world.cat.cast
    short = case.url_name.split(":")[1]
    side = case.target if case.target != "-" else "own"
    target, figure = world.targets[side], world.figures[side]
    kwargs = {
        "explain": {"target_id": target.pk},
        "indicator_edit": {"indicator_id": cat.trade.pk},
        "target_detail": {"target_id": target.pk},
        "target_decompose": {"target_id": target.pk},
        "target_split": {"target_id": world.district.pk},
        "target_split_projects": {"target_id": world.district.pk},
        "actual_detail": {"actual_id": figure.pk},
        "correction_request": {"actual_id": figure.pk},
        "correction_approve": {"correction_id": world.corrections[side].pk},
        "correction_reject": {"correction_id": world.corrections[side].pk},
        "correction_withdraw": {"correction_id": world.corrections[side].pk},
        "import_detail": {"batch_id": world.batch.pk},
        "import_mapping": {"batch_id": world.batch.pk},
        "import_commit": {"batch_id": world.batch.pk},
    }.get(short, {})
    url = reverse(case.url_name, kwargs=kwargs)
    if case.method == "GET":
        return url, {}
    indicator = {
        "code": "new_firms",
        "name": "新增市场主体",
        "measure_unit": "家",
        "kind": "count",
        "frequency": "monthly",
        "light_basis": "completion",
        "expectation": "calendar",
        "green_within_pts": "0",
        "yellow_within_pts": "5",
        "decimals": "0",
        "sort_order": "100",
        "is_active": "on",
        "higher_is_better": "on",
    }
    data = {
        "explain": {"month": 2, "text": "项目开工推迟，正在追赶进度"},
        "indicator_create": indicator,
        "indicator_edit": indicator
        | {"code": cat.trade.code, "name": "外贸进出口总额", "version": cat.trade.version},
        "target_create": {
            "indicator": cat.revenue.pk,
            "unit": cast.top.pk,
            "year": 2025,
            "tier": "ensure",
            "value": "85",
            "method": "even",
        },
        "target_decompose": {"method": "even", "version": target.version},
        "target_split": {
            "basis": "weights",
            "units": [cast.town_a.pk, cast.town_b.pk],
            f"weight_{cast.town_a.pk}": "2",
            f"weight_{cast.town_b.pk}": "1",
        },
        "project_list": {
            "name": "西城物流园",
            "unit": cast.town_b.pk,
            "year": 2025,
            "planned_investment": "20",
        },
        "actual_create": {
            "indicator": cat.revenue.pk,
            "unit": (cast.town_a if side == "own" else cast.town_b).pk,
            "year": 2025,
            "month": 2,
            "value": "3.2",
            "provenance": "flash",
        },
        "correction_request": {"value": "31", "growth_pct": "", "reason": "口径调整"},
        "correction_reject": {"note": "依据不足"},
        "import_list": {
            "file": SimpleUploadedFile(
                "1-3月.xlsx", bureau_workbook(title="示范区2025年1-3月主要经济指标")
            )
        },
        "import_mapping": mapping_data(world.batch) if short == "import_mapping" else {},
    }.get(short, {})
    return url, data


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_targets_permission_matrix(client, login, world, case: Case, role: str):
    user = sign_in(login, world.cat.cast, role)
    url, data = request_for(world, case)
    before = db_state()
    mark = last_event_id()

    response = send(client, case.method, url, data)

    check_outcome(case, role, user, response, before=before, mark=mark, db_state=db_state)


POST_ONLY = [
    "explain",
    "target_decompose",
    "target_split",
    "target_split_projects",
    "correction_request",
    "correction_approve",
    "correction_reject",
    "correction_withdraw",
    "import_mapping",
    "import_commit",
]


@pytest.mark.parametrize("name", POST_ONLY)
def test_a_get_on_a_change_endpoint_is_refused_with_405(client, login, world, name):
    login(world.cat.cast.office)
    url, _ = request_for(world, Case(f"targets:{name}", "GET"))
    before = db_state()
    assert client.get(url).status_code == 405
    assert db_state() == before


def test_a_focus_on_another_towns_row_is_refused(client, login, world):
    login(world.cat.cast.liaison_a)
    response = client.get(reverse("targets:monitoring"), {"focus": world.targets["other"].pk})
    assert response.status_code == 403
    own = client.get(reverse("targets:monitoring"), {"focus": world.targets["own"].pk})
    assert own.status_code == 200
    assert "西城街道" not in own.content.decode().split("<table", 3)[-1]
