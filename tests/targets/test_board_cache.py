"""The monitoring board is read through one cached selector: a second read of unchanged data
costs one query (the fingerprint), and any change to figures, explanations, targets or plans
is seen at once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kaimen.lib import clock
from kaimen.targets import board, services
from kaimen.targets.models import Explanation, SplitBasis, Target
from tests.targets.conftest import put_figures

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def district(cat):
    cast = cat.cast
    towns = [cast.town_a, cast.town_b]
    parent = services.target_set(
        actor=cast.office, indicator=cat.projects, unit=cast.top, year=2025, value="600"
    )
    services.target_split(
        actor=cast.office,
        target=parent,
        units=towns,
        basis=SplitBasis.WEIGHTS,
        weights={t.pk: 1 for t in towns},
    )
    for i, town in enumerate(towns):
        put_figures(cat.projects, town, 2024, {3: 10 + i, 12: 50})
        put_figures(cat.projects, town, 2025, {3: 8 + i})
    return cat


def lights(rows) -> dict[str, str | None]:
    return {r.target.unit.name: (str(r.light) if r.light else None) for r in rows}


def test_a_second_read_makes_only_the_fingerprint_query(district, django_assert_num_queries):
    first = board.board_rows(year=2025, end_month=3)
    assert len(first) == 3
    with django_assert_num_queries(1):  # the fingerprint: no board query
        second = board.board_rows(year=2025, end_month=3)
    assert lights(second) == lights(first)
    assert [r.rank.rank if r.rank else None for r in second] == [
        r.rank.rank if r.rank else None for r in first
    ]
    # a fresh copy: a caller that sorts or filters its rows changes nothing for the next one
    second.clear()
    assert len(board.board_rows(year=2025, end_month=3)) == 3


@pytest.fixture
def computed(monkeypatch) -> list[tuple]:
    """The board computations actually made (cache misses)."""
    calls: list[tuple] = []
    compute = board.compute_board_rows

    def counting(**kwargs):
        calls.append(tuple(sorted(kwargs.items())))
        return compute(**kwargs)

    monkeypatch.setattr(board, "compute_board_rows", counting)
    return calls


def test_the_cache_is_keyed_by_period_indicator_and_language(district, cat, computed):
    board.board_rows(year=2025, end_month=3)
    assert board.board_rows(year=2025, end_month=3, indicator_id=cat.fai.pk) == []
    assert len(board.board_rows(year=2025, end_month=3, indicator_id=cat.projects.pk)) == 3
    board.board_rows(year=2025, end_month=2)
    assert len(computed) == 4
    with translation.override("en"):  # the rows' notes are translated
        board.board_rows(year=2025, end_month=3)
    assert len(computed) == 5
    for _ in range(2):
        board.board_rows(year=2025, end_month=3)
        board.board_rows(year=2025, end_month=2)
    assert len(computed) == 5


def test_a_new_figure_is_seen_at_once(district, cat):
    top = cat.cast.top
    before = {r.target.unit_id: r for r in board.board_rows(year=2025, end_month=3)}
    assert before[top.pk].figure is None
    put_figures(cat.projects, top, 2025, {3: 300})
    after = {r.target.unit_id: r for r in board.board_rows(year=2025, end_month=3)}
    assert after[top.pk].figure.value == D("300")
    assert after[top.pk].light is not None


def test_an_explanation_a_target_or_a_plan_change_is_seen_at_once(district, cat, computed):
    town = cat.cast.town_a
    target = Target.objects.get(indicator=cat.projects, unit=town)

    def row():
        return next(r for r in board.board_rows(year=2025, end_month=3) if r.target.pk == target.pk)

    assert row().explanation is None
    assert len(computed) == 1
    Explanation.objects.create(
        indicator=cat.projects,
        unit=town,
        year=2025,
        end_month=3,
        text="春节错月",
        author=cat.cast.office,
        created_at=clock.now(),
    )
    assert row().explanation.text == "春节错月"
    assert len(computed) == 2
    services.target_set(
        actor=cat.cast.office,
        indicator=cat.projects,
        unit=town,
        year=2025,
        value="900",
        parent=target.parent,
    )
    assert row().result.annual_target == D("900")
    assert len(computed) == 3
    row()
    assert len(computed) == 3
    target.plan_values.filter(end_month=3).delete()  # plans are deleted and written anew
    row()
    assert len(computed) == 4


def test_a_summary_derived_from_the_board_is_cached_under_the_same_fingerprint(
    district, cat, computed, django_assert_num_queries
):
    derived: list[int] = []

    def count_lit(rows) -> int:
        derived.append(1)
        return sum(1 for r in rows if r.light)

    first = board.board_derived("lit", year=2025, end_month=3, derive=count_lit)
    with django_assert_num_queries(1):  # the fingerprint only: neither board nor summary again
        assert board.board_derived("lit", year=2025, end_month=3, derive=count_lit) == first
    assert (len(derived), len(computed)) == (1, 1)
    put_figures(cat.projects, cat.cast.top, 2025, {3: 300})  # the board changes: so does the sum
    assert board.board_derived("lit", year=2025, end_month=3, derive=count_lit) == first + 1
    assert (len(derived), len(computed)) == (2, 2)
