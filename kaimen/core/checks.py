"""System checks: ``kaimen check`` fails when a default account is active (等保: default accounts
removed or renamed) or when the security settings fall below the baseline."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

DEFAULT_ACCOUNT_NAMES = ("admin", "root", "test", "administrator", "guest", "user")


@register(Tags.security, deploy=False)
def default_accounts(app_configs, **kwargs):
    from django.db import DatabaseError
    from django.db.models.functions import Lower

    from kaimen.org.models import User

    try:
        # User names are case-insensitive at login, so "Admin" is the default account too.
        names = list(
            User.objects.filter(is_active=True)
            .annotate(name_ci=Lower("username"))
            .filter(name_ci__in=DEFAULT_ACCOUNT_NAMES)
            .values_list("username", flat=True)
        )
    except DatabaseError:  # not migrated yet
        return []
    return [
        Error(
            f"Active account with a default name: {name!r}",
            hint="Rename or deactivate it (等保三级: default accounts must not be usable).",
            id="kaimen.E001",
        )
        for name in names
    ]


@register(Tags.security)
def security_baseline(app_configs, **kwargs):
    problems = []
    if settings.AXES_FAILURE_LIMIT > 5:
        problems.append(
            Error(
                "Lockout after more than 5 failures",
                hint="Set KAIMEN_LOCKOUT_FAILURES ≤ 5.",
                id="kaimen.E002",
            )
        )
    if settings.AXES_COOLOFF_TIME.total_seconds() < 300:
        problems.append(
            Error(
                "Lockout shorter than 5 minutes",
                hint="Set KAIMEN_LOCKOUT_MINUTES ≥ 5.",
                id="kaimen.E003",
            )
        )
    if settings.IDLE_TIMEOUT.total_seconds() > 30 * 60:
        problems.append(
            Error(
                "Idle timeout longer than 30 minutes",
                hint="Set KAIMEN_IDLE_MINUTES ≤ 30.",
                id="kaimen.E004",
            )
        )
    if settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1] not in {
        "Argon2PasswordHasher",
        "MD5PasswordHasher",
    }:
        problems.append(Error("Passwords must be hashed with argon2", id="kaimen.E005"))
    return problems
