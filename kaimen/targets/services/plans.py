"""The indicator catalogue, targets and their plans, splits down the unit tree and onto
projects."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from kaimen.audit.services import record
from kaimen.lib.errors import ValidationError
from kaimen.lib.periods import Period
from kaimen.lib.text import clean_name
from kaimen.lib.versioning import save_versioned, snapshot
from kaimen.org.models import Unit, UnitKind
from kaimen.org.scope import Perm
from kaimen.targets import board_store
from kaimen.targets import decomposition as dec
from kaimen.targets.models import (
    Frequency,
    Indicator,
    IndicatorKind,
    PlanMethod,
    PlanValue,
    Project,
    ProjectAllocation,
    SplitBasis,
    Target,
    Tier,
)
from kaimen.targets.monitoring import LightRule
from kaimen.targets.selectors import figure_map, history_of, plain
from kaimen.targets.services.common import (
    INDICATOR_FIELDS,
    TARGET_FIELDS,
    _actor_name,
    _require,
    check_amount,
    check_rate,
    check_year,
)

# ---------------------------------------------------------------------------------------------
# The indicator catalogue


def _check_indicator(data: Mapping) -> None:
    try:
        LightRule(
            green_within_pts=Decimal(data["green_within_pts"]),
            yellow_within_pts=Decimal(data["yellow_within_pts"]),
        )
    except ValidationError as exc:
        raise ValidationError(exc.message, field="yellow_within_pts") from exc
    if (
        data.get("kind") in (IndicatorKind.GROWTH, IndicatorKind.RATIO)
        and data.get("light_basis") == "completion"
    ):
        raise ValidationError(
            _("A rate or ratio has no cumulative completion: judge its light on growth or level."),
            field="light_basis",
        )


def indicator_create(*, actor, system: bool = False, **fields) -> Indicator:
    _require(actor, Perm.TARGETS_MANAGE, system=system)
    fields["name"] = clean_name(fields["name"], 60, field="name")
    fields.setdefault("green_within_pts", Decimal(0))
    fields.setdefault("yellow_within_pts", Decimal(5))
    _check_indicator(fields)
    if Indicator.objects.filter(code=fields["code"]).exists():
        raise ValidationError(_("An indicator with this code exists already."), field="code")
    if Indicator.objects.filter(name=fields["name"]).exists():
        raise ValidationError(_("An indicator with this name exists already."), field="name")
    with transaction.atomic():
        indicator = Indicator.objects.create(**fields)
        record(
            actor=actor,
            actor_name=_actor_name(actor, system, "kaimen targets"),
            action="targets.indicator.create",
            obj=indicator,
            after=snapshot(indicator, INDICATOR_FIELDS),
        )
    return indicator


def indicator_update(*, actor, indicator: Indicator, expected_version: int, **changes) -> Indicator:
    _require(actor, Perm.TARGETS_MANAGE)
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here."))
    if "name" in changes:
        changes["name"] = clean_name(changes["name"], 60, field="name")
        if Indicator.objects.filter(name=changes["name"]).exclude(pk=indicator.pk).exists():
            raise ValidationError(_("An indicator with this name exists already."), field="name")
    if "code" in changes and changes["code"] != indicator.code:
        # Figures, targets and remembered workbook layouts refer to the code.
        raise ValidationError(_("An indicator's code cannot change."), field="code")
    merged = {name: getattr(indicator, name) for name in INDICATOR_FIELDS} | changes
    _check_indicator(merged)
    before = snapshot(indicator, INDICATOR_FIELDS)
    for name, value in changes.items():
        setattr(indicator, name, value)
    with transaction.atomic():
        save_versioned(indicator, expected_version=expected_version, fields=list(changes))
        record(
            actor=actor,
            action="targets.indicator.update",
            obj=indicator,
            before=before,
            after=snapshot(indicator, INDICATOR_FIELDS),
        )
        board_store.sync_after_write()  # every stored year
    return indicator


# ---------------------------------------------------------------------------------------------
# Targets and their plans


def _last_year_value(indicator: Indicator, unit_id: int, year: int) -> Decimal | None:
    figures = figure_map(indicator_ids=[indicator.pk], unit_ids=[unit_id], years=[year - 1])
    actual = figures.get((indicator.pk, unit_id, year - 1, 12))
    return actual.value if actual is not None else None


def _decomposes(indicator: Indicator) -> bool:
    # Rates and ratios are judged on their level, not on a cumulative curve.
    return indicator.kind in (IndicatorKind.AMOUNT, IndicatorKind.COUNT)


def _replan(
    target: Target,
    method: str,
    *,
    shares_pct: Mapping[str, Decimal] | None = None,
    history_unit_id: int | None = None,
) -> dec.Plan | None:
    """Replace the target's plan values by a fresh decomposition (plans are not figures)."""
    indicator = target.indicator
    PlanValue.objects.filter(target=target).delete()
    if target.value is None or not _decomposes(indicator):
        target.plan_notes = ""
        if target.value is None and _decomposes(indicator):
            target.plan_notes = _(
                "No plan curve: the target has a growth rate but no value, because last "
                "year's actual is missing."
            )
        Target.objects.filter(pk=target.pk).update(plan_notes=target.plan_notes)
        return None
    if indicator.frequency == Frequency.YEARLY:
        plan = dec.Plan(
            target.year,
            target.value,
            dec.Method.EVEN,
            (dec.PlanPoint(Period.cumulative(target.year, 12), Decimal(1), target.value),),
        )
    else:
        plan = _plan(target, method, shares_pct=shares_pct, history_unit_id=history_unit_id)
    PlanValue.objects.bulk_create(
        PlanValue(target=target, end_month=p.period.end_month, value=p.value, share=p.share)
        for p in plan.points
    )
    target.method = method
    target.plan_notes = "\n".join(plan.notes)
    Target.objects.filter(pk=target.pk).update(method=method, plan_notes=target.plan_notes)
    return plan


