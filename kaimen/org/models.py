from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class KaimenUserManager(UserManager):
    def get_by_natural_key(self, username: str):
        # User names are unique case-insensitively (等保: unique identities), so "ZhangSan" and
        # "zhangsan" are one person at the login form.
        return self.get(username__iexact=username)


class User(AbstractUser):
    display_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    must_change_password = models.BooleanField(default=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = KaimenUserManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="org_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class UnitKind(models.TextChoices):
    LEADERSHIP = "leadership", _("Leadership")
    DEPARTMENT = "department", _("Department")
    TOWN = "town", _("Town / street")
    TASK_FORCE = "task_force", _("Task force")


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    duties = models.TextField(_("duties"), blank=True)
    contact_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEADER = "leader", _("District leader")
    OFFICE = "office", _("Campaign office")
    LIAISON = "liaison", _("Liaison officer")
    MEMBER = "member", _("Member")
    AUDITOR = "auditor", _("Audit administrator")
    SYSADMIN = "sysadmin", _("System administrator")
    SECADMIN = "secadmin", _("Security administrator")


# 三员分立: system, security and audit administration are held by three different people.
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
BUSINESS_ROLES = frozenset({Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER})


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=models.Q(is_active=True),
                name="org_membership_active_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for an integration, acting as one person with that person's scope.

    Only a digest is stored; the token itself is shown once, when it is issued.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("purpose"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"
