"""Figures under the 统计法 (submit once; correct by a new version with a reason and an
approver) and the explanations of red lights."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaimen.audit.services import record
from kaimen.lib import clock
from kaimen.lib.errors import PermissionDenied, StaleVersion, ValidationError
from kaimen.lib.periods import Period
from kaimen.org import scope
from kaimen.org.models import Unit
from kaimen.org.scope import Perm
from kaimen.targets import board_store
from kaimen.targets.models import (
    Actual,
    ActualCorrection,
    CorrectionStatus,
    Explanation,
    Indicator,
    IndicatorKind,
    Provenance,
    Target,
)
from kaimen.targets.permissions import CORRECTION_WITHDRAW, Filing
from kaimen.targets.red_light_jobs import red_lights_check_on_commit
from kaimen.targets.selectors import responsible_unit_id
from kaimen.targets.services.common import (
    _actor_name,
    _require,
    check_amount,
    check_rate,
    check_year,
    figure_snapshot,
)

# ---------------------------------------------------------------------------------------------
# Figures (统计法)

# The refusal every permission check gives, followed by the rule's own reason.
REFUSED = "You do not have permission for this action."


def _check_period(indicator: Indicator, year: int, end_month: int, provenance: str) -> Period:
    year = check_year(year)
    if end_month not in indicator.release_months():
        released = "、".join(Period.cumulative(year, m).label for m in indicator.release_months())
        raise ValidationError(
            _("%(indicator)s is not released for %(period)s; its periods are %(released)s.")
            % {
                "indicator": indicator.name,
                "period": Period.cumulative(year, end_month).label,
                "released": released,
            },
            field="end_month",
        )
    period = Period.cumulative(year, end_month)
    if provenance != Provenance.FORECAST and period.end_date > clock.today():
        raise ValidationError(
            _("%(period)s has not ended yet: only a forecast can be entered for a future period.")
            % {"period": period},
            field="end_month",
        )
    return period


def _check_figure(indicator: Indicator, value: object, growth_pct: object) -> tuple:
    amount = check_amount(value, field="value", negative_ok=indicator.kind == IndicatorKind.GROWTH)
    growth = check_rate(growth_pct, field="growth_pct")
    if amount is None and growth is None:
        raise ValidationError(
            _("Enter the cumulative value, the published growth rate, or both."), field="value"
        )
    return amount, growth


def filing_for(*, indicator: Indicator, unit: Unit, year: int, provenance: str) -> Filing:
    """What ``targets.actual.enter`` judges: the row's unit, the indicator's lead department,
    the source, and whether the unit has a target for the indicator that year or the next."""
    # this year's row, or next year's (last year's figure is the base of this year's target)
    own_row = Target.objects.filter(
        indicator=indicator, unit=unit, year__in=(year, year + 1)
    ).exists()
    return Filing(
        unit_id=unit.pk,
        lead_unit_id=indicator.owner_unit_id,
        provenance=provenance,
        own_row=own_row,
    )


def require_filing(
    actor, *, indicator: Indicator, unit: Unit, year: int, provenance: str, system: bool = False
) -> None:
    """Refuse, saying why and what to do instead, a figure the actor may not file or correct:
    统计局正式 only from the statistics bureau (or the office's import), 部门快报 only for the
    indicators the actor's unit leads and for its own unit's rows."""
    if system and actor is None:
        return
    filing = filing_for(indicator=indicator, unit=unit, year=year, provenance=provenance)
    if scope.can(actor, Perm.ACTUAL_ENTER, filing):
        return
    if provenance == Provenance.OFFICIAL:
        message = _(
            "Official figures (统计局正式) come only from the statistics bureau, or from the "
            "campaign office's import of the bureau's workbook. Choose 部门快报 as the source."
        )
        code = "official_only_statistics"
    else:
        lead = indicator.owner_unit.name if indicator.owner_unit_id else _("no department")
        message = _(
            "You may not file %(indicator)s for %(unit)s: your unit does not lead this "
            "indicator (its lead department is %(lead)s) and %(unit)s is not your unit with a "
            "target for it in %(year)s. A liaison files 部门快报 for the indicators its unit "
            "leads and for its own unit's targets."
        ) % {"unit": unit.name, "indicator": indicator.name, "lead": lead, "year": year}
        code = "not_your_row"
    raise PermissionDenied(f"{_(REFUSED)} {message}", code=code, target=unit.pk)


def actual_submit(
    *,
    actor,
    indicator: Indicator,
    unit: Unit,
    year: int,
    end_month: int,
    value: object = None,
    growth_pct: object = None,
    provenance: str = Provenance.FLASH,
    source_ref: str = "",
    system: bool = False,
) -> Actual:
    """Submit a figure. Once submitted it can only be corrected, never overwritten."""
    if provenance not in Provenance.values:
        raise ValidationError(_("Unknown source."), field="provenance")
    require_filing(
        actor, indicator=indicator, unit=unit, year=year, provenance=provenance, system=system
    )
    _check_period(indicator, year, end_month, provenance)
    amount, growth = _check_figure(indicator, value, growth_pct)
    exists = Actual.objects.filter(
        indicator=indicator, unit=unit, year=year, end_month=end_month, provenance=provenance
    ).exists()
    refusal = ValidationError(
        _(
            "This figure has been submitted already. A submitted figure is never changed in "
            "place: request a correction with a reason, to be approved by the campaign office."
        ),
        field="value",
        code="already_submitted",
    )
    if exists:
        raise refusal
    try:
        with transaction.atomic():
            actual = Actual.objects.create(
                indicator=indicator,
                unit=unit,
                year=year,
                end_month=end_month,
                provenance=provenance,
                version=1,
                value=amount,
                growth_pct=growth,
                entered_by=actor,
                entered_at=clock.now(),
                source_ref=source_ref[:120],
            )
            record(
                actor=actor,
                actor_name=_actor_name(actor, system, "kaimen targets"),
                action="targets.actual.submit",
                obj=actual,
                after=figure_snapshot(actual),
            )
            red_lights_check_on_commit(year=year, end_month=end_month, indicator_id=indicator.pk)
    except IntegrityError as exc:  # submitted by someone else a moment ago
        raise refusal from exc
    return actual


def _is_current(actual: Actual) -> bool:
    return not Actual.objects.filter(
        indicator_id=actual.indicator_id,
        unit_id=actual.unit_id,
        year=actual.year,
        end_month=actual.end_month,
        provenance=actual.provenance,
        version__gt=actual.version,
    ).exists()


def correction_request(
    *,
    actor,
    actual: Actual,
    value: object = None,
    growth_pct: object = None,
    reason: str,
    batch=None,
    system: bool = False,
) -> ActualCorrection:
    """Ask for a figure to be corrected. Nothing changes until the office approves; until then
    the requester may take the request back (``correction_withdraw``) and ask again."""
    require_filing(
        actor,
        indicator=actual.indicator,
        unit=actual.unit,
        year=actual.year,
        provenance=actual.provenance,
        system=system,
    )
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError(
            _("Say why the figure must change (统计法: every correction has a reason)."),
            field="reason",
        )
    amount, growth = _check_figure(actual.indicator, value, growth_pct)
    if not _is_current(actual):
        raise StaleVersion(_("This figure has a newer version; correct the newest one."))
    if (amount, growth) == (actual.value, actual.growth_pct):
        raise ValidationError(
            _("The corrected figure is the same as the current one."), field="value"
        )
    if actual.corrections.filter(status=CorrectionStatus.PENDING).exists():
        raise ValidationError(
            _("A correction of this figure is already waiting for approval."), field="value"
        )
    with transaction.atomic():
        correction = ActualCorrection.objects.create(
            actual=actual,
            value=amount,
            growth_pct=growth,
            reason=reason[:2000],
            requested_by=actor,
            requested_at=clock.now(),
            batch=batch,
        )
        record(
            actor=actor,
            actor_name=_actor_name(actor, system, "kaimen targets import"),
            action="targets.correction.request",
            obj=actual,
            before=figure_snapshot(actual),
            after={"value": amount, "growth_pct": growth},
            message=reason[:300],
        )
    return correction


def correction_approve(*, actor, correction: ActualCorrection, note: str = "") -> Actual:
    """Approve a correction: the figure's next version, with the reason and both names."""
    _require(actor, Perm.ACTUAL_APPROVE, correction)
    with transaction.atomic():
        locked = ActualCorrection.objects.select_for_update().get(pk=correction.pk)
        if locked.status != CorrectionStatus.PENDING:
            raise StaleVersion(_("This correction has been decided already."))
        base = Actual.objects.select_related("indicator", "unit").get(pk=locked.actual_id)
        if not _is_current(base):
            raise StaleVersion(_("The figure has changed since the correction was requested."))
        now = clock.now()
        try:
            with transaction.atomic():
                new = Actual.objects.create(
                    indicator=base.indicator,
                    unit=base.unit,
                    year=base.year,
                    end_month=base.end_month,
                    provenance=base.provenance,
                    version=base.version + 1,
                    value=locked.value,
                    growth_pct=locked.growth_pct,
                    supersedes=base,
                    reason=locked.reason,
                    entered_by_id=locked.requested_by_id,
                    entered_at=locked.requested_at,
                    approved_by=actor,
                    approved_at=now,
                    batch=locked.batch,
                    source_ref=base.source_ref,
                )
        except IntegrityError as exc:
            raise StaleVersion(
                _("The figure has changed since the correction was requested.")
            ) from exc
        ActualCorrection.objects.filter(pk=locked.pk).update(
            status=CorrectionStatus.APPROVED,
            decided_by=actor,
            decided_at=now,
            decision_note=note.strip()[:300],
            result=new,
            version=locked.version + 1,
        )
        record(
            actor=actor,
            action="targets.correction.approve",
            obj=new,
            before=figure_snapshot(base),
            after=figure_snapshot(new)
            | {"requested_by": locked.requested_by_id, "approved_by": actor.pk},
            message=locked.reason[:300],
        )
        red_lights_check_on_commit(
            year=base.year, end_month=base.end_month, indicator_id=base.indicator_id
        )
    correction.refresh_from_db()
    return new


def correction_reject(*, actor, correction: ActualCorrection, note: str) -> ActualCorrection:
    _require(actor, Perm.ACTUAL_APPROVE, correction)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say why the correction is rejected."), field="note")
    with transaction.atomic():
        updated = ActualCorrection.objects.filter(
            pk=correction.pk, status=CorrectionStatus.PENDING
        ).update(
            status=CorrectionStatus.REJECTED,
            decided_by=actor,
            decided_at=clock.now(),
            decision_note=note[:300],
        )
        if updated != 1:
            raise StaleVersion(_("This correction has been decided already."))
        record(
            actor=actor,
            action="targets.correction.reject",
            obj=correction.actual,
            message=note[:300],
        )
    correction.refresh_from_db()
    return correction


def correction_withdraw(*, actor, correction: ActualCorrection) -> ActualCorrection:
    """The requester takes back a correction the office has not decided yet (a wrong number
    typed, a better one to send): the figure is unchanged and a new request can follow."""
    if correction.status != CorrectionStatus.PENDING:
        raise StaleVersion(
            _("This correction has been decided already and can no longer be withdrawn.")
        )
    if not scope.can(actor, CORRECTION_WITHDRAW, correction):
        raise PermissionDenied(
            f"{_(REFUSED)} {_('Only the person who requested a correction can withdraw it.')}",
            code=CORRECTION_WITHDRAW,
            target=correction.actual,
        )
    with transaction.atomic():
        updated = ActualCorrection.objects.filter(
            pk=correction.pk, status=CorrectionStatus.PENDING
        ).update(
            status=CorrectionStatus.WITHDRAWN,
            decided_by=actor,
            decided_at=clock.now(),
            version=correction.version + 1,
        )
        if updated != 1:
            raise StaleVersion(
                _("This correction has been decided already and can no longer be withdrawn.")
            )
        record(
            actor=actor,
            action="targets.correction.withdraw",
            obj=correction.actual,
            after={"value": correction.value, "growth_pct": correction.growth_pct},
            message=correction.reason[:300],
        )
    correction.refresh_from_db()
    return correction


# ---------------------------------------------------------------------------------------------
# Explanations of red lights (说明)


def explanation_write(
    *, actor, target: Target, end_month: int, text: str, light: str = ""
) -> Explanation:
    """The answerable unit explains a light (the briefing shows the latest explanation)."""
    _require(actor, Perm.LIGHT_EXPLAIN, responsible_unit_id(target))
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError(
            _("Write what happened and what the unit is doing about it."), field="text"
        )
    if not 1 <= int(end_month) <= 12:
        raise ValidationError(_("Unknown period."), field="end_month")
    with transaction.atomic():
        explanation = Explanation.objects.create(
            indicator=target.indicator,
            unit=target.unit,
            year=target.year,
            end_month=end_month,
            text=text[:4000],
            light=light[:10],
            author=actor,
            author_unit_id=responsible_unit_id(target),
            created_at=clock.now(),
        )
        record(
            actor=actor,
            action="targets.explanation.write",
            obj=explanation,
            unit=target.unit,
            after={"period": end_month, "light": light, "text": text[:200]},
        )
        board_store.sync_after_write(target.year)
    return explanation