def amount_of(target: Target) -> Decimal:
    """The target value at the indicator's precision (1100.0000 in the database is 1100.00)."""
    assert target.value is not None
    quantum = target.indicator.quantum
    exact = target.value.quantize(quantum)
    return exact if exact == target.value else plain(target.value)


def _plan(
    target: Target,
    method: str,
    *,
    shares_pct: Mapping[str, Decimal] | None,
    history_unit_id: int | None,
) -> dec.Plan:
    indicator = target.indicator

    def decompose(history) -> dec.Plan:
        return dec.decompose(
            method=dec.Method(method),
            year=target.year,
            target=amount_of(target),
            merged_jan_feb=indicator.merged_jan_feb,
            quarterly_only=indicator.quarterly_only,
            history=history or None,
            shares_pct=shares_pct,
        )

    if method != PlanMethod.SEASONAL:
        return decompose(None)
    own = history_of(indicator_id=indicator.pk, unit_id=target.unit_id, before=target.year)
    try:
        return decompose(own)
    except ValidationError:
        # A town's own history is often short or partial; the district's seasonal pattern is
        # the next best, and the plan says which one it used.
        if history_unit_id is None:
            raise
    plan = decompose(
        history_of(indicator_id=indicator.pk, unit_id=history_unit_id, before=target.year)
    )
    note = _("This unit's own history is incomplete: the parent unit's seasonal pattern is used.")
    return dec.Plan(
        plan.year, plan.target, plan.method, plan.points, plan.years_used, (note, *plan.notes)
    )


def _plan_shares_pct(target: Target) -> dict[str, Decimal]:
    return {
        Period.cumulative(target.year, pv.end_month).label: pv.share * 100
        for pv in target.plan_values.all()
    }


def _check_tiers(target_tier: str, indicator: Indicator, unit: Unit, year: int, value) -> None:
    other_tier = Tier.STRIVE if target_tier == Tier.ENSURE else Tier.ENSURE
    other = Target.objects.filter(
        indicator=indicator, unit=unit, year=year, tier=other_tier
    ).first()
    if other is None or other.value is None or value is None:
        return
    ensure, strive = (value, other.value) if target_tier == Tier.ENSURE else (other.value, value)
    less = strive < ensure if indicator.higher_is_better else strive > ensure
    if less:
        raise ValidationError(
            _(
                "The stretch target (%(strive)s) is less ambitious than the floor target "
                "(%(ensure)s): check whether the two were swapped."
            )
            % {"strive": plain(strive), "ensure": plain(ensure)},
            field="value",
        )


