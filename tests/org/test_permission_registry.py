"""The permission rules every app registered (kaimen.lib.contracts.permissions), with org.scope
as the one evaluator: every Perm has a rule from the app that owns it, and a code nobody
registered is denied to everyone."""

from __future__ import annotations

import pytest

from kaimen.lib.contracts import permissions
from kaimen.org import scope
from kaimen.org.scope import Perm

pytestmark = pytest.mark.django_db

OWNERS = {
    "business": "org",
    "units": "org",
    "people": "org",
    "roles": "org",
    "audit": "org",  # org owns the roles, the auditor's among them
    "security": "org",
    "pii": "org",
    "calendar": "core",
    "ledger": "ledger",
    "targets": "targets",
    "evaluation": "evaluation",
    "accountability": "accountability",
    "briefings": "briefings",
    "notifications": "notifications",
    "dashboard": "briefings",  # until the dashboard is an app of its own
}


@pytest.mark.parametrize("perm", list(Perm), ids=[p.value for p in Perm])
def test_every_perm_has_a_registered_rule_from_its_app(perm):
    entry = permissions.rule_for(perm)
    assert entry is not None, f"no rule for {perm}"
    assert entry.app == OWNERS[perm.value.split(".")[0]]
    assert entry.label


def test_every_registered_code_is_unique_and_named_by_perm():
    codes = [r.code for r in permissions.registered()]
    assert len(codes) == len(set(codes))
    assert set(codes) == {p.value for p in Perm}


def test_an_unknown_code_is_denied_to_everyone(cast):
    for role in ("leader", "office", "liaison_a", "member_a", "auditor", "sysadmin", "secadmin"):
        user = cast.role(role)
        assert not scope.can(user, "nobody.registered.this")
        assert not scope.can_open(user, "nobody.registered.this")
        with pytest.raises(scope.PermissionDenied):
            scope.require(user, "nobody.registered.this")


def test_a_registered_rule_decides_and_the_anonymous_are_never_asked(cast, monkeypatch):
    asked = []

    def rule(s, obj):
        asked.append((s.user_id, obj))
        return obj == "yes"

    monkeypatch.setattr(permissions, "_rules", dict(permissions._rules))
    permissions.register("plugin.do", rule, app="plugin", label="试")
    assert scope.can(cast.liaison_a, "plugin.do", "yes")
    assert not scope.can(cast.liaison_a, "plugin.do", "no")
    assert not scope.can(None, "plugin.do", "yes")
    assert asked == [(cast.liaison_a.pk, "yes"), (cast.liaison_a.pk, "no")]


def test_string_codes_and_perm_members_are_the_same_question(cast):
    assert scope.can(cast.office, "ledger.manage") == scope.can(cast.office, Perm.LEDGER_MANAGE)
    assert scope.can(cast.auditor, "audit.view")
    assert not scope.can(cast.office, "audit.view")
