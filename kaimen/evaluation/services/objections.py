"""Objections (申诉) to a draft standing, the office's answers, and commendations (表彰)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kaimen.audit.services import record
from kaimen.campaigns.models import Campaign
from kaimen.evaluation import codec
from kaimen.evaluation.honour_roll import person_citation, unit_citation
from kaimen.evaluation.models import (
    Commendation,
    CommendationKind,
    Objection,
    ObjectionOutcome,
    RunStatus,
    ScoreRun,
)
from kaimen.evaluation.services.common import clean_text
from kaimen.evaluation.services.runs import recompute_in_place
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm


def objection_lodge(*, actor, run: ScoreRun, unit: Unit, text: str) -> Objection:
    """申诉: the unit's liaison objects to the unit's own standing, while the window is open.
    One objection per unit and run, saying everything at once."""
    scope.require(actor, Perm.EVALUATION_OBJECT, unit.pk)
    text = clean_text(text, field="text")
    today = clock.today()
    window = run.window
    if run.status != RunStatus.OBJECTION or window is None:
        if run.status == RunStatus.PUBLISHED:
            raise ValidationError(
                f"{run.period_label}的考核结果已发布，申诉期已结束；如有意见请直接联系调度办。",
                field="text",
            )
        raise ValidationError(
            f"{run.period_label}的结果尚未公示，还不能申诉；调度办开放申诉期后即可提出。",
            field="text",
        )
    if not window.is_open(today):
        raise ValidationError(
            f"申诉期已于{window.closes_on:%Y年%m月%d日}结束，不能再提出申诉；如有意见请直接联系调度办。",
            field="text",
        )
    if not run.standings.filter(unit=unit).exists():
        raise ValidationError(f"“{unit.name}”不在{run.period_label}的考核名单中。", field="text")
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                run=run, unit=unit, text=text, lodged_by=actor, lodged_at=clock.now()
            )
            record(
                actor=actor,
                action="evaluation.objection.lodge",
                obj=objection,
                unit=unit,
                after={"run": run.pk, "period": run.period_label, "text": text},
            )
    except IntegrityError:
        raise ValidationError(
            f"“{unit.name}”已对{run.period_label}的结果提出过申诉，每期每单位一次；"
            "如需补充，请直接联系调度办。",
            field="text",
        ) from None
    return objection


def objection_answer(
    *, actor, objection: Objection, answer: str, outcome: str, recompute: bool = False
) -> Objection:
    """The office answers an objection: upheld or rejected, with its reasons. ``recompute``
    computes the run again from the current data in the same step (after the office has
    corrected what the objection pointed at), so the answer and the new scores go together."""
    scope.require(actor, Perm.EVALUATION_MANAGE)
    answer = clean_text(answer, field="answer")
    if outcome not in (ObjectionOutcome.UPHELD, ObjectionOutcome.REJECTED):
        raise ValidationError("请选择申诉的处理结果：成立或不成立。", field="outcome")
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update().select_related("run", "unit").get(pk=objection.pk)
        )
        if locked.answered_at is not None:
            raise ValidationError("这件申诉已经答复过了。", field="answer")
        run = ScoreRun.objects.select_for_update().select_related("campaign").get(pk=locked.run_id)
        if run.status == RunStatus.PUBLISHED:
            raise ValidationError(f"{run.period_label}的结果已发布，不能再答复申诉。")
        change = {}
        if recompute:
            before_total = run.standings.filter(unit=locked.unit).values_list("total", flat=True)
            old = before_total.first()
            recompute_in_place(run, actor=actor)
            new = run.standings.filter(unit=locked.unit).values_list("total", flat=True).first()
            change = {"recomputed": True, "total_before": old, "total_after": new}
        locked.answer = answer
        locked.outcome = outcome
        locked.answered_by = actor
        locked.answered_at = clock.now()
        locked.save(update_fields=["answer", "outcome", "answered_by", "answered_at"])
        record(
            actor=actor,
            action="evaluation.objection.answer",
            obj=locked,
            unit=locked.unit,
            after={"run": run.pk, "outcome": outcome, "answer": answer, **change},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Commendations


def commendation_grant(
    *,
    actor,
    campaign: Campaign,
    kind: str,
    unit: Unit,
    citation: str = "",
    person_name: str = "",
    deeds: str = "",
    run: ScoreRun | None = None,
    period_label: str = "",
) -> Commendation:
    """先进单位 / 先进个人 with a citation. With a published run, a unit on its red list gets
    the citation drafted from its standing when the office leaves the text empty; a person's
    citation is drafted from the deeds the office enters."""
    scope.require(actor, Perm.EVALUATION_MANAGE)
    if kind not in CommendationKind.values:
        raise ValidationError("请选择表彰类别：先进单位或先进个人。", field="kind")
    if run is not None:
        if run.campaign_id != campaign.pk:
            raise ValidationError("所选考核期不属于本战役。", field="run")
        if run.status != RunStatus.PUBLISHED:
            raise ValidationError(
                f"{run.period_label}的考核结果尚未发布：表彰以发布的结果为依据，请发布后再表彰。",
                field="run",
            )
        period_label = run.period_label
    period_label = clean_text(period_label, field="period_label", max_len=40)
    citation = clean_text(citation, field="citation", required=False)
    person_name = clean_text(person_name, field="person_name", max_len=30, required=False)
    if kind == CommendationKind.UNIT:
        person_name = ""
        if not citation:
            entry = None
            if run is not None:
                roll = codec.roll_from_dict(run.roll)
                entry = next(
                    (e for g in roll.groups for e in g.red if e.unit == str(unit.pk)), None
                )
            if entry is None:
                raise ValidationError(
                    f"“{unit.name}”不在所选考核期的红榜上，系统无法起草表彰词：请填写表彰词。",
                    field="citation",
                )
            citation = unit_citation(entry, campaign=campaign.name, period=period_label).citation
    else:
        if not person_name:
            raise ValidationError("请填写先进个人的姓名。", field="person_name")
        if not citation:
            deeds = clean_text(deeds, field="deeds", required=False)
            citation = person_citation(
                name=person_name,
                unit=str(unit.pk),
                unit_name=unit.name,
                deeds=deeds,
                campaign=campaign.name,
            ).citation
    with transaction.atomic():
        commendation = Commendation.objects.create(
            campaign=campaign,
            run=run,
            period_label=period_label,
            kind=kind,
            unit=unit,
            person_name=person_name,
            citation=citation,
            granted_by=actor,
            granted_at=clock.now(),
        )
        record(
            actor=actor,
            action="evaluation.commendation.grant",
            obj=commendation,
            unit=unit,
            after={
                "campaign": campaign.pk,
                "run": run.pk if run else None,
                "kind": kind,
                "person_name": person_name,
                "period": period_label,
                "citation": citation,
            },
        )
    return commendation