def target_set(
    *,
    actor,
    indicator: Indicator,
    unit: Unit,
    year: int,
    tier: str = Tier.ENSURE,
    value: object = None,
    growth_pct: object = None,
    method: str = PlanMethod.EVEN,
    shares_pct: Mapping[str, Decimal] | None = None,
    notes: str = "",
    expected_version: int | None = None,
    parent: Target | None = None,
    system: bool = False,
) -> Target:
    """Create or change the target of an indicator for a unit and year, and decompose it.

    Given a value or a growth rate, the other is derived from last year's actual (上年实绩)
    when there is one; given both, both are kept as given (a real growth target and a
    current-price value legitimately disagree).
    """
    _require(actor, Perm.TARGETS_MANAGE, system=system)
    year = check_year(year)
    value = check_amount(value, field="value")
    growth = check_rate(growth_pct, field="growth_pct")
    if value is None and growth is None:
        raise ValidationError(
            _("Enter a target value, a target growth rate, or both."), field="value"
        )
    if tier not in Tier.values:
        raise ValidationError(_("Unknown tier."), field="tier")
    if method not in PlanMethod.values:
        raise ValidationError(_("Unknown decomposition method."), field="method")
    base = _last_year_value(indicator, unit.pk, year)
    derived = ""
    if base is not None and base > 0 and (value is None or growth is None):
        annual = dec.annual_target(
            base=base,
            tier=dec.Tier(tier),
            value=value,
            growth_pct=growth,
            quantum=indicator.quantum if value is None else None,
        )
        value, growth, derived = annual.value, annual.growth_pct, annual.derived
    _check_tiers(tier, indicator, unit, year, value)
    with transaction.atomic():
        target = (
            Target.objects.select_for_update()
            .filter(indicator=indicator, unit=unit, year=year, tier=tier)
            .first()
        )
        before = snapshot(target, TARGET_FIELDS) if target else None
        if target is None:
            target = Target.objects.create(
                indicator=indicator,
                unit=unit,
                year=year,
                tier=tier,
                value=value,
                growth_pct=growth,
                base_value=base,
                derived=derived,
                method=method,
                parent=parent,
                notes=notes.strip()[:2000],
                created_by=actor,
            )
        else:
            target.value, target.growth_pct, target.base_value = value, growth, base
            target.derived, target.method = derived, method
            target.notes = notes.strip()[:2000] or target.notes
            fields = ["value", "growth_pct", "base_value", "derived", "method", "notes"]
            if parent is not None:
                target.parent = parent
                fields.append("parent")
            save_versioned(
                target,
                expected_version=target.version if expected_version is None else expected_version,
                fields=fields,
            )
        _replan(target, method, shares_pct=shares_pct)
        record(
            actor=actor,
            actor_name=_actor_name(actor, system, "kaimen targets"),
            action="targets.target.set",
            obj=target,
            before=before,
            after=snapshot(target, TARGET_FIELDS) | {"derived": derived, "base_value": base},
        )
        board_store.sync_after_write(target.year)
    return target


def target_decompose(
    *,
    actor,
    target: Target,
    method: str,
    shares_pct: Mapping[str, Decimal] | None = None,
    expected_version: int,
) -> Target:
    """Decompose the annual target into cumulative plan values by period (even, seasonal from
    history, or by hand)."""
    _require(actor, Perm.TARGETS_MANAGE)
    if method not in PlanMethod.values:
        raise ValidationError(_("Unknown decomposition method."), field="method")
    before = list(target.plan_values.values_list("end_month", "value"))
    with transaction.atomic():
        save_versioned(target, expected_version=expected_version, fields=[])
        plan = _replan(
            target,
            method,
            shares_pct=shares_pct,
            history_unit_id=target.parent.unit_id if target.parent_id else None,
        )
        record(
            actor=actor,
            action="targets.target.decompose",
            obj=target,
            before={"plan": before},
            after={
                "method": method,
                "plan": [(p.period.end_month, p.value) for p in plan.points] if plan else [],
            },
        )
        board_store.sync_after_write(target.year)
    return target


