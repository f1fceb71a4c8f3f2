"""Reads of units and people, already narrowed to what the user may see."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from kaimen.lib.errors import NotFound
from kaimen.org import scope
from kaimen.org.models import ApiToken, Membership, Role, Unit, UnitKind, User
from kaimen.org.scope import Perm


def unit_list_for_user(*, user, kind: str = "", query: str = "") -> QuerySet[Unit]:
    scope.require(user, Perm.VIEW_UNITS)
    qs = Unit.objects.select_related("parent").annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    )
    if kind:
        qs = qs.filter(kind=kind)
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    return qs.annotate(kind_rank=_kind_rank()).order_by(
        "-is_active", "kind_rank", "sort_order", "name"
    )


def _kind_rank() -> Case:
    # Leadership first, then departments, towns and task forces, as the district's own lists run.
    order = [UnitKind.LEADERSHIP, UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.TASK_FORCE]
    return Case(
        *[When(kind=kind, then=Value(rank)) for rank, kind in enumerate(order)],
        default=Value(len(order)),
        output_field=IntegerField(),
    )


def unit_get_for_user(*, user, unit_id: int) -> Unit:
    scope.require(user, Perm.VIEW_UNITS)
    try:
        return Unit.objects.select_related("parent").get(pk=unit_id)
    except Unit.DoesNotExist as exc:
        raise NotFound() from exc


def unit_choices() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by(_kind_rank(), "sort_order", "name")


def _memberships_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(is_active=True).select_related("unit"),
        to_attr="active_memberships",
    )


def people_list_for_user(
    *, user, unit: Unit | None = None, query: str = "", include_inactive: bool = False
) -> QuerySet[User]:
    """The directory. Leaders, the office and the administrators see everyone; a liaison sees
    the people of its own unit only."""
    if unit is None and not scope.can(user, Perm.VIEW_PEOPLE):
        own = scope.scope_for(user).units_with(Role.LIAISON)
        if not own:
            scope.require(user, Perm.VIEW_PEOPLE)
        qs = User.objects.filter(memberships__unit_id__in=own).distinct()
    else:
        scope.require(user, Perm.VIEW_PEOPLE, unit)
        qs = User.objects.all()
        if unit is not None:
            qs = qs.filter(memberships__unit=unit, memberships__is_active=True).distinct()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    return qs.prefetch_related(_memberships_prefetch()).order_by("username")


def person_get_for_user(*, user, person_id: int) -> User:
    """One person, if the user may see them; otherwise NotFound (no hint that the id exists)."""
    try:
        person = User.objects.prefetch_related(_memberships_prefetch()).get(pk=person_id)
    except User.DoesNotExist as exc:
        raise NotFound() from exc
    if scope.can(user, Perm.VIEW_PEOPLE):
        return person
    own = scope.scope_for(user).units_with(Role.LIAISON)
    if own and person.memberships.filter(unit_id__in=own).exists():
        return person
    scope.require(user, Perm.VIEW_PEOPLE, person)
    return person


def membership_get(*, membership_id: int) -> Membership:
    try:
        return Membership.objects.select_related("user", "unit").get(pk=membership_id)
    except Membership.DoesNotExist as exc:
        raise NotFound() from exc


def primary_unit(user) -> Unit | None:
    membership = (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("unit")
        .order_by("id")
        .first()
    )
    return membership.unit if membership else None


def api_tokens_of(*, person: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=person).order_by("-created_at")


def api_token_get(*, token_id: int) -> ApiToken:
    try:
        return ApiToken.objects.select_related("user").get(pk=token_id)
    except ApiToken.DoesNotExist as exc:
        raise NotFound() from exc
