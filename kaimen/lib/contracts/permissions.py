"""Permission rules. Each app registers the rules of its own permissions from its
``AppConfig.ready()`` (in ``kaimen/<app>/permissions.py``); ``kaimen.org.scope.can`` looks the
rule up and is still the only place a decision is made. A code nobody registered is denied.

A rule is ``rule(scope, obj) -> bool``: ``scope`` is the signed-in user's roles as
``kaimen.org.scope.Scope`` hands them over (never an anonymous user: ``can`` refuses those
before asking), ``obj`` whatever the caller passes (a unit, a task, a unit id, ``None``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Rule = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class PermissionRule:
    code: str  # "ledger.task.report"
    rule: Rule
    app: str = ""  # the app label that owns the permission
    label: Any = ""  # what it allows, for people (a lazy translation or a str)


_rules: dict[str, PermissionRule] = {}


def register(code: str, rule: Rule, *, app: str = "", label: Any = "") -> PermissionRule:
    """Register the rule of ``code``. Registering the same rule again (``ready()`` run twice)
    changes nothing; a second, different rule for a code is refused."""
    code = str(code)
    existing = _rules.get(code)
    if existing is not None:
        if existing.rule is rule:
            return existing
        raise ValueError(f"permission {code!r} already has a rule (from {existing.app or '?'})")
    entry = PermissionRule(code, rule, app, label)
    _rules[code] = entry
    return entry


def rule_for(code: str) -> PermissionRule | None:
    return _rules.get(str(code))


def registered() -> list[PermissionRule]:
    """Every rule, in the order the apps registered them."""
    return list(_rules.values())
