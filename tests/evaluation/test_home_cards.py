"""The home page shows the ranking card only to those it applies to: a unit with a rank, or the
office with objections to answer. Nobody gets an empty "考核排名：本单位位次" card."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaimen.evaluation import services
from tests.evaluation.helpers import build_world, compute_march, save_scheme

pytestmark = pytest.mark.django_db

CARD = "考核排名：本单位位次"


@pytest.fixture
def shown(cast, clock):
    world = build_world(cast, clock)
    save_scheme(world)
    run = services.run_open_objections(actor=cast.office, run=compute_march(world))
    return world, run


def test_the_office_without_objections_to_answer_has_no_ranking_card(client, login, shown):
    world, run = shown
    login(world.cast.office)
    assert CARD not in client.get(reverse("core:home")).content.decode()
    services.objection_lodge(
        actor=world.cast.liaison_b, run=run, unit=world.cast.town_b, text="有异议"
    )
    home = client.get(reverse("core:home")).content.decode()
    assert CARD in home
    assert reverse("evaluation:objection_queue") in home


def test_a_ranked_unit_has_its_card(client, login, shown):
    world, _ = shown
    login(world.cast.liaison_b)
    assert CARD in client.get(reverse("core:home")).content.decode()
