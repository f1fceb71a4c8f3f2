"""What the audit pages ask of the layer that knows users and units (org), which sits above
audit: whether a user may do something (the permission evaluator), which units a filter offers,
and how to name a unit. ``kaimen.org`` installs the answers from its ``AppConfig.ready()``;
until it has, every question is answered "no" (nothing shown, nothing allowed)."""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.translation import gettext as _

from kaimen.lib.errors import PermissionDenied

VIEW_AUDIT = "audit.view"  # read the audit log (the audit administrator, 三员分立)


class AccessProvider(Protocol):
    def can(self, user: Any, code: str, obj: Any = None) -> bool: ...

    def require(self, user: Any, code: str, obj: Any = None) -> None: ...

    def units(self) -> Any:
        """The units a filter may offer (a queryset of the unit model)."""
        ...

    def unit_name(self, unit_id: int) -> str: ...


_provider: AccessProvider | None = None


def install(provider: AccessProvider) -> None:
    global _provider
    _provider = provider


def installed() -> bool:
    return _provider is not None


def can(user: Any, code: str, obj: Any = None) -> bool:
    return _provider is not None and _provider.can(user, code, obj)


def require(user: Any, code: str, obj: Any = None) -> None:
    if _provider is None:
        raise PermissionDenied(_("You do not have permission for this action."), code=str(code))
    _provider.require(user, code, obj)


def units() -> Any:
    if _provider is None:
        raise LookupError("no access provider installed (kaimen.org is not ready)")
    return _provider.units()


def unit_name(unit_id: int) -> str:
    return _provider.unit_name(unit_id) if _provider is not None else str(unit_id)
