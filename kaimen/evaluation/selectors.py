"""Reads of schemes, runs, standings, objections, practices and commendations, already narrowed
to what the user may see.

Who sees what (DESIGN.md, the issue): the office and leaders see every run, drafts included;
a unit's liaison or member sees its own unit's standing from the day the objection window opens,
and the whole ranking once the office has published it. Nothing of a plain draft reaches a unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, Q, QuerySet

from kaimen.campaigns import selectors as campaigns
from kaimen.campaigns.models import Campaign
from kaimen.evaluation import codec
from kaimen.evaluation.models import (
    Commendation,
    InnovationPractice,
    Objection,
    RollBoard,
    RunStatus,
    ScoreRun,
    ScoringScheme,
    Standing,
)
from kaimen.evaluation.rows import RankingRow, RollRow, ranking_rows, roll_rows
from kaimen.evaluation.scoring import Explanation
from kaimen.lib.errors import NotFound
from kaimen.org import scope
from kaimen.org.models import Role, Unit
from kaimen.org.scope import Perm

# ---------------------------------------------------------------------------------------------
# For the briefing and the dashboard


def latest_published_run(campaign: Campaign | None) -> ScoreRun | None:
    """The campaign's most recent published run (by the end of its period)."""
    if campaign is None:
        return None
    return (
        ScoreRun.objects.filter(campaign=campaign, status=RunStatus.PUBLISHED)
        .order_by("-period_end", "-published_at", "-pk")
        .first()
    )


def published_ranking_rows(campaign: Campaign | None) -> tuple[RankingRow, ...]:
    """The ranking of the latest published run, as the briefing shows it; () when none.

    Read from the scoreboard the run stored when it was published, so the briefing repeats
    exactly what was announced, whatever has changed in the data since."""
    run = latest_published_run(campaign)
    if run is None:
        return ()
    return ranking_rows(codec.scoreboard_from_dict(run.board))


def published_roll_rows(campaign: Campaign | None) -> tuple[RollRow, ...]:
    """The 红黑榜 of the latest published run; () when none."""
    run = latest_published_run(campaign)
    if run is None:
        return ()
    return roll_rows(codec.roll_from_dict(run.roll))


def published_roll_rules(campaign: Campaign | None) -> tuple[str, ...]:
    """The 红黑榜 rules the latest published run applied, one sentence each; () when none (or
    when the run was published before the rules were configurable)."""
    run = latest_published_run(campaign)
    if run is None:
        return ()
    return codec.roll_from_dict(run.roll).rules_text


def published_period_label(campaign: Campaign | None) -> str:
    run = latest_published_run(campaign)
    return run.period_label if run else ""


def campaign_with_published_run(year: int) -> Campaign | None:
    """For a briefing asked for by year only: the campaign of that year whose published run is
    the most recent."""
    run = (
        ScoreRun.objects.filter(campaign__year=year, status=RunStatus.PUBLISHED)
        .select_related("campaign")
        .order_by("-period_end", "-published_at", "-pk")
        .first()
    )
    return run.campaign if run else None


# ---------------------------------------------------------------------------------------------
# Campaigns and schemes


def campaign_list_for_user(*, user) -> list[Campaign]:
    scope.require(user, Perm.EVALUATION_VIEW)
    return list(campaigns.campaign_list())


def campaign_get_for_user(*, user, campaign_id: int) -> Campaign:
    scope.require(user, Perm.EVALUATION_VIEW)
    return campaigns.campaign_get(campaign_id=campaign_id)


def default_campaign() -> Campaign | None:
    """The campaign the pages open on: the newest running one, else the newest."""
    return campaigns.default_campaign()


def scheme_of(campaign: Campaign) -> ScoringScheme | None:
    return ScoringScheme.objects.filter(campaign=campaign).select_related("updated_by").first()


# ---------------------------------------------------------------------------------------------
# Runs and standings


def _unit_sees_all(user) -> bool:
    return scope.scope_for(user).sees_all_business


