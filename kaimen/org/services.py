"""Every change to units, people and roles. Each function: permission through ``scope``,
validation, one transaction, one audit event."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kaimen.audit.services import record
from kaimen.lib import clock
from kaimen.lib.errors import ValidationError
from kaimen.lib.text import clean_name
from kaimen.lib.versioning import save_versioned, snapshot
from kaimen.org import scope
from kaimen.org.models import (
    ADMIN_ROLES,
    BUSINESS_ROLES,
    ApiToken,
    Membership,
    Role,
    Unit,
    UnitKind,
    User,
)
from kaimen.org.scope import Perm

UNIT_FIELDS = ["name", "short_name", "kind", "parent", "duties", "contact_phone", "sort_order"]
UNIT_CONTACT_FIELDS = ["duties", "contact_phone"]
PERSON_FIELDS = ["username", "display_name", "phone", "email", "is_active"]


def _check_parent(unit: Unit | None, parent: Unit | None) -> None:
    node = parent
    while node is not None:
        if unit is not None and node.pk == unit.pk:
            raise ValidationError(
                _("A unit cannot sit under itself or under one of its own sub-units."),
                field="parent",
            )
        node = node.parent


def _unique_unit_name(name: str, *, exclude_pk: int | None = None) -> None:
    clash = Unit.objects.filter(name=name).exclude(pk=exclude_pk).exists()
    if clash:
        raise ValidationError(
            _("A unit named “%(name)s” already exists; choose another name.") % {"name": name},
            field="name",
        )


def unit_create(
    *,
    actor,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
    duties: str = "",
    contact_phone: str = "",
    sort_order: int = 100,
) -> Unit:
    scope.require(actor, Perm.MANAGE_UNITS)
    name = clean_name(name, 60)
    short_name = clean_name(short_name, 20) if short_name else ""
    if kind not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind."), field="kind")
    _unique_unit_name(name)
    with transaction.atomic():
        unit = Unit.objects.create(
            name=name,
            kind=kind,
            parent=parent,
            short_name=short_name,
            duties=duties.strip()[:2000],
            contact_phone=contact_phone.strip()[:30],
            sort_order=sort_order,
        )
        record(actor=actor, action="unit.create", obj=unit, after=snapshot(unit, UNIT_FIELDS))
    return unit


def unit_update(*, actor, unit: Unit, expected_version: int, **changes) -> Unit:
    """Change a unit. The office and the system administrator change everything; a liaison
    changes only its own unit's duties and office phone."""
    if scope.can(actor, Perm.MANAGE_UNITS):
        allowed = set(UNIT_FIELDS)
    else:
        scope.require(actor, Perm.EDIT_UNIT_CONTACT, unit)
        allowed = set(UNIT_CONTACT_FIELDS)
    refused = set(changes) - allowed
    if refused:
        # A liaison who edits the form's hidden fields lands here rather than silently
        # changing a field the form never offered.
        scope.require(actor, Perm.MANAGE_UNITS, unit)
    before = snapshot(unit, UNIT_FIELDS)
    if "name" in changes:
        changes["name"] = clean_name(changes["name"], 60)
        _unique_unit_name(changes["name"], exclude_pk=unit.pk)
    if changes.get("short_name"):
        changes["short_name"] = clean_name(changes["short_name"], 20)
    if "kind" in changes and changes["kind"] not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind."), field="kind")
    if "parent" in changes:
        _check_parent(unit, changes["parent"])
    for key in ("duties",):
        if key in changes:
            changes[key] = (changes[key] or "").strip()[:2000]
    for field, value in changes.items():
        setattr(unit, field, value)
    with transaction.atomic():
        save_versioned(unit, expected_version=expected_version, fields=list(changes))
        record(
            actor=actor,
            action="unit.update",
            obj=unit,
            before=before,
            after=snapshot(unit, UNIT_FIELDS),
        )
    return unit


def unit_set_active(*, actor, unit: Unit, active: bool, reason: str = "") -> Unit:
    scope.require(actor, Perm.MANAGE_UNITS)
    if not active and unit.children.filter(is_active=True).exists():
        raise ValidationError(
            _("Deactivate or move this unit's active sub-units first."), field="is_active"
        )
    with transaction.atomic():
        before = {"is_active": unit.is_active}
        Unit.objects.filter(pk=unit.pk).update(is_active=active)
        unit.is_active = active
        record(
            actor=actor,
            action="unit.activate" if active else "unit.deactivate",
            obj=unit,
            before=before,
            after={"is_active": active},
            message=reason[:300],
        )
    return unit


def _validate_password(password: str, user: User | None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), field="password") from exc


