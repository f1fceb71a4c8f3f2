from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from kaimen.lib.contracts.navigation import GROUPS, ITEMS


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from kaimen.core.landing import HOME, landing_url_name
    from kaimen.org import scope
    from kaimen.org.scope import Perm

    path = request.path.strip("/")
    # a user whose first screen is another page (a leader's: the dashboard) has no 首页 entry
    landing = landing_url_name(user)
    order = {group.key: index for index, group in enumerate(GROUPS)}
    items = []
    for item in ITEMS:
        if item.url_name == HOME and landing != HOME:
            continue
        if item.perm is not None and not scope.can_open(user, Perm(item.perm)):
            continue
        matches = path.startswith(item.section) if item.section else path == ""
        items.append(
            {
                "label": item.label,
                "url": reverse(item.url_name),
                "current": matches,
                "section": item.section,
                "group": item.group if item.group in order else f"_{item.url_name}",
            }
        )
    # only the most specific entry is current ("ledger/drafts" rather than "ledger")
    marked = [item for item in items if item["current"]]
    if len(marked) > 1:
        best = max(marked, key=lambda item: len(item["section"]))
        for item in marked:
            item["current"] = item is best
    items.sort(key=lambda item: order.get(item["group"], len(order)))  # stable within a group
    labels = {group.key: group.label for group in GROUPS}
    groups: list[dict] = []
    for item in items:
        if groups and groups[-1]["key"] == item["group"]:
            groups[-1]["items"].append(item)
        else:
            groups.append({"key": item["group"], "items": [item]})
    for group in groups:
        members = group["items"]
        group["label"] = labels[group["key"]] if len(members) > 1 else members[0]["label"]
        group["url"] = members[0]["url"]
        group["current"] = any(item["current"] for item in members)
    return {"nav_items": items, "nav_groups": groups, "user_roles": sorted(scope.roles_of(user))}
