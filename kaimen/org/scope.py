"""The one place that answers "what may this user see, and what may they change".

Every service calls :func:`require` before it writes; every selector narrows its queryset with
:func:`visible_unit_ids` or :func:`filter_by_unit`. Nothing else in Kaimen decides permissions.

Each app registers the rules of its own permissions in ``kaimen/<app>/permissions.py`` (through
``kaimen.lib.contracts.permissions``, from its ``AppConfig.ready()``); :func:`can` looks the
rule up and denies a code nobody registered. :class:`Perm` names the codes of the apps of today
for their callers; a new app may use its plain string codes.

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

from kaimen.lib.contracts import permissions
from kaimen.lib.errors import PermissionDenied
from kaimen.org.models import Role


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
    CORRECTION_WITHDRAW = "targets.correction.withdraw"
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


def can(user, perm: Perm | str, obj=None) -> bool:
    """Whether ``user`` may do ``perm`` (to ``obj``): the rule the owning app registered in
    ``kaimen.lib.contracts.permissions`` decides; a code without a rule is denied."""
    s = scope_for(user)
    if s.user_id is None:
        return False
    entry = permissions.rule_for(perm)
    if entry is None:
        return False
    return bool(entry.rule(s, obj))


def can_open(user, perm: Perm | str) -> bool:
    """Whether a page guarded by ``perm`` has something to show the user (for menus)."""
    if perm == Perm.VIEW_PEOPLE and scope_for(user).units_with(Role.LIAISON):
        return True  # a liaison's directory holds its own unit's people
    return can(user, perm)


def require(user, perm: Perm | str, obj=None) -> None:
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


def requires_second_factor(user) -> bool:
    from django.conf import settings

    return bool(scope_for(user).roles & set(settings.OTP_REQUIRED_ROLES))


def roles_of(user) -> Iterable[str]:
    return scope_for(user).roles