def person_create(
    *,
    actor,
    username: str,
    display_name: str,
    initial_password: str,
    phone: str = "",
    email: str = "",
) -> User:
    """Create an account. Every created account must change its password at first login."""
    scope.require(actor, Perm.MANAGE_PEOPLE)
    username = clean_name(username, 150).lower()
    display_name = clean_name(display_name, 50)
    if not username.replace("_", "").replace(".", "").replace("-", "").isalnum():
        raise ValidationError(
            _("User names may contain letters, digits and . _ - only."), field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("The user name “%(name)s” is taken (user names ignore case).") % {"name": username},
            field="username",
        )
    candidate = User(username=username, display_name=display_name)
    _validate_password(initial_password, candidate)
    with transaction.atomic():
        user = User(
            username=username,
            display_name=display_name,
            phone=phone.strip()[:20],
            email=email.strip()[:254],
            must_change_password=True,
            password_changed_at=clock.now(),
        )
        user.set_password(initial_password)
        try:
            user.save()
        except IntegrityError as exc:  # a concurrent create of the same name
            raise ValidationError(_("The user name is taken."), field="username") from exc
        record(actor=actor, action="person.create", obj=user, after=snapshot(user, PERSON_FIELDS))
    return user


def person_update(*, actor, person: User, expected_version: int, **changes) -> User:
    scope.require(actor, Perm.MANAGE_PEOPLE, person)
    allowed = {"display_name", "phone", "email"}
    if set(changes) - allowed:
        raise ValidationError(_("These fields cannot be changed here."))
    if "display_name" in changes:
        changes["display_name"] = clean_name(changes["display_name"], 50)
    before = snapshot(person, PERSON_FIELDS)
    for field, value in changes.items():
        setattr(person, field, value.strip() if isinstance(value, str) else value)
    with transaction.atomic():
        save_versioned(person, expected_version=expected_version, fields=list(changes))
        record(
            actor=actor,
            action="person.update",
            obj=person,
            before=before,
            after=snapshot(person, PERSON_FIELDS),
        )
    return person


def person_deactivate(*, actor, person: User, reason: str) -> User:
    """People who leave are deactivated, never deleted: their records and audit trail stay.
    Their live sessions die at the next request (the auth backend refuses inactive users)."""
    scope.require(actor, Perm.MANAGE_PEOPLE, person)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason for the deactivation."), field="reason")
    with transaction.atomic():
        now = clock.now()
        User.objects.filter(pk=person.pk).update(
            is_active=False, deactivated_at=now, deactivation_reason=reason[:200]
        )
        Membership.objects.filter(user=person, is_active=True).update(is_active=False, ended_at=now)
        person.is_active = False
        record(
            actor=actor,
            action="person.deactivate",
            obj=person,
            before={"is_active": True},
            after={"is_active": False},
            message=reason[:300],
        )
    return person


def person_reactivate(*, actor, person: User, temporary_password: str) -> User:
    scope.require(actor, Perm.MANAGE_PEOPLE, person)
    _validate_password(temporary_password, person)
    with transaction.atomic():
        person.is_active = True
        person.deactivated_at = None
        person.deactivation_reason = ""
        person.must_change_password = True
        person.password_changed_at = clock.now()
        person.set_password(temporary_password)
        person.save(
            update_fields=[
                "is_active",
                "deactivated_at",
                "deactivation_reason",
                "must_change_password",
                "password_changed_at",
                "password",
            ]
        )
        record(actor=actor, action="person.reactivate", obj=person, after={"is_active": True})
    return person


def password_reset(*, actor, person: User, temporary_password: str) -> None:
    """An administrator sets a temporary password; the person must change it at next login."""
    scope.require(actor, Perm.MANAGE_PEOPLE, person)
    _validate_password(temporary_password, person)
    with transaction.atomic():
        person.set_password(temporary_password)
        person.must_change_password = True
        person.password_changed_at = clock.now()
        person.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record(actor=actor, action="password.reset", obj=person)