def run_list_for_user(*, user, campaign: Campaign) -> QuerySet[ScoreRun]:
    """The campaign's runs: every one for the office and leaders, the shown and published ones
    for a unit."""
    scope.require(user, Perm.EVALUATION_VIEW)
    qs = ScoreRun.objects.filter(campaign=campaign).annotate(
        objection_count=Count("objections", distinct=True),
        unanswered_count=Count(
            "objections", filter=Q(objections__answered_at__isnull=True), distinct=True
        ),
    )
    if not _unit_sees_all(user):
        qs = qs.filter(status__in=[RunStatus.OBJECTION, RunStatus.PUBLISHED])
    return qs.defer("board", "roll", "scheme_config").order_by("-period_end", "period_kind", "-pk")


def run_get_for_user(*, user, run_id: int) -> ScoreRun:
    scope.require(user, Perm.EVALUATION_VIEW)
    try:
        run = ScoreRun.objects.select_related("campaign", "published_by", "window_opened_by").get(
            pk=run_id
        )
    except ScoreRun.DoesNotExist as exc:
        raise NotFound() from exc
    if run.status == RunStatus.DRAFT and not _unit_sees_all(user):
        raise NotFound()  # a draft does not exist for a unit until the office shows it
    return run


@dataclass
class PeerGroupTable:
    group: str
    label: str
    rows: list[Standing]


@dataclass
class Ranking:
    run: ScoreRun
    groups: list[PeerGroupTable]
    sees_all: bool  # the whole ranking (office, leaders, or after publication)
    red: list[Standing] = field(default_factory=list)
    black: list[Standing] = field(default_factory=list)
    own: list[Standing] = field(default_factory=list)
    # The 红黑榜 rules the run applied and what they left out, printed beside the lists.
    rules: tuple[str, ...] = ()
    roll_notes: tuple[str, ...] = ()


def _roll_rules_and_notes(run: ScoreRun) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if not run.roll:
        return (), ()
    draft = codec.roll_from_dict(run.roll)
    notes = tuple(f"{g.label}组：{note}" for g in draft.groups for note in g.notes)
    return draft.rules_text, notes


def ranking_for_user(*, user, run: ScoreRun) -> Ranking:
    """The ranking of ``run`` as the user may see it: everything for the office and leaders and
    once published; before publication a unit sees its own line only. One query."""
    own_ids = scope.scope_for(user).own_unit_ids
    sees_all = _unit_sees_all(user) or run.status == RunStatus.PUBLISHED
    qs = Standing.objects.filter(run=run).defer("explanation").order_by("order")
    if not sees_all:
        qs = qs.filter(unit_id__in=own_ids)
    rows = list(qs)
    sees_every_unit = _unit_sees_all(user)
    for row in rows:
        # the explanation names the unit's figures and tasks: its own unit, or the office
        row.openable = sees_every_unit or row.unit_id in own_ids
    groups: dict[str, PeerGroupTable] = {}
    for row in rows:
        groups.setdefault(row.peer_group, PeerGroupTable(row.peer_group, row.peer_group_label, []))
        groups[row.peer_group].rows.append(row)
    red = sorted((r for r in rows if r.board == RollBoard.RED), key=lambda r: r.order)
    black = sorted(
        (r for r in rows if r.board == RollBoard.BLACK), key=lambda r: (r.peer_group, -r.order)
    )
    rules, roll_notes = _roll_rules_and_notes(run) if sees_all else ((), ())
    return Ranking(
        run=run,
        groups=list(groups.values()),
        sees_all=sees_all,
        red=red if sees_all else [],
        black=black if sees_all else [],
        own=[r for r in rows if r.unit_id in own_ids],
        rules=rules,
        roll_notes=roll_notes,
    )


@dataclass
class StandingDetail:
    run: ScoreRun
    standing: Standing
    explanation: Explanation
    objection: Objection | None


