"""The dashboard only loops over the panels the apps registered: a new app's panel shows up
without the dashboard knowing it, and without any panel the page still opens."""

from __future__ import annotations

import pytest

from kaimen.lib.contracts import dashboard as registry
from kaimen.lib.contracts.dashboard import Fragment, Frame, Panel

pytestmark = pytest.mark.django_db
URL = "/dashboard/"


def test_the_registered_apps_fill_the_dashboard():
    from kaimen.accountability.panels import dashboard_panel as accountability
    from kaimen.evaluation.panels import dashboard_panel as evaluation
    from kaimen.ledger.overdue import dashboard_panel as ledger
    from kaimen.targets.overview import dashboard_panel as targets

    assert {ledger, targets, evaluation, accountability} <= set(registry._providers)


def test_a_new_panel_shows_in_its_slot_in_order(cast, login, monkeypatch):
    seen: list[Frame] = []

    def investment(frame: Frame) -> Panel:
        seen.append(frame)
        # any template with a counter partial will do: here accountability's, fed a number
        return Panel(
            "investment",
            7301,
            (Fragment(registry.COUNTERS, "accountability/_dashboard.html#counter", 5),),
        )

    monkeypatch.setattr(registry, "_providers", [*registry._providers, investment])
    response = login(cast.leader).get(URL)
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.panel("investment") == 7301
    assert [p.order for p in dash.slots["counters"]][0] == 5
    html = response.content.decode()
    assert html.index("<b>7301</b>") < html.index("&amp;light=red") < html.index("?overdue=on")
    (frame,) = seen
    assert frame.user == cast.leader
    assert frame.campaign is None


def test_without_any_panel_the_page_still_opens(cast, login, monkeypatch):
    monkeypatch.setattr(registry, "_providers", [])
    response = login(cast.office).get(URL)
    assert response.status_code == 200
    assert response.context["dash"].panels == ()
    assert response.context["dash"].panel("targets") is None
