"""Score runs: compute a period's draft, show it to the units (the objection window), publish.

draft → objection window → published. A draft may be computed again as often as the office
likes (it replaces itself, and so may a run whose window is open, e.g. after an objection was
upheld and a figure corrected); a published run is frozen — what was announced stays announced.
Publication needs the window to have closed and every objection answered
(``honour_roll.publication_blockers``) and an explicit confirmation, whichever door the request
comes through (page, API, command).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse

from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.evaluation import codec, metrics, notices
from kaimen.evaluation.honour_roll import (
    HonourRollDraft,
    draft_honour_roll,
    objection_window,
    publication_blockers,
)
from kaimen.evaluation.models import (
    Objection,
    PeriodKind,
    RollBoard,
    RunStatus,
    ScoreRun,
    ScoringScheme,
    Standing,
)
from kaimen.evaluation.scoring import PEER_GROUP_LABELS, Scoreboard, UnitRef, score_period
from kaimen.evaluation.services.common import (
    PeriodSpan,
    last_complete_period_day,
    period_span,
    scored_units,
)
from kaimen.lib import clock, official_calendar
from kaimen.lib.errors import KaimenError, ValidationError
from kaimen.org import scope
from kaimen.org.scope import Perm

logger = logging.getLogger(__name__)
SYSTEM_ACTOR_NAME = "kaimen evaluation score"
RUN_FIELDS = ["status", "period_label", "window_shown_on", "window_closes_on", "published_at"]


def _scheme_of(campaign: Campaign) -> ScoringScheme:
    scheme = ScoringScheme.objects.filter(campaign=campaign).first()
    if scheme is None:
        raise ValidationError(
            f"战役“{campaign.name}”还没有考核方案：请调度办先在“考核方案”页设置维度、指标和权重。",
            field="scheme",
        )
    return scheme


def _stored_scheme(scheme: ScoringScheme) -> dict:
    return {
        "scheme": scheme.config,
        "peer_groups": list(scheme.peer_groups),
        "excluded_unit_ids": list(scheme.excluded_unit_ids or []),
        "top_k": scheme.top_k,
        "bottom_k": scheme.bottom_k,
        "roll_rules": codec.encode(scheme.roll_rules),
        "objection_workdays": scheme.objection_workdays,
        "version": scheme.version,
    }


def _previous_published(campaign: Campaign, kind: str, before: date) -> ScoreRun | None:
    """Movement is measured against the ranking the units last saw published."""
    return (
        ScoreRun.objects.filter(
            campaign=campaign, period_kind=kind, status=RunStatus.PUBLISHED, period_end__lt=before
        )
        .order_by("-period_end", "-pk")
        .first()
    )


@dataclass(frozen=True)
class Computed:
    board: Scoreboard
    roll: HonourRollDraft
    notes: tuple[str, ...]
    previous: ScoreRun | None
    scheme: dict


def compute(campaign: Campaign, span: PeriodSpan, *, today: date) -> Computed:
    """Read the data, score, rank and draft the 红黑榜 (nothing is written)."""
    record_ = _scheme_of(campaign)
    scheme = codec.scheme_from_dict(record_.config)
    units = scored_units(record_)
    ctx = metrics.PeriodContext(
        campaign=campaign,
        start=span.start,
        end=span.end,
        today=today,
        units={u.pk: u for u in units},
    )
    collected = metrics.collect(ctx, [m.code for m in scheme.metrics])
    previous = _previous_published(campaign, span.kind, span.start)
    board = score_period(
        scheme,
        period=span.label,
        units=[UnitRef(str(u.pk), u.name, u.kind) for u in units],
        data=collected.points,
        previous=codec.scoreboard_from_dict(previous.board) if previous else None,
        peer_group_labels=PEER_GROUP_LABELS,
    )
    roll = draft_honour_roll(board, rules=record_.roll_rules)
    return Computed(board, roll, collected.notes + board.notes, previous, _stored_scheme(record_))


def _standings(run: ScoreRun, board: Scoreboard, roll: HonourRollDraft) -> list[Standing]:
    on_roll: dict[str, tuple[str, str]] = {}
    for g in roll.groups:
        for entry in g.red:
            on_roll[entry.unit] = (RollBoard.RED, entry.reason)
        for entry in g.black:
            on_roll[entry.unit] = (RollBoard.BLACK, entry.reason)
    rows = []
    order = 0
    for g in board.groups:
        for u in g.units:
            by_dim: dict[str, Decimal | None] = {d.dimension.value: d.points for d in u.dimensions}
            board_kind, reason = on_roll.get(u.unit, (RollBoard.NONE, ""))
            rows.append(
                Standing(
                    run=run,
                    unit_id=int(u.unit),
                    unit_name=u.name,
                    peer_group=g.group,
                    peer_group_label=g.label,
                    total=u.total,
                    speed=by_dim.get("speed"),
                    quality=by_dim.get("quality"),
                    innovation=by_dim.get("innovation"),
                    rank=u.rank,
                    peers=u.peers,
                    tied=u.tied,
                    previous_rank=u.previous_rank,
                    movement=u.movement,
                    limited=u.limited,
                    held_off_top=u.held_off_top,
                    board=board_kind,
                    board_reason=reason[:300],
                    order=order,
                    explanation=u.explanation.to_dict(),
                )
            )
            order += 1
    return rows


def store(run: ScoreRun, computed: Computed, *, actor) -> None:
    """Write a computation into ``run`` (saved) and replace its standings."""
    run.scheme_config = computed.scheme
    run.board = codec.scoreboard_to_dict(computed.board)
    run.roll = codec.roll_to_dict(computed.roll)
    run.notes = list(computed.notes)
    run.previous = computed.previous
    run.computed_at = clock.now()
    run.computed_by = actor if getattr(actor, "pk", None) else None
    run.version += 1
    run.save()
    run.standings.all().delete()
    Standing.objects.bulk_create(_standings(run, computed.board, computed.roll))


def _summary(computed: Computed) -> dict:
    ranked = [u for u in computed.board.units if u.rank is not None]
    return {
        "units": len(computed.board.units),
        "ranked": len(ranked),
        "limited": sum(1 for u in ranked if u.limited),
        "notes": list(computed.notes),
    }


def run_compute(
    *,
    actor,
    campaign: Campaign,
    period_kind: str,
    day: date,
    system: bool = False,
    replace: bool = True,
) -> ScoreRun:
    """Compute the draft of the week or month containing ``day``.

    ``replace``: compute an existing draft (or open window) again; the scheduled job passes
    False and leaves a run that is already there alone. ``system``: the command line or the job,
    audited under the system's name; nobody confirms anything by computing."""
    if not system:
        scope.require(actor, Perm.EVALUATION_MANAGE)
    span = period_span(period_kind, day)
    today = clock.today()
    if span.start > today:
        raise ValidationError(f"{span.label}还没有开始，不能计算得分。", field="day")
    if span.end < campaign.start or span.start > campaign.end:
        raise ValidationError(
            f"{span.label}（{span.start:%Y-%m-%d}至{span.end:%Y-%m-%d}）不在战役“{campaign.name}”"
            f"的期间（{campaign.start:%Y-%m-%d}至{campaign.end:%Y-%m-%d}）内，请另选日期。",
            field="day",
        )
    name = SYSTEM_ACTOR_NAME if system else None
    try:
        with transaction.atomic():
            run = (
                ScoreRun.objects.select_for_update()
                .filter(campaign=campaign, period_kind=span.kind, period_start=span.start)
                .first()
            )
            if run is not None and run.status == RunStatus.PUBLISHED:
                raise ValidationError(
                    f"{run.period_label}的考核结果已于{run.published_at:%Y-%m-%d}发布，不能重新计算："
                    "已发布的排名是对外公布的记录，不随数据的后续更正而改变。",
                    field="day",
                )
            if run is not None and not replace:
                return run
            computed = compute(campaign, span, today=today)
            replaced = run is not None
            before = {"status": run.status, "version": run.version} if run is not None else None
            if run is None:
                run = ScoreRun(
                    campaign=campaign,
                    period_kind=span.kind,
                    period_label=span.label,
                    period_start=span.start,
                    period_end=span.end,
                    version=0,
                )
            store(run, computed, actor=actor)
            record(
                actor=actor,
                action="evaluation.run.compute",
                obj=run,
                before=before,
                after={
                    "campaign": campaign.pk,
                    "period": span.label,
                    "status": run.status,
                    "replaced": replaced,
                    **_summary(computed),
                },
                actor_name=name,
            )
    except IntegrityError:
        # the job and the office computed the same new period at once: the other one won
        run = ScoreRun.objects.get(
            campaign=campaign, period_kind=span.kind, period_start=span.start
        )
    return run


