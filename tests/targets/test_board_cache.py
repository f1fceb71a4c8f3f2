"""The monitoring board is stored (``board_store``): computed once per data change, for the
targets whose data moved, and read by every consumer from the table. A second read of unchanged
data computes nothing; any change to figures, explanations, targets, plans, indicators or units
is seen at once, whether a service made it or not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from kaimen.audit.models import AuditEvent
from kaimen.lib import clock
from kaimen.targets import board, board_store, services
from kaimen.targets.models import BoardEntry, Explanation, SplitBasis, Target
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


@pytest.fixture
def computed(monkeypatch) -> list[set[int]]:
    """The ids of the targets each computation of stored rows was made for."""
    calls: list[set[int]] = []
    write = board_store._write

    def counting(year, targets):
        calls.append({t.pk for t in targets})
        return write(year, targets)

    monkeypatch.setattr(board_store, "_write", counting)
    return calls


def picture(rows) -> list[tuple]:
    """What a reader sees of each row."""
    return [
        (
            r.target.pk,
            r.period,
            r.figure.pk if r.figure else None,
            r.last_year.pk if r.last_year else None,
            r.result,
            r.computed_growth_pct,
            r.explanation.pk if r.explanation else None,
            (r.rank.rank, r.rank.peers, r.rank.missing) if r.rank else None,
            r.note,
            r.light,
        )
        for r in rows
    ]


@pytest.mark.parametrize("month", [1, 2, 3, 4, 12])
def test_the_stored_board_is_the_computed_board(district, cat, month):
    put_figures(cat.projects, cat.cast.town_a, 2025, {4: 12})
    put_figures(cat.gdp, cat.cast.top, 2025, {3: 800})  # quarterly: 1-4月 shows 一季度
    services.target_set(
        actor=cat.cast.office, indicator=cat.gdp, unit=cat.cast.top, year=2025, value="3000"
    )
    stored = board.board_rows(year=2025, end_month=month)
    assert picture(stored) == picture(board.compute_board_rows(year=2025, end_month=month))
    assert len(stored) == 4


def test_a_second_read_computes_nothing(district, computed, django_assert_num_queries):
    first = board.board_rows(year=2025, end_month=3)
    assert len(first) == 3
    assert len(computed) == 1  # stored whole at the first read
    with django_assert_num_queries(3):  # the state, the probe of the tables, the rows
        second = board.board_rows(year=2025, end_month=3)
    assert lights(second) == lights(first)
    assert [r.rank.rank if r.rank else None for r in second] == [
        r.rank.rank if r.rank else None for r in first
    ]
    board.board_rows(year=2025, end_month=12)  # every month is stored at once
    assert len(computed) == 1
    # a fresh list: a caller that sorts or filters its rows changes nothing for the next one
    second.clear()
    assert len(board.board_rows(year=2025, end_month=3)) == 3


def test_a_new_figure_recomputes_its_own_targets_only(district, cat, computed):
    top = cat.cast.top
    before = {r.target.unit_id: r for r in board.board_rows(year=2025, end_month=3)}
    assert before[top.pk].figure is None
    put_figures(cat.projects, top, 2025, {3: 300})  # behind the services' back: seen at once
    after = {r.target.unit_id: r for r in board.board_rows(year=2025, end_month=3)}
    assert after[top.pk].figure.value == D("300")
    assert after[top.pk].light is not None
    assert computed[-1] == {after[top.pk].target.pk}
    # last year's figure moves this year's row (the computed growth)
    put_figures(cat.projects, top, 2024, {3: 250})
    again = {r.target.unit_id: r for r in board.board_rows(year=2025, end_month=3)}
    assert again[top.pk].computed_growth_pct == D("20")
    assert computed[-1] == {after[top.pk].target.pk}


def test_the_services_store_the_board_in_their_transaction(district, cat, computed):
    town = cat.cast.town_a
    target = Target.objects.get(indicator=cat.projects, unit=town)
    board.board_rows(year=2025, end_month=3)
    services.actual_submit(
        actor=cat.cast.liaison_a,
        indicator=cat.projects,
        unit=town,
        year=2025,
        end_month=4,
        value="12",
    )
    assert computed[-1] == {target.pk}  # by the service, before anyone reads
    entry = BoardEntry.objects.get(target=target, end_month=4)
    assert entry.figure.value == D("12")
    calls = len(computed)
    board.board_rows(year=2025, end_month=4)
    assert len(computed) == calls  # the read finds the board current


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
    assert computed[-1] == {target.pk}
    services.target_set(
        actor=cat.cast.office,
        indicator=cat.projects,
        unit=town,
        year=2025,
        value="900",
        parent=target.parent,
    )
    assert target.pk in computed[-1]
    calls = len(computed)
    assert row().result.annual_target == D("900")
    assert len(computed) == calls
    target.plan_values.filter(end_month=3).delete()  # by hand: the board cannot tell whose
    assert row().result.plan_to_date is None
    assert len(computed) == calls + 1


def test_a_unit_or_indicator_change_recomputes_their_rows(district, cat, computed):
    board.board_rows(year=2025, end_month=3)
    town = cat.cast.town_b
    town.kind = "task_force"  # no longer ranked with the towns
    town.version += 1
    town.save()
    rows = {r.target.unit_id: r for r in board.board_rows(year=2025, end_month=3)}
    assert rows[town.pk].rank is None
    assert rows[cat.cast.town_a.pk].rank is None  # a town alone has no rank
    assert computed[-1] == {rows[town.pk].target.pk}


def test_the_page_follows_a_unit_moved_or_renamed_through_the_service(district, cat):
    """The board's order is stored with its rows: moving a unit up the list or renaming it
    reorders the page at once."""
    from kaimen.org import services as org_services

    office, town_a, town_b = cat.cast.office, cat.cast.town_a, cat.cast.town_b

    def towns_in_order() -> list[str]:
        page = board.board_for_user(user=office, year=2025, end_month=3, unit_kind="town")
        return [r.target.unit.name for r in page.rows[0:10]]

    first = towns_in_order()
    assert set(first) == {town_a.name, town_b.name}
    last = town_a if first[-1] == town_a.name else town_b
    org_services.unit_update(actor=office, unit=last, expected_version=last.version, sort_order=0)
    moved = towns_in_order()
    assert moved[0] == last.name
    org_services.unit_update(
        actor=office,
        unit=type(last).objects.get(pk=last.pk),
        expected_version=type(last).objects.get(pk=last.pk).version,
        name="甲甲镇",
    )
    assert towns_in_order()[0] == "甲甲镇"
    lagging_page = board.board_for_user(user=office, year=2025, end_month=3)
    assert [r.light for r in lagging_page.lagging] == sorted(
        (r.light for r in lagging_page.lagging), key=lambda light: 0 if light == "red" else 1
    )


def test_a_summary_derived_from_the_board_is_cached_until_the_board_changes(
    district, cat, computed, django_assert_num_queries
):
    derived: list[int] = []

    def count_lit(rows) -> int:
        derived.append(1)
        return sum(1 for r in rows if r.light)

    first = board.board_derived("lit", year=2025, end_month=3, derive=count_lit)
    with django_assert_num_queries(2):  # the state and the probe: neither board nor summary
        assert board.board_derived("lit", year=2025, end_month=3, derive=count_lit) == first
    assert (len(derived), len(computed)) == (1, 1)
    put_figures(cat.projects, cat.cast.top, 2025, {3: 300})  # the board changes: so does the sum
    assert board.board_derived("lit", year=2025, end_month=3, derive=count_lit) == first + 1
    assert (len(derived), len(computed)) == (2, 2)


def test_a_new_computation_recomputes_every_stored_board(district, computed, monkeypatch):
    board.board_rows(year=2025, end_month=3)
    monkeypatch.setattr(board_store, "COMPUTATION", board_store.COMPUTATION + 1)
    board.board_rows(year=2025, end_month=3)
    assert len(computed) == 2
    assert len(computed[-1]) == 3


def test_the_rebuild_command_repairs_the_board(district, cat, capsys):
    board.board_rows(year=2025, end_month=3)
    BoardEntry.objects.filter(unit=cat.cast.town_a).update(light="green", note="被改动")
    call_command("targets", "board", "rebuild", "--year", "2025")
    assert "2025年：监测看板已重算，36行。" in capsys.readouterr().out  # 3 targets × 12 months
    fresh = board.compute_board_rows(year=2025, end_month=3)
    assert picture(board.board_rows(year=2025, end_month=3)) == picture(fresh)
    event = AuditEvent.objects.get(action="targets.board.rebuild")
    assert event.after == {"2025": 36}
