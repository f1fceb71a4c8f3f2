"""The briefing's rankings and 红黑榜 come from the latest score run the office has published —
never a draft or a run still in its objection window — and stay as published."""

from __future__ import annotations

from datetime import timedelta

import pytest
from docx import Document

from kaimen.briefings import services as briefings
from kaimen.briefings.assemble import assemble_snapshot
from kaimen.evaluation import services
from tests.evaluation.helpers import at, build_world, compute_march, practice_of, save_scheme

pytestmark = pytest.mark.django_db
NOT_YET = "本期尚未开展评分排名"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(cast, clock):
    w = build_world(cast, clock)
    save_scheme(w)
    return w


def publish(world, clock):
    run = services.run_open_objections(actor=world.cast.office, run=compute_march(world))
    clock.current = at(run.window_closes_on + timedelta(days=1))
    return services.run_publish(actor=world.cast.office, run=run, confirm=True)


def snapshot(world):
    return assemble_snapshot(year=2025, campaign=world.campaign, end_month=3)


def test_without_a_published_run_the_briefing_says_so(world):
    snap = snapshot(world)
    assert snap.rankings == ()
    assert snap.honour_roll == ()
    assert NOT_YET in snap.overview.paragraphs[1]


def test_a_draft_or_a_run_in_its_objection_window_is_not_briefed(world):
    draft = compute_march(world)
    assert snapshot(world).rankings == ()
    services.run_open_objections(actor=world.cast.office, run=draft)
    assert NOT_YET in snapshot(world).overview.paragraphs[1]


def test_the_published_ranking_and_roll_are_briefed(world, clock):
    publish(world, clock)
    snap = snapshot(world)
    assert "排名与红黑榜采用2025年3月考核结果" in snap.overview.paragraphs[1]
    towns = [(r.unit, r.rank_label, str(r.total)) for r in snap.rankings if r.peer_group == "镇街"]
    assert towns == [
        ("东城街道", "并列1", "85.00"),
        ("北山镇", "并列1", "85.00"),
        ("南湖镇", "3", "100.00"),
        ("西城街道", "4", "39.00"),
    ]
    assert {(r.board, r.unit) for r in snap.honour_roll} == {
        ("red", "东城街道"),
        ("red", "北山镇"),
        ("red", "区商务局"),
        ("black", "西城街道"),
    }


def test_the_briefing_by_year_finds_the_published_campaign(world, clock):
    publish(world, clock)
    snap = assemble_snapshot(year=2025, campaign=None, end_month=3)
    assert len(snap.rankings) == 6


def test_the_document_carries_the_published_ranking(world, clock):
    publish(world, clock)
    briefing = briefings.briefing_build(actor=world.cast.office, campaign=world.campaign)
    doc = Document(str(briefings.path_of(briefing.docx_name)))
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"东城街道", "西城街道", "区商务局"} <= cells


def test_a_published_ranking_is_briefed_as_published_after_the_data_change(world, clock):
    publish(world, clock)
    before = snapshot(world).rankings
    practice = practice_of(world, world.cast.town_b)
    services.practice_rate(
        actor=world.cast.office,
        practice=practice,
        rating="10",
        comment="复核",
        expected_version=practice.version,
    )
    assert snapshot(world).rankings == before