def run_compute_scheduled(*, today: date | None = None) -> list[ScoreRun]:
    """The morning job: on Mondays last week's draft, on the 1st of a month last month's, for
    every running campaign with a scheme whose dates the period touches. Existing runs are left
    as they are; a campaign whose computation fails is logged and skipped, the others go on."""
    today = today or clock.today()
    kinds = [
        k
        for k, due in ((PeriodKind.WEEK, today.weekday() == 0), (PeriodKind.MONTH, today.day == 1))
        if due
    ]
    runs: list[ScoreRun] = []
    if not kinds:
        return runs
    campaigns = Campaign.objects.filter(
        status=CampaignStatus.ACTIVE, evaluation_scheme__isnull=False
    ).order_by("pk")
    for campaign in campaigns:
        for kind in kinds:
            span = period_span(kind, last_complete_period_day(kind, today))
            if span.end < campaign.start or span.start > campaign.end:
                continue
            try:
                runs.append(
                    run_compute(
                        actor=None,
                        campaign=campaign,
                        period_kind=kind,
                        day=span.start,
                        system=True,
                        replace=False,
                    )
                )
            except KaimenError as exc:
                logger.warning(
                    "scheduled %s draft of campaign %s failed: %s", kind, campaign.pk, exc
                )
    return runs


