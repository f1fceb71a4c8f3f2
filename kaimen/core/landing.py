"""Where a signed-in user lands: 首页, unless an app registered another first screen for one of
the user's roles (the dashboard for leaders: kaimen.lib.contracts.navigation.LANDINGS)."""

from __future__ import annotations

from kaimen.lib.contracts.navigation import LANDINGS
from kaimen.org import scope
from kaimen.org.scope import Perm

HOME = "core:home"


def landing_url_name(user) -> str:
    if user is None or not user.is_authenticated:
        return HOME
    roles = set(scope.roles_of(user))
    for landing in LANDINGS:
        if landing.role in roles and scope.can_open(user, Perm(landing.perm)):
            return landing.url_name
    return HOME
