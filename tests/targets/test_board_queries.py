"""The monitoring page and the targets API: a page's query count does not grow with its rows,
lists are paginated, and the API answers exactly what the user may read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaimen.org import services as org_services
from kaimen.org.models import Unit, UnitKind
from kaimen.targets import services
from kaimen.targets.models import Explanation, SplitBasis, Target
from tests.targets.conftest import put_figures

pytestmark = pytest.mark.django_db
D = Decimal


def district_with_towns(cat, n: int) -> None:
    cast = cat.cast
    towns = [cast.town_a, cast.town_b]
    towns += [
        Unit.objects.create(name=f"第{i}镇", kind=UnitKind.TOWN, parent=cast.top)
        for i in range(len(towns), n)
    ]
    for indicator, value in ((cat.projects, "600"), (cat.fai, "6000")):
        parent = services.target_set(
            actor=cast.office, indicator=indicator, unit=cast.top, year=2025, value=value
        )
        services.target_split(
            actor=cast.office,
            target=parent,
            units=towns,
            basis=SplitBasis.WEIGHTS,
            weights={t.pk: 1 for t in towns},
        )
        for i, town in enumerate(towns):
            put_figures(indicator, town, 2024, {3: 10 + i, 12: 50})
            put_figures(indicator, town, 2025, {2: 5 + i, 3: 8 + i}, growth={3: D(i)})
    for town in towns[::3]:
        Explanation.objects.create(
            indicator=cat.projects,
            unit=town,
            year=2025,
            end_month=3,
            text="说明",
            author=cast.office,
            created_at=cast.office.date_joined,
        )


def count_queries(client, url, params) -> int:
    """The queries of a read of the page once the stored board holds the data (the fixtures
    write figures with the ORM, behind the services' back: the first read catches up)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(queries)


@pytest.mark.parametrize("user", ["office", "liaison_a"])
def test_the_monitoring_page_query_count_does_not_grow_with_rows(client, login, cat, user):
    login(cat.cast.role(user))
    url = reverse("targets:monitoring")
    params = {"year": 2025, "month": 3}
    district_with_towns(cat, 3)
    small = count_queries(client, url, params)
    district_with_towns_more(cat, 30)
    large = count_queries(client, url, params)
    assert large == small
    assert large <= 25
    htmx = client.get(url, params, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 200
    assert b"<html" not in htmx.content


def district_with_towns_more(cat, n: int) -> None:
    """Add towns (and their targets and figures) to the district built before."""
    cast = cat.cast
    existing = Unit.objects.filter(kind=UnitKind.TOWN).count()
    towns = [
        Unit.objects.create(name=f"新{i}镇", kind=UnitKind.TOWN, parent=cast.top)
        for i in range(existing, n)
    ]
    for indicator in (cat.projects, cat.fai):
        parent = Target.objects.get(indicator=indicator, unit=cast.top)
        for i, town in enumerate(towns):
            services.target_set(
                actor=cast.office,
                indicator=indicator,
                unit=town,
                year=2025,
                value="20",
                parent=parent,
            )
            put_figures(indicator, town, 2024, {3: 10 + i, 12: 50})
            put_figures(indicator, town, 2025, {3: 3 + i % 9})


def test_the_monitoring_page_is_paginated(client, login, cat):
    district_with_towns(cat, 30)
    login(cat.cast.office)
    page = client.get(reverse("targets:monitoring"), {"year": 2025, "month": 3})
    assert len(page.context["page"].object_list) == 50
    assert page.context["page"].paginator.count == 62  # 2 district rows + 2 × 30 towns
    second = client.get(reverse("targets:monitoring"), {"year": 2025, "month": 3, "page": 2})
    assert len(second.context["page"].object_list) == 12


def bearer(user) -> dict[str, str]:
    _token, text = org_services.api_token_issue(
        actor=user.__class__.objects.get(username="sysadmin"), person=user, name="test"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def test_the_api_query_counts_are_flat_and_scoped(client, cat):
    district_with_towns(cat, 3)
    headers = bearer(cat.cast.liaison_a)
    client.get("/api/v1/org/me", **headers)  # the token's first use is recorded once
    counts = {}
    for size in (3, 25):
        if size == 25:
            district_with_towns_more(cat, 25)
        client.get("/api/v1/targets/monitoring", {"year": 2025, "month": 3}, **headers)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(
                "/api/v1/targets/monitoring", {"year": 2025, "month": 3}, **headers
            )
        assert response.status_code == 200
        counts[size] = len(queries)
        units = {row["unit_id"] for row in response.json()["items"]}
        assert units == {cat.cast.town_a.pk}  # a town reads its own rows only
    assert counts[3] == counts[25]
    figures = client.get("/api/v1/targets/actuals", {"year": 2025}, **headers).json()
    assert {f["unit_id"] for f in figures["items"]} == {cat.cast.town_a.pk}


def test_the_api_serves_versions_and_plans(client, cat):
    district_with_towns(cat, 2)
    actual = services.actual_submit(
        actor=cat.cast.liaison_a,
        indicator=cat.fai,  # the town's own row: it has a target for it
        unit=cat.cast.town_a,
        year=2025,
        end_month=3,
        value="3.2",
    )
    correction = services.correction_request(
        actor=cat.cast.liaison_a, actual=actual, value="3.4", reason="漏报"
    )
    services.correction_approve(actor=cat.cast.office, correction=correction)
    headers = bearer(cat.cast.leader)
    versions = client.get(f"/api/v1/targets/actuals/{actual.pk}/versions", **headers).json()
    assert [(v["version"], v["value"], v["approved_by_id"]) for v in versions] == [
        (2, "3.4000", cat.cast.office.pk),
        (1, "3.2000", None),
    ]
    target = Target.objects.get(indicator=cat.projects, unit=cat.cast.top)
    plan = client.get(f"/api/v1/targets/targets/{target.pk}/plan", **headers).json()
    assert plan[0]["period"] == "1月"
    assert plan[-1]["value"] == "600.0000"
    listed = client.get("/api/v1/targets/targets", {"year": 2025}, **headers).json()
    assert listed["count"] == Target.objects.count()
    indicators = client.get("/api/v1/targets/indicators", **headers).json()
    assert {"code": "gdp"}.items() <= next(
        i for i in indicators["items"] if i["code"] == "gdp"
    ).items()
    # a town's token cannot read another town's figure
    other = bearer(cat.cast.liaison_b)
    assert client.get(f"/api/v1/targets/actuals/{actual.pk}/versions", **other).status_code == 403