def password_change(*, actor, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationError(_("The current password is wrong."), field="old_password")
    if old_password == new_password:
        raise ValidationError(
            _("The new password must differ from the current one."), field="new_password"
        )
    _validate_password(new_password, actor)
    with transaction.atomic():
        actor.set_password(new_password)
        actor.must_change_password = False
        actor.password_changed_at = clock.now()
        actor.save(update_fields=["password", "must_change_password", "password_changed_at"])
        record(actor=actor, action="password.change", obj=actor)


def membership_grant(*, actor, person: User, unit: Unit, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError(_("Unknown role."), field="role")
    scope.require(actor, Perm.GRANT_ROLE, (person, role))
    if not person.is_active:
        raise ValidationError(_("This person is deactivated."), field="person")
    held_admin = set(
        person.memberships.filter(is_active=True, role__in=list(ADMIN_ROLES)).values_list(
            "role", flat=True
        )
    )
    if role in ADMIN_ROLES and held_admin - {role}:
        raise ValidationError(
            _(
                "System, security and audit administration must be held by different people "
                "(三员分立); this person already holds another administrator role."
            ),
            field="role",
        )
    if (
        role in ADMIN_ROLES
        and person.memberships.filter(is_active=True, role__in=list(BUSINESS_ROLES)).exists()
    ):
        raise ValidationError(
            _("Administrators hold no business role; end the business role first."),
            field="role",
        )
    if role not in ADMIN_ROLES and held_admin:
        raise ValidationError(
            _("Administrators hold no business role (三员分立)."),
            field="role",
        )
    if Membership.objects.filter(user=person, unit=unit, role=role, is_active=True).exists():
        raise ValidationError(_("This person already holds that role in that unit."))
    with transaction.atomic():
        membership = Membership.objects.create(user=person, unit=unit, role=role)
        record(
            actor=actor,
            action="role.grant",
            obj=membership,
            unit=unit,
            after={"user": person.pk, "unit": unit.pk, "role": role},
        )
    scope.forget(person)
    return membership


def membership_end(*, actor, membership: Membership) -> Membership:
    scope.require(actor, Perm.GRANT_ROLE, (membership.user, membership.role))
    with transaction.atomic():
        now = clock.now()
        Membership.objects.filter(pk=membership.pk).update(is_active=False, ended_at=now)
        membership.is_active = False
        record(
            actor=actor,
            action="role.revoke",
            obj=membership,
            unit=membership.unit,
            before={
                "user": membership.user_id,
                "unit": membership.unit_id,
                "role": membership.role,
            },
        )
    scope.forget(membership.user)
    return membership


def lockout_clear(*, actor, username: str) -> int:
    """The security administrator lifts a lockout before its cool-off ends."""
    from axes.models import AccessAttempt

    scope.require(actor, Perm.MANAGE_SECURITY)
    key = username.strip().lower()
    with transaction.atomic():
        cleared, _counts = AccessAttempt.objects.filter(username=key).delete()
        record(
            actor=actor,
            action="security.unlock",
            obj=User.objects.filter(username__iexact=key).first(),
            message=f"unlock {key}"[:300],
            after={"username": key, "cleared": cleared},
        )
    return cleared


def accounts_disable_idle(*, actor=None, days: int | None = None) -> list[str]:
    """Disable accounts unused for ``days`` (等保: idle accounts are closed). Run by a daily job;
    ``actor`` None means the system itself."""
    from datetime import timedelta

    from django.conf import settings

    days = days if days is not None else settings.IDLE_ACCOUNT_DAYS
    if days <= 0:
        return []
    if actor is not None:
        scope.require(actor, Perm.MANAGE_SECURITY)
    cutoff = clock.now() - timedelta(days=days)
    idle = User.objects.filter(is_active=True).filter(_unused_since(cutoff))
    names: list[str] = []
    with transaction.atomic():
        for person in idle.select_for_update():
            User.objects.filter(pk=person.pk).update(
                is_active=False,
                deactivated_at=clock.now(),
                deactivation_reason=f"{days} 天未登录,自动停用",
            )
            record(
                actor=actor,
                actor_name="system" if actor is None else None,
                action="person.deactivate",
                obj=person,
                before={"is_active": True},
                after={"is_active": False},
                message=f"idle for {days} days",
            )
            names.append(person.username)
    return names


def _unused_since(cutoff):
    from django.db.models import Q

    # Never signed in: judged by when the account was created.
    return Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)


API_TOKEN_DAYS = 365


def api_token_issue(
    *, actor, person: User, name: str, days: int = API_TOKEN_DAYS
) -> tuple[ApiToken, str]:
    """Issue a token that acts as ``person``. Returns the token text, which is never stored.

    Administrators (三员) get no tokens: a token skips the second factor, which their roles need.
    """
    import hashlib
    import secrets
    from datetime import timedelta

    scope.require(actor, Perm.MANAGE_PEOPLE, person)
    if person.memberships.filter(is_active=True, role__in=[*ADMIN_ROLES, Role.OFFICE]).exists():
        raise ValidationError(
            _("Tokens are for integration accounts; this person's role needs a second factor."),
            field="name",
        )
    if not person.is_active:
        raise ValidationError(_("This person is deactivated."), field="person")
    name = clean_name(name, 60)
    if not 1 <= days <= API_TOKEN_DAYS:
        raise ValidationError(_("A token lives between 1 and 365 days."), field="days")
    text = "km_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=person,
            name=name,
            prefix=text[:10],
            digest=hashlib.sha256(text.encode()).hexdigest(),
            expires_at=clock.now() + timedelta(days=days),
        )
        record(
            actor=actor, action="token.issue", obj=token, after={"user": person.pk, "days": days}
        )
    return token, text


def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    scope.require(actor, Perm.MANAGE_PEOPLE, token.user)
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        token.refresh_from_db()
        record(actor=actor, action="token.revoke", obj=token)
    return token


def api_token_authenticate(text: str) -> User | None:
    """The person a bearer token acts as, or None for an unknown, expired or revoked token."""
    import hashlib

    if not text.startswith("km_") or len(text) > 100:
        return None
    digest = hashlib.sha256(text.encode()).hexdigest()
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
