"""Targets and statistics (指标、目标、实绩). 统计法: leaders read figures and never change them,
so no target permission below names the leader role except reading. Registered from
``TargetsConfig.ready()``; ``kaimen.org.scope.can`` decides."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from kaimen.org.models import Role
from kaimen.org.permissions import register as register_rules
from kaimen.org.permissions import roles
from kaimen.org.scope import Perm


def targets_view(s, obj) -> bool:
    # obj None: whether the pages open at all; obj: the unit ids a row concerns (its unit and
    # the indicator's owner department), which own units must intersect
    if not s.has(Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER):
        return False
    if obj is None or s.sees_all_business:
        return True
    return bool(frozenset(obj) & s.own_unit_ids)


# The provenances as stored (``models.Provenance``; not imported: models import monitoring,
# and the rules stay free of the ORM but for the one look-up of the statistics bureau).
OFFICIAL, FLASH, FORECAST = "official", "flash", "forecast"
CORRECTION_WITHDRAW = Perm.CORRECTION_WITHDRAW
# The statistics bureau: the unit of this name, or any active department whose name ends so.
STATISTICS_BUREAU_SUFFIX = "统计局"


@dataclass(frozen=True)
class Filing:
    """What a figure concerns, for ``targets.actual.enter``: the unit whose row it is, the
    indicator's lead department (the catalogue's owner), the source, and whether the unit has a
    target for the indicator that year (its own row on the board)."""

    unit_id: int
    lead_unit_id: int | None
    provenance: str
    own_row: bool = True


def statistics_bureau_ids() -> frozenset[int]:
    """The statistics bureau's units: ``settings.TARGETS_STATISTICS_UNIT`` (a unit name) when
    set, otherwise every active department whose name ends in 统计局."""
    from django.conf import settings

    from kaimen.org.models import Unit, UnitKind

    name = getattr(settings, "TARGETS_STATISTICS_UNIT", "")
    units = Unit.objects.filter(is_active=True)
    if name:
        units = units.filter(name=name)
    else:
        units = units.filter(kind=UnitKind.DEPARTMENT, name__endswith=STATISTICS_BUREAU_SUFFIX)
    return frozenset(units.values_list("pk", flat=True))


def in_statistics_bureau(s) -> bool:
    """Whether the user is a liaison or member of the statistics bureau."""
    own = s.own_unit_ids
    return bool(own) and bool(own & statistics_bureau_ids())


def _may_file_flash(s, filing: Filing | None) -> bool:
    if s.has(Role.OFFICE):
        return True
    liaison = s.units_with(Role.LIAISON)
    if filing is None or not liaison:
        return bool(liaison)
    return filing.lead_unit_id in liaison or (filing.unit_id in liaison and filing.own_row)


def filing_sources(s, filing: Filing | None = None) -> tuple[str, ...]:
    """The sources the user may file by hand for ``filing`` (None: for some row at all).

    统计局正式 comes only from the statistics bureau's people (or from an import by the office,
    which is ``targets.import``, not this); a liaison files 部门快报 (and its unit's own 预测)
    for the indicators its unit leads and for its own unit's rows; the office types in the
    快报 and 预测 it receives on paper, never an official figure."""
    sources = [OFFICIAL] if in_statistics_bureau(s) else []
    if _may_file_flash(s, filing):
        sources += [FLASH, FORECAST]
    return tuple(sources)


def actual_enter(s, obj) -> bool:
    # obj: a Filing (which row, which source); None: whether the user files anything at all
    if obj is None:
        return s.has(Role.OFFICE) or bool(s.units_with(Role.LIAISON)) or in_statistics_bureau(s)
    if obj.provenance == OFFICIAL:
        return in_statistics_bureau(s)
    return obj.provenance in (FLASH, FORECAST) and _may_file_flash(s, obj)


def correction_withdraw(s, obj) -> bool:
    # obj: a correction request; only its requester takes it back, and only while it waits
    if obj is None:
        return s.user_id is not None
    return obj.requested_by_id == s.user_id and obj.status == "pending"


def actual_approve(s, obj) -> bool:
    # obj: a correction request; nobody approves his own (four eyes on every change)
    if not s.has(Role.OFFICE):
        return False
    return obj is None or obj.requested_by_id != s.user_id


def light_explain(s, obj) -> bool:
    # obj: the id of the unit answerable for the row (说明 is the owner unit's duty)
    if s.has(Role.OFFICE):
        return True
    liaison_units = s.units_with(Role.LIAISON)
    return bool(liaison_units) if obj is None else obj in liaison_units


RULES = (
    ("targets.view", targets_view, _("Read targets and figures")),
    # the catalogue, targets, decomposition, projects and workbook layouts
    ("targets.manage", roles(Role.OFFICE), _("Manage targets")),
    ("targets.actual.enter", actual_enter, _("Enter figures")),
    ("targets.actual.approve", actual_approve, _("Approve corrections of figures")),
    (CORRECTION_WITHDRAW, correction_withdraw, _("Withdraw one's own correction request")),
    ("targets.import", roles(Role.OFFICE), _("Import figures")),
    ("targets.explain", light_explain, _("Explain a red light")),
)


def register() -> None:
    register_rules(RULES, app="targets")
