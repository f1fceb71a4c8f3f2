from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from kaimen.lib.apikit import ERRORS, Pagination
from kaimen.org import scope, selectors

router = Router(tags=["org"])


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    parent_id: int | None
    is_active: bool


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    roles: list[str]
    unit_ids: list[int]


@router.get("/me", response={200: MeOut, **ERRORS})
def me(request: HttpRequest):
    s = scope.scope_for(request.user)
    return {
        "id": request.user.pk,
        "username": request.user.username,
        "display_name": request.user.display_name,
        "roles": sorted(s.roles),
        "unit_ids": sorted(s.units_with(*s.roles)),
    }


@router.get("/units", response={200: list[UnitOut], **ERRORS})
@paginate(Pagination)
def units(request: HttpRequest, kind: str = "", q: str = ""):
    return selectors.unit_list_for_user(user=request.user, kind=kind[:20], query=q[:50])


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS})
def unit(request: HttpRequest, unit_id: int):
    return selectors.unit_get_for_user(user=request.user, unit_id=unit_id)
