"""The one place that answers "what may this user see, and what may they change".

Every service calls :func:`require` before it writes; every selector narrows its queryset with
:func:`visible_unit_ids` or :func:`filter_by_unit`. Nothing else in Kaimen decides permissions.

The rules, in one table (DESIGN.md, SECURITY.md):

* leaders (区领导) and the campaign office (调度办) see all business records; the office changes
  them, leaders only read and give instructions (统计法: leaders may not change figures);
* a liaison (联络员) sees and changes its own unit's records, and reads records where its unit is
  a co-unit (配合单位); a member reads its own unit's;
* 三员分立: the system administrator manages accounts and units but reads no business data, the
  security administrator manages security settings and grants roles (never to himself), the
  audit administrator reads the audit log and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kaimen.lib.errors import PermissionDenied
from kaimen.org.models import ADMIN_ROLES, Role, Unit


class Perm(StrEnum):
    VIEW_BUSINESS = "business.view"
    VIEW_UNITS = "units.view"
    MANAGE_UNITS = "units.manage"
    EDIT_UNIT_CONTACT = "units.edit_contact"
    VIEW_PEOPLE = "people.view"
    MANAGE_PEOPLE = "people.manage"
    GRANT_ROLE = "roles.grant"
    VIEW_AUDIT = "audit.view"
    MANAGE_SECURITY = "security.manage"
    REVEAL_PERSONAL_DATA = "pii.reveal"
    # The task ledger (任务分解台账). obj: a ledger Task where the rule depends on its units.
    LEDGER_VIEW = "ledger.view"
    LEDGER_MANAGE = "ledger.manage"
    LEDGER_EXPORT = "ledger.export"
    TASK_REPORT = "ledger.task.report"
    TASK_CONTRIBUTE = "ledger.task.contribute"
    TASK_INSTRUCT = "ledger.task.instruct"
    MANAGE_CALENDAR = "calendar.manage"
    # Targets and statistics (指标、目标、实绩). 统计法: leaders read figures and never change
    # them, so no target permission below names the leader role except reading.
    TARGETS_VIEW = "targets.view"
    TARGETS_MANAGE = "targets.manage"
    ACTUAL_ENTER = "targets.actual.enter"
    ACTUAL_APPROVE = "targets.actual.approve"
    ACTUAL_IMPORT = "targets.import"
    LIGHT_EXPLAIN = "targets.explain"
    # The weekly dispatch briefing (调度通报): the office builds it, leaders and the office read.
    BRIEFING_VIEW = "briefings.view"
    BRIEFING_BUILD = "briefings.build"
    # Notifications: everyone reads his own inbox; the office configures the channels (SMTP,
    # DingTalk and WeCom group robots) and reads the delivery log.
    NOTIFICATIONS_MANAGE = "notifications.manage"
    # The leader dashboard (驾驶舱).
    DASHBOARD_VIEW = "dashboard.view"
    # Scorecards, rankings, 红黑榜 and commendations. obj: the id of the unit concerned.
    EVALUATION_VIEW = "evaluation.view"
    EVALUATION_MANAGE = "evaluation.manage"
    EVALUATION_OBJECT = "evaluation.object"
    PRACTICE_SUBMIT = "evaluation.practice.submit"
    # Accountability (提醒 → 督办 → 约谈 → 通报 → 问责建议). obj: the id of the unit concerned.
    ACCOUNTABILITY_VIEW = "accountability.view"
    ACCOUNTABILITY_DECIDE = "accountability.decide"
    ACCOUNTABILITY_EXPLAIN = "accountability.explain"
    ACCOUNTABILITY_RULES = "accountability.rules"


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    units_by_role: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(self.units_by_role)

    def has(self, *roles: str) -> bool:
        return any(role in self.units_by_role for role in roles)

    def units_with(self, *roles: str) -> frozenset[int]:
        ids: set[int] = set()
        for role in roles:
            ids |= self.units_by_role.get(role, frozenset())
        return frozenset(ids)

    @property
    def sees_all_business(self) -> bool:
        return self.has(Role.LEADER, Role.OFFICE)

    @property
    def own_unit_ids(self) -> frozenset[int]:
        return self.units_with(Role.LIAISON, Role.MEMBER)


ANONYMOUS = Scope(user_id=None)


def scope_for(user) -> Scope:
    """The user's active roles, read once per request and kept on the user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_kaimen_scope", None)
    if cached is not None:
        return cached
    by_role: dict[str, set[int]] = {}
    for role, unit_id in user.memberships.filter(is_active=True, unit__is_active=True).values_list(
        "role", "unit_id"
    ):
        by_role.setdefault(role, set()).add(unit_id)
    scope = Scope(user_id=user.pk, units_by_role={k: frozenset(v) for k, v in by_role.items()})
    user._kaimen_scope = scope
    return scope


def forget(user) -> None:
    """Drop the cached scope after the user's memberships change."""
    if hasattr(user, "_kaimen_scope"):
        del user._kaimen_scope