def run_open_objections(*, actor, run: ScoreRun) -> ScoreRun:
    """Show the draft to the units: each sees its own standing and formula and may object
    within the scheme's number of working days (counted on the official calendar)."""
    scope.require(actor, Perm.EVALUATION_MANAGE)
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RunStatus.DRAFT:
            raise ValidationError(
                f"{locked.period_label}的结果已经{locked.get_status_display()}，不能再次开放申诉期。"
            )
        today = clock.today()
        cal = official_calendar.load()
        workdays = int(locked.scheme_config.get("objection_workdays", 5))
        window = objection_window(
            today, workdays=workdays, overrides=cal.overrides, complete_years=cal.complete_years
        )
        locked.status = RunStatus.OBJECTION
        locked.window_opened_at = clock.now()
        locked.window_opened_by = actor
        locked.window_shown_on = window.shown_on
        locked.window_closes_on = window.closes_on
        locked.window_workdays = window.workdays
        locked.version += 1
        locked.save()
        record(
            actor=actor,
            action="evaluation.run.open_objections",
            obj=locked,
            before={"status": RunStatus.DRAFT},
            after={
                "status": locked.status,
                "shown_on": window.shown_on,
                "closes_on": window.closes_on,
                "workdays": window.workdays,
            },
            message=window.text,
        )
    return locked


def blockers_of(run: ScoreRun, *, today: date) -> tuple[str, ...]:
    """Why ``run`` may not be published today (empty: it may)."""
    if run.status == RunStatus.PUBLISHED:
        return (f"{run.period_label}的考核结果已经发布。",)
    window = run.window
    if run.status == RunStatus.DRAFT or window is None:
        return (
            "本期结果还没有向各单位公示：请先开放申诉期，让每个单位看到本单位的得分和计算过程，"
            "申诉期结束并答复全部申诉后再发布。",
        )
    unanswered = Objection.objects.filter(run=run, answered_at__isnull=True).count()
    return publication_blockers(window, today=today, unanswered_objections=unanswered)


def run_publish(*, actor, run: ScoreRun, confirm: bool) -> ScoreRun:
    """The office confirms and publishes. Refused while the window is open or objections are
    unanswered, and without an explicit confirmation."""
    scope.require(actor, Perm.EVALUATION_MANAGE)
    if confirm is not True:
        raise ValidationError(
            "发布前请确认：勾选“已核对本期排名和红黑榜，确认发布”后再提交。发布后结果不再改变。",
            field="confirm",
            code="confirmation_required",
        )
    with transaction.atomic():
        locked = ScoreRun.objects.select_for_update().get(pk=run.pk)
        blockers = blockers_of(locked, today=clock.today())
        if blockers:
            raise ValidationError("不能发布：" + "".join(blockers), field="confirm", code="blocked")
        before = {"status": locked.status, "version": locked.version}
        locked.status = RunStatus.PUBLISHED
        locked.published_at = clock.now()
        locked.published_by = actor
        locked.version += 1
        locked.save()
        record(
            actor=actor,
            action="evaluation.run.publish",
            obj=locked,
            before=before,
            after={
                "status": locked.status,
                "period": locked.period_label,
                "red": [s.unit_name for s in locked.standings.filter(board=RollBoard.RED)],
                "black": [s.unit_name for s in locked.standings.filter(board=RollBoard.BLACK)],
            },
        )
        # Leaders, the office and every ranked unit's liaisons are told in this transaction;
        # robots and e-mail follow after the commit.
        notices.ranking_published(
            title=f"{locked.period_label}考核排名已发布",
            summary=(
                f"“{locked.campaign.name}”{locked.period_label}的考核排名和红黑榜已经调度办确认发布，"
                "各单位可查看本单位得分及计算依据。"
            ),
            link=reverse("evaluation:run_detail", args=[locked.pk]),
            unit_ids=sorted(set(locked.standings.values_list("unit_id", flat=True))),
            dedupe_key=f"ranking:{locked.pk}",
        )
    return locked


def recompute_in_place(run: ScoreRun, *, actor) -> Computed:
    """Compute an unpublished run again within the caller's transaction (no audit event of its
    own: the caller's event says why)."""
    if run.status == RunStatus.PUBLISHED:
        raise ValidationError(f"{run.period_label}的考核结果已发布，不能重新计算。")
    span = PeriodSpan(run.period_kind, run.period_start, run.period_end, run.period_label)
    computed = compute(run.campaign, span, today=clock.today())
    store(run, computed, actor=actor)
    return computed


__all__ = [
    "PeriodKind",
    "blockers_of",
    "compute",
    "recompute_in_place",
    "run_compute",
    "run_compute_scheduled",
    "run_open_objections",
    "run_publish",
]
