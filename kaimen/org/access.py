"""org's answers to the audit pages (``kaimen.lib.contracts.access``): audit sits below org and
asks through the contract; the decisions are still ``kaimen.org.scope``'s."""

from __future__ import annotations

from typing import Any

from kaimen.lib.contracts import access
from kaimen.org import scope
from kaimen.org.models import Unit


class OrgAccess:
    def can(self, user: Any, code: str, obj: Any = None) -> bool:
        return scope.can(user, code, obj)

    def require(self, user: Any, code: str, obj: Any = None) -> None:
        scope.require(user, code, obj)

    def units(self):
        return Unit.objects.all()

    def unit_name(self, unit_id: int) -> str:
        unit = Unit.objects.filter(pk=unit_id).only("name").first()
        return unit.name if unit is not None else str(unit_id)


def install() -> None:
    access.install(OrgAccess())