def can(user, perm: Perm, obj=None) -> bool:
    s = scope_for(user)
    if s.user_id is None:
        return False
    match perm:
        case Perm.VIEW_BUSINESS:
            return s.has(Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER)
        case Perm.VIEW_UNITS:
            return s.has(
                Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER, Role.SYSADMIN, Role.SECADMIN
            )
        case Perm.MANAGE_UNITS:
            return s.has(Role.OFFICE, Role.SYSADMIN)
        case Perm.EDIT_UNIT_CONTACT:
            if s.has(Role.OFFICE, Role.SYSADMIN):
                return True
            return obj is not None and obj.pk in s.units_with(Role.LIAISON)
        case Perm.VIEW_PEOPLE:
            # obj: the unit whose people are listed, or one person (None = the whole directory)
            if s.has(Role.LEADER, Role.OFFICE, Role.SYSADMIN, Role.SECADMIN):
                return True
            if isinstance(obj, Unit):
                return obj.pk in s.units_with(Role.LIAISON)
            # a person: compare the units the person belongs to, never the person's own id
            return obj is not None and bool(_unit_ids_of(obj) & s.units_with(Role.LIAISON))
        case Perm.MANAGE_PEOPLE:
            # obj: the person being managed (None = creating a new one)
            if s.has(Role.SYSADMIN):
                return obj is None or obj.pk != s.user_id
            if s.has(Role.OFFICE):
                return obj is None or (obj.pk != s.user_id and not _holds_admin_role(obj))
            return False
        case Perm.GRANT_ROLE:
            # obj: (target user, role)
            if obj is None:
                return s.has(Role.SECADMIN, Role.OFFICE)
            target, role = obj
            if target.pk == s.user_id:
                return False  # nobody grants roles to himself
            if role in ADMIN_ROLES:
                return s.has(Role.SECADMIN)
            return s.has(Role.SECADMIN, Role.OFFICE) and not _holds_admin_role(target)
        case Perm.VIEW_AUDIT:
            return s.has(Role.AUDITOR)
        case Perm.MANAGE_SECURITY:
            return s.has(Role.SECADMIN)
        case Perm.REVEAL_PERSONAL_DATA:
            return s.has(Role.OFFICE, Role.SYSADMIN) or (
                obj is not None and bool(_unit_ids_of(obj) & s.units_with(Role.LIAISON))
            )
        case Perm.LEDGER_VIEW:
            # obj None: whether the ledger pages are open at all (their rows are scoped)
            if s.sees_all_business:
                return True
            if obj is None:
                return bool(s.own_unit_ids)
            lead, co = _task_unit_ids(obj)
            return lead in s.own_unit_ids or bool(co & s.own_unit_ids)
        case Perm.LEDGER_MANAGE:
            # drafts, publishing, task edits, closure acceptance, supervision decisions
            return s.has(Role.OFFICE)
        case Perm.LEDGER_EXPORT:
            return s.has(Role.OFFICE, Role.LEADER)
        case Perm.TASK_REPORT:
            # progress, closure requests and answers to instructions: the lead unit's liaison
            if obj is None:
                return bool(s.units_with(Role.LIAISON))
            return _task_unit_ids(obj)[0] in s.units_with(Role.LIAISON)
        case Perm.TASK_CONTRIBUTE:
            if obj is None:
                return bool(s.units_with(Role.LIAISON))
            return bool(_task_unit_ids(obj)[1] & s.units_with(Role.LIAISON))
        case Perm.TASK_INSTRUCT:
            # 批示: leaders instruct; they never change a task's status or figures
            return s.has(Role.LEADER)
        case Perm.MANAGE_CALENDAR:
            return s.has(Role.OFFICE)
        case Perm.TARGETS_VIEW:
            # obj None: whether the pages open at all; obj: the unit ids a row concerns (its
            # unit and the indicator's owner department), which own units must intersect
            if not s.has(Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER):
                return False
            if obj is None or s.sees_all_business:
                return True
            return bool(frozenset(obj) & s.own_unit_ids)
        case Perm.TARGETS_MANAGE:
            # the catalogue, targets, decomposition, projects and workbook layouts
            return s.has(Role.OFFICE)
        case Perm.ACTUAL_ENTER:
            # obj: the unit (or its id) whose figure is entered or corrected
            if s.has(Role.OFFICE):
                return True
            liaison_units = s.units_with(Role.LIAISON)
            if obj is None:
                return bool(liaison_units)
            return getattr(obj, "pk", obj) in liaison_units
        case Perm.ACTUAL_APPROVE:
            # obj: a correction request; nobody approves his own (four eyes on every change)
            if not s.has(Role.OFFICE):
                return False
            return obj is None or obj.requested_by_id != s.user_id
        case Perm.ACTUAL_IMPORT:
            return s.has(Role.OFFICE)
        case Perm.LIGHT_EXPLAIN:
            # obj: the id of the unit answerable for the row (说明 is the owner unit's duty)
            if s.has(Role.OFFICE):
                return True
            liaison_units = s.units_with(Role.LIAISON)
            return bool(liaison_units) if obj is None else obj in liaison_units
        case Perm.BRIEFING_VIEW:
            return s.has(Role.LEADER, Role.OFFICE)
        case Perm.BRIEFING_BUILD:
            return s.has(Role.OFFICE)
        case Perm.NOTIFICATIONS_MANAGE:
            return s.has(Role.OFFICE)
        case Perm.DASHBOARD_VIEW:
            return s.has(Role.LEADER, Role.OFFICE)
        case Perm.EVALUATION_VIEW | Perm.ACCOUNTABILITY_VIEW:
            # obj None: whether the pages open at all; obj: a unit id, which a liaison or member
            # reads only for its own unit (a unit sees its own standing and record)
            if s.sees_all_business:
                return True
            if obj is None:
                return bool(s.own_unit_ids)
            return getattr(obj, "pk", obj) in s.own_unit_ids
        case Perm.EVALUATION_MANAGE:
            # schemes, score runs, answers to objections, publication, commendations
            return s.has(Role.OFFICE)
        case Perm.EVALUATION_OBJECT | Perm.PRACTICE_SUBMIT | Perm.ACCOUNTABILITY_EXPLAIN:
            # obj: the unit id; its liaison lodges the objection (申诉), submits the unit's
            # innovation practice (创新举措) or attaches the explanation (说明)
            liaison_units = s.units_with(Role.LIAISON)
            return bool(liaison_units) if obj is None else getattr(obj, "pk", obj) in liaison_units
        case Perm.ACCOUNTABILITY_RULES:
            # the campaign's thresholds of the accountability rules
            return s.has(Role.OFFICE)
        case Perm.ACCOUNTABILITY_DECIDE:
            # a person confirms or dismisses each proposal: the office, or a leader
            return s.has(Role.OFFICE, Role.LEADER)
    return False


