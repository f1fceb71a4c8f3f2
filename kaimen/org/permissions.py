"""The rules of org's own permissions (units, people, roles, security, the audit log and
business records as a whole), and the rule shapes other apps reuse for theirs.

``kaimen.org.scope.can`` is the one evaluator: it asks these rules through
``kaimen.lib.contracts.permissions``. Each rule takes the user's :class:`~kaimen.org.scope.Scope`
and the object of the question.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kaimen.lib.contracts import permissions
from kaimen.org.models import ADMIN_ROLES, Role, Unit

# ---------------------------------------------------------------------------------------------
# Rule shapes shared by the apps


def roles(*names: str):
    """A rule that holds for anyone with one of ``names`` among his roles."""

    def rule(s, obj=None) -> bool:
        return s.has(*names)

    rule.__qualname__ = f"roles{names}"
    return rule


def own_unit_reader(s, obj) -> bool:
    """obj None: whether the pages open at all; obj: a unit (or its id), which a liaison or
    member reads only for its own unit (leaders and the office read every unit)."""
    if s.sees_all_business:
        return True
    if obj is None:
        return bool(s.own_unit_ids)
    return getattr(obj, "pk", obj) in s.own_unit_ids


def unit_liaison(s, obj) -> bool:
    """obj: the unit (or its id) whose liaison acts; obj None: whether the user is a liaison."""
    liaison_units = s.units_with(Role.LIAISON)
    return bool(liaison_units) if obj is None else getattr(obj, "pk", obj) in liaison_units


# ---------------------------------------------------------------------------------------------
# org's rules


def _holds_admin_role(user) -> bool:
    return user.memberships.filter(is_active=True, role__in=list(ADMIN_ROLES)).exists()


def _unit_ids_of(user) -> frozenset[int]:
    return frozenset(user.memberships.filter(is_active=True).values_list("unit_id", flat=True))


def edit_unit_contact(s, obj) -> bool:
    if s.has(Role.OFFICE, Role.SYSADMIN):
        return True
    return obj is not None and obj.pk in s.units_with(Role.LIAISON)


def view_people(s, obj) -> bool:
    # obj: the unit whose people are listed, or one person (None = the whole directory)
    if s.has(Role.LEADER, Role.OFFICE, Role.SYSADMIN, Role.SECADMIN):
        return True
    if isinstance(obj, Unit):
        return obj.pk in s.units_with(Role.LIAISON)
    # a person: compare the units the person belongs to, never the person's own id
    return obj is not None and bool(_unit_ids_of(obj) & s.units_with(Role.LIAISON))


def manage_people(s, obj) -> bool:
    # obj: the person being managed (None = creating a new one)
    if s.has(Role.SYSADMIN):
        return obj is None or obj.pk != s.user_id
    if s.has(Role.OFFICE):
        return obj is None or (obj.pk != s.user_id and not _holds_admin_role(obj))
    return False


def grant_role(s, obj) -> bool:
    # obj: (target user, role)
    if obj is None:
        return s.has(Role.SECADMIN, Role.OFFICE)
    target, role = obj
    if target.pk == s.user_id:
        return False  # nobody grants roles to himself
    if role in ADMIN_ROLES:
        return s.has(Role.SECADMIN)
    return s.has(Role.SECADMIN, Role.OFFICE) and not _holds_admin_role(target)


def reveal_personal_data(s, obj) -> bool:
    return s.has(Role.OFFICE, Role.SYSADMIN) or (
        obj is not None and bool(_unit_ids_of(obj) & s.units_with(Role.LIAISON))
    )


RULES = (
    (
        "business.view",
        roles(Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER),
        _("Read business records"),
    ),
    (
        "units.view",
        roles(Role.LEADER, Role.OFFICE, Role.LIAISON, Role.MEMBER, Role.SYSADMIN, Role.SECADMIN),
        _("See units"),
    ),
    ("units.manage", roles(Role.OFFICE, Role.SYSADMIN), _("Manage units")),
    ("units.edit_contact", edit_unit_contact, _("Edit a unit's contact")),
    ("people.view", view_people, _("See people")),
    ("people.manage", manage_people, _("Manage people")),
    ("roles.grant", grant_role, _("Grant roles")),
    # 三员分立: the audit administrator reads the log (org owns the roles, so the rule is here)
    ("audit.view", roles(Role.AUDITOR), _("Read the audit log")),
    ("security.manage", roles(Role.SECADMIN), _("Manage security settings")),
    ("pii.reveal", reveal_personal_data, _("Reveal personal data")),
)


def register(rules=RULES, *, app: str = "org") -> None:
    for code, rule, label in rules:
        permissions.register(code, rule, app=app, label=label)
