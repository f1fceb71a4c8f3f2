"""The published ranking and 红黑榜 as rows (moved from the briefing's snapshot tests)."""

from __future__ import annotations

from decimal import Decimal

from kaimen.evaluation.honour_roll import draft_honour_roll
from kaimen.evaluation.rows import ranking_rows, roll_rows
from kaimen.evaluation.scoring import (
    DataPoint,
    Dimension,
    Method,
    Normalisation,
    Scheme,
    SchemeDimension,
    SchemeMetric,
    UnitRef,
    score_period,
)

D = Decimal


def test_rows_come_from_a_scoreboard_and_a_confirmed_draft():
    pct = Normalisation(Method.RATIO_TO_TARGET, target=D(100), cap=D(1))
    scheme = Scheme(
        "周考核",
        (
            SchemeDimension(
                Dimension.SPEED, D(100), (SchemeMetric("speed.tasks_on_time", D(100), pct),)
            ),
        ),
        min_samples=1,
    )
    units = [UnitRef("a", "东城街道", "town"), UnitRef("b", "西城街道", "town")]
    data = [
        DataPoint("a", "speed.tasks_on_time", D(100)),
        DataPoint("b", "speed.tasks_on_time", D(50)),
    ]
    board = score_period(scheme, period="第10周", units=units, data=data)
    rows = ranking_rows(board)
    assert [(r.unit, r.rank, r.total, r.speed) for r in rows] == [
        ("东城街道", 1, D("100.00"), D("100.00")),
        ("西城街道", 2, D("50.00"), D("50.00")),
    ]
    assert rows[0].peer_group == "镇街"
    roll = roll_rows(draft_honour_roll(board, top_k=1, bottom_k=1))
    assert [(r.board, r.unit) for r in roll] == [("red", "东城街道"), ("black", "西城街道")]
