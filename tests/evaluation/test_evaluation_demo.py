"""The demo's work competition: a scheme, rated practices, a published March run with its
红黑榜 and commendations; loading the demo twice gives the same data."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from kaimen.campaigns.demo import CAMPAIGN
from kaimen.campaigns.models import Campaign
from kaimen.evaluation import codec, selectors
from kaimen.evaluation.models import (
    Commendation,
    InnovationPractice,
    Objection,
    ObjectionOutcome,
    RollBoard,
    RunStatus,
    ScoreRun,
    ScoringScheme,
    Standing,
)
from kaimen.org.models import Unit, UnitKind, User

pytestmark = pytest.mark.django_db


def state() -> dict[str, list]:
    return {
        m.__name__: list(m.objects.order_by("pk").values())
        for m in (ScoringScheme, InnovationPractice, ScoreRun, Standing, Objection, Commendation)
    }


def test_the_demo_publishes_a_month_run_and_is_idempotent():
    call_command("demo", stdout=StringIO())
    campaign = Campaign.objects.get(name=CAMPAIGN)
    scheme = codec.scheme_from_dict(ScoringScheme.objects.get(campaign=campaign).config)
    assert [d.dimension.value for d in scheme.dimensions] == ["speed", "quality", "innovation"]
    practices = InnovationPractice.objects.filter(campaign=campaign)
    assert practices.count() >= 10
    assert not practices.filter(rating__isnull=True).exists()
    run = ScoreRun.objects.get(campaign=campaign)
    assert (run.status, run.period_label) == (RunStatus.PUBLISHED, "2025年3月")
    assert run.published_at.date() == date(2025, 4, 16)
    assert run.window_closes_on < run.published_at.date()
    assert run.standings.filter(board=RollBoard.RED).exists()
    assert run.standings.filter(board=RollBoard.BLACK).exists()
    objection = Objection.objects.get(run=run)
    assert objection.outcome == ObjectionOutcome.REJECTED
    kinds = sorted(Commendation.objects.filter(run=run).values_list("kind", flat=True))
    assert kinds == ["person", "unit", "unit"]
    assert selectors.published_ranking_rows(campaign)
    before = state()
    out = StringIO()
    call_command("demo", stdout=out)
    assert state() == before
    assert "Rankings: already there, unchanged." in out.getvalue()


def test_the_demo_ranking_page_opens_for_a_town_liaison(client):
    call_command("demo", stdout=StringIO())
    run = ScoreRun.objects.get()
    liaison = User.objects.get(username="liaison.chengguan")
    User.objects.filter(pk=liaison.pk).update(must_change_password=False)  # first sign-in done
    liaison.refresh_from_db()
    client.force_login(liaison)
    page = client.get(reverse("evaluation:run_detail", args=[run.pk]))
    assert page.status_code == 200
    assert "城关街道" in page.content.decode()
    own = run.standings.get(unit__name="城关街道")
    detail = client.get(reverse("evaluation:standing_detail", args=[run.pk, own.unit_id]))
    assert "标准化" in detail.content.decode()


def test_the_demo_ranks_every_department_and_town_under_rules_an_office_can_defend(client, login):
    call_command("demo", stdout=StringIO())
    campaign = Campaign.objects.get(name=CAMPAIGN)
    scheme = ScoringScheme.objects.get(campaign=campaign)
    run = ScoreRun.objects.get(campaign=campaign)
    competing = Unit.objects.filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.TOWN], is_active=True
    ).exclude(pk__in=scheme.excluded_unit_ids)
    ranked = run.standings.filter(rank__isnull=False)
    # every department and town has results of its own to be ranked on
    assert set(ranked.values_list("unit_id", flat=True)) == set(
        competing.values_list("pk", flat=True)
    )
    assert competing.filter(kind=UnitKind.DEPARTMENT).count() >= 20
    rules = scheme.roll_rules
    for group in ("department", "town"):
        rows = list(run.standings.filter(peer_group=group).order_by("rank", "order"))
        eligible = [s for s in rows if s.rank is not None and not s.limited]
        red = [s for s in rows if s.board == RollBoard.RED]
        black = [s for s in rows if s.board == RollBoard.BLACK]
        assert red, group
        assert black, group
        red_cut = eligible[rules.red_places(len(eligible)) - 1].rank
        black_cut = eligible[-rules.black_places(len(eligible))].rank
        for s in red:
            assert s.total >= rules.red_min_total
            assert not s.limited
            assert s.rank <= red_cut
        for s in black:
            assert s.total < rules.black_below_total
            assert not s.limited
            assert s.rank >= black_cut
        # a unit short of samples is on neither list, in the table or the stored 红黑榜
        assert not [s for s in rows if s.limited and s.board]
    stored = codec.roll_from_dict(run.roll)
    limited = set(run.standings.filter(limited=True).values_list("unit_id", flat=True))
    assert limited  # the demo shows the rule at work
    for group in stored.groups:
        assert not {int(e.unit) for e in (*group.red, *group.black)} & limited
    # the rules are printed beside the lists
    User.objects.filter(username="office.li").update(must_change_password=False)
    login(User.objects.get(username="office.li"))
    page = client.get(reverse("evaluation:run_detail", args=[run.pk])).content.decode()
    assert "红榜：总分不低于85分且位列本组前20%。" in page
    assert "黑榜：总分低于60分且位列本组后10%。" in page