def target_split(
    *,
    actor,
    target: Target,
    units: list[Unit],
    basis: str,
    weights: Mapping[int, object] | None = None,
    system: bool = False,
) -> dec.Split:
    """Split a target among units below it (by last year's share or by weights set by hand).

    Each unit gets a target of the same tier with the parent's decomposition method; a
    unit's growth is derived from its own last year's actual where it has one.
    """
    _require(actor, Perm.TARGETS_MANAGE, system=system)
    if target.value is None:
        raise ValidationError(
            _("This target has no value to split: set the value (or last year's actual) first."),
            field="value",
        )
    if not units:
        raise ValidationError(_("Choose the units to split the target onto."), field="units")
    if any(u.pk == target.unit_id for u in units):
        raise ValidationError(_("A target cannot be split onto its own unit."), field="units")
    indicator = target.indicator
    parent_value = amount_of(target)
    if basis == SplitBasis.SHARE:
        figures = figure_map(
            indicator_ids=[indicator.pk], unit_ids=[u.pk for u in units], years=[target.year - 1]
        )
        shares = {}
        missing = []
        for unit in units:
            actual = figures.get((indicator.pk, unit.pk, target.year - 1, 12))
            if actual is None or actual.value is None:
                missing.append(unit.name)
            else:
                shares[unit.pk] = actual.value
        if missing:
            raise ValidationError(
                _(
                    "Last year's actual is missing for %(units)s: enter it, or split by "
                    "weights set by hand."
                )
                % {"units": "、".join(missing)},
                field="basis",
            )
        split = dec.split_by_share(parent_value, shares)
    elif basis == SplitBasis.WEIGHTS:
        checked = {
            u.pk: check_amount((weights or {}).get(u.pk), field="weights") or Decimal(0)
            for u in units
        }
        split = dec.split_by_weights(parent_value, checked)
    else:
        raise ValidationError(_("Choose how to split the target."), field="basis")
    by_id = {u.pk: u for u in units}
    shares_pct = _plan_shares_pct(target) if target.method == PlanMethod.MANUAL else None
    with transaction.atomic():
        for allocation in split.allocations:
            unit = by_id[allocation.key]
            base = _last_year_value(indicator, unit.pk, target.year)
            growth = (
                dec.growth_from_target_value(base, allocation.value)
                if base is not None and base > 0
                else None
            )
            child, created = Target.objects.update_or_create(
                indicator=indicator,
                unit=unit,
                year=target.year,
                tier=target.tier,
                defaults={
                    "value": allocation.value,
                    "growth_pct": growth,
                    "base_value": base,
                    "derived": "growth_pct" if growth is not None else "",
                    "parent": target,
                    "split_basis": basis,
                    "weight": allocation.weight,
                    "method": target.method,
                },
                create_defaults={
                    "value": allocation.value,
                    "growth_pct": growth,
                    "base_value": base,
                    "derived": "growth_pct" if growth is not None else "",
                    "parent": target,
                    "split_basis": basis,
                    "weight": allocation.weight,
                    "method": target.method,
                    "created_by": actor,
                },
            )
            if not created:
                # An open edit form of the child must not silently overwrite the new split.
                Target.objects.filter(pk=child.pk).update(version=child.version + 1)
            _replan(child, target.method, shares_pct=shares_pct, history_unit_id=target.unit_id)
        record(
            actor=actor,
            actor_name=_actor_name(actor, system, "kaimen targets"),
            action="targets.target.split",
            obj=target,
            after={
                "basis": basis,
                "allocations": {by_id[a.key].name: a.value for a in split.allocations},
            },
        )
        board_store.sync_after_write(target.year)
    return split


def project_create(
    *,
    actor,
    name: str,
    unit: Unit,
    year: int,
    planned_investment: object,
    notes: str = "",
    system: bool = False,
) -> Project:
    _require(actor, Perm.TARGETS_MANAGE, system=system)
    name = clean_name(name, 100, field="name")
    amount = check_amount(planned_investment, field="planned_investment")
    if amount is None:
        raise ValidationError(
            _("Enter this year's planned investment."), field="planned_investment"
        )
    year = check_year(year)
    if Project.objects.filter(name=name, year=year).exists():
        raise ValidationError(_("A project with this name exists for the year."), field="name")
    with transaction.atomic():
        project = Project.objects.create(
            name=name, unit=unit, year=year, planned_investment=amount, notes=notes.strip()[:200]
        )
        record(
            actor=actor,
            actor_name=_actor_name(actor, system, "kaimen targets"),
            action="targets.project.create",
            obj=project,
            unit=unit,
            after={"name": name, "unit": unit.pk, "year": year, "planned": amount},
        )
    return project


def target_split_onto_projects(*, actor, target: Target, system: bool = False) -> dec.Split:
    """Give an investment-type target's projects their own annual plans as targets; what the
    plans do not cover stays the gap new projects must fill (``split_notes`` says so)."""
    _require(actor, Perm.TARGETS_MANAGE, system=system)
    if target.value is None:
        raise ValidationError(_("This target has no value to split."), field="value")
    projects = Project.objects.filter(year=target.year)
    if target.unit.parent_id is not None and target.unit.kind != UnitKind.LEADERSHIP:
        projects = projects.filter(unit=target.unit)
    projects = list(projects)
    if not projects:
        raise ValidationError(
            _("No projects are registered for this unit and year: add the projects first."),
            field="projects",
        )
    split = dec.split_onto_projects(
        amount_of(target), {p.pk: plain(p.planned_investment) for p in projects}
    )
    with transaction.atomic():
        ProjectAllocation.objects.filter(target=target).delete()
        ProjectAllocation.objects.bulk_create(
            ProjectAllocation(target=target, project_id=a.key, value=a.value, share=a.share)
            for a in split.allocations
        )
        Target.objects.filter(pk=target.pk).update(split_notes="\n".join(split.notes))
        record(
            actor=actor,
            actor_name=_actor_name(actor, system, "kaimen targets"),
            action="targets.target.split_projects",
            obj=target,
            after={"allocations": {str(a.key): a.value for a in split.allocations}},
            message="；".join(split.notes)[:300],
        )
    return split
