from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from kaimen.lib.contracts.navigation import ITEMS


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kaimen.org import scope
    from kaimen.org.scope import Perm

    path = request.path.strip("/")
    items = []
    for item in ITEMS:
        if item.perm is not None and not scope.can_open(user, Perm(item.perm)):
            continue
        url = reverse(item.url_name)
        current = path.startswith(item.section) if item.section else path == ""
        items.append({"label": item.label, "url": url, "current": current})
    return {"nav_items": items, "user_roles": sorted(scope.roles_of(user))}