def _task_unit_ids(task) -> tuple[int | None, frozenset[int]]:
    """A ledger task's lead unit and co-units, read through the task's own helper (no import
    of the ledger app here: scope sits below every business app)."""
    return task.lead_unit_id, frozenset(task.co_unit_ids())


def can_open(user, perm: Perm) -> bool:
    """Whether a page guarded by ``perm`` has something to show the user (for menus)."""
    if perm == Perm.VIEW_PEOPLE and scope_for(user).units_with(Role.LIAISON):
        return True  # a liaison's directory holds its own unit's people
    return can(user, perm)


def require(user, perm: Perm, obj=None) -> None:
    """Raise PermissionDenied (audited by the request layer) unless ``can`` says yes."""
    if not can(user, perm, obj):
        raise PermissionDenied(
            _("You do not have permission for this action."),
            code=str(perm),
            target=obj[0] if isinstance(obj, tuple) else obj,
        )


def business_unit_ids(user) -> frozenset[int] | None:
    """Units whose business records the user may read; None means all of them."""
    s = scope_for(user)
    if s.sees_all_business:
        return None
    return s.own_unit_ids


def changeable_unit_ids(user) -> frozenset[int] | None:
    """Units whose business records the user may change; None means all of them."""
    s = scope_for(user)
    if s.has(Role.OFFICE):
        return None
    return s.units_with(Role.LIAISON)


def can_change_unit_record(user, unit_id: int) -> bool:
    ids = changeable_unit_ids(user)
    return ids is None or unit_id in ids


def filter_by_unit(
    user, qs: QuerySet, *, unit_field: str = "unit", co_units_field: str | None = None
) -> QuerySet:
    """Narrow ``qs`` to the business records the user may read.

    A record belongs to its unit (``unit_field``); with ``co_units_field`` the co-units read it
    too. Administrators (三员) get nothing: they read no business data.
    """
    if not can(user, Perm.VIEW_BUSINESS):
        return qs.none()
    ids = business_unit_ids(user)
    if ids is None:
        return qs
    s = scope_for(user)
    condition = Q(**{f"{unit_field}__in": ids})
    if co_units_field:
        condition |= Q(**{f"{co_units_field}__in": s.units_with(Role.LIAISON, Role.MEMBER)})
    return qs.filter(condition).distinct() if co_units_field else qs.filter(condition)


def _holds_admin_role(user) -> bool:
    return user.memberships.filter(is_active=True, role__in=list(ADMIN_ROLES)).exists()


def _unit_ids_of(user) -> frozenset[int]:
    return frozenset(user.memberships.filter(is_active=True).values_list("unit_id", flat=True))


def requires_second_factor(user) -> bool:
    from django.conf import settings

    return bool(scope_for(user).roles & set(settings.OTP_REQUIRED_ROLES))


def roles_of(user) -> Iterable[str]:
    return scope_for(user).roles