def standing_for_user(*, user, run: ScoreRun, unit_id: int) -> StandingDetail:
    """One unit's standing with its explanation tree down to the data points. A unit reads its
    own; the office and leaders read any (the inputs name the unit's figures and tasks)."""
    scope.require(user, Perm.EVALUATION_VIEW, unit_id)
    try:
        standing = Standing.objects.get(run=run, unit_id=unit_id)
    except Standing.DoesNotExist as exc:
        raise NotFound() from exc
    objection = (
        Objection.objects.filter(run=run, unit_id=unit_id)
        .select_related("lodged_by", "answered_by")
        .first()
    )
    return StandingDetail(run, standing, Explanation.from_dict(standing.explanation), objection)


def objection_queue_for_user(*, user, campaign: Campaign | None = None) -> QuerySet[Objection]:
    """The office's queue: unanswered objections first, oldest first."""
    scope.require(user, Perm.EVALUATION_MANAGE)
    qs = Objection.objects.select_related(
        "run", "run__campaign", "unit", "lodged_by", "answered_by"
    )
    if campaign is not None:
        qs = qs.filter(run__campaign=campaign)
    return qs.order_by(
        models.Case(
            models.When(answered_at__isnull=True, then=0),
            default=1,
            output_field=models.IntegerField(),
        ),
        "lodged_at",
        "pk",
    )


def objection_get_for_user(*, user, objection_id: int) -> Objection:
    scope.require(user, Perm.EVALUATION_MANAGE)
    try:
        return Objection.objects.select_related("run", "unit").get(pk=objection_id)
    except Objection.DoesNotExist as exc:
        raise NotFound() from exc


# ---------------------------------------------------------------------------------------------
# Practices and commendations


def practice_list_for_user(*, user, campaign: Campaign) -> QuerySet[InnovationPractice]:
    """Practices of the campaign: all for the office and leaders, a unit's own for the unit."""
    scope.require(user, Perm.EVALUATION_VIEW)
    qs = InnovationPractice.objects.filter(campaign=campaign).select_related(
        "unit", "submitted_by", "rated_by"
    )
    return scope.filter_by_unit(user, qs).order_by("-practiced_on", "-pk")


def practice_get_for_user(*, user, practice_id: int) -> InnovationPractice:
    scope.require(user, Perm.EVALUATION_VIEW)
    try:
        practice = InnovationPractice.objects.select_related("unit", "campaign").get(pk=practice_id)
    except InnovationPractice.DoesNotExist as exc:
        raise NotFound() from exc
    scope.require(user, Perm.EVALUATION_VIEW, practice.unit_id)
    return practice


def commendation_list_for_user(*, user, campaign: Campaign) -> QuerySet[Commendation]:
    """Commendations are announced: every unit reads them."""
    scope.require(user, Perm.EVALUATION_VIEW)
    return Commendation.objects.filter(campaign=campaign).select_related(
        "unit", "run", "granted_by"
    )


def liaison_units(user) -> list[Unit]:
    """The units the user is liaison of (for the forms a liaison fills in)."""
    ids = scope.scope_for(user).units_with(Role.LIAISON)
    return list(Unit.objects.filter(pk__in=ids, is_active=True).order_by("name"))


@dataclass
class HomeStanding:
    run: ScoreRun
    rows: list[Standing]
    unanswered: int


def home_standing(*, user) -> HomeStanding | None:
    """For the home panel: the latest run the user may see with the user's own units' lines
    (the office: the open objections to answer)."""
    if not scope.can(user, Perm.EVALUATION_VIEW):
        return None
    qs = ScoreRun.objects.defer("board", "roll", "scheme_config").select_related("campaign")
    sees_all = _unit_sees_all(user)
    if not sees_all:
        qs = qs.filter(status__in=[RunStatus.OBJECTION, RunStatus.PUBLISHED])
    run = qs.order_by("-period_end", "-pk").first()
    if run is None:
        return None
    own = scope.scope_for(user).own_unit_ids
    rows = list(Standing.objects.filter(run=run, unit_id__in=own).defer("explanation"))
    unanswered = (
        Objection.objects.filter(answered_at__isnull=True).count()
        if scope.can(user, Perm.EVALUATION_MANAGE)
        else 0
    )
    if not rows and not sees_all:
        return None
    return HomeStanding(run, rows, unanswered)
