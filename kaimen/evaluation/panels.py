"""The home panel: the user's own unit's latest standing (and, for the office, the objections
waiting for an answer)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.evaluation import selectors
from kaimen.lib.contracts.home import Panel


def standing_panel(request: HttpRequest) -> Panel | None:
    standing = selectors.home_standing(user=request.user)
    if standing is None:
        return None
    return Panel(
        _("Rankings: where my unit stands"),
        "evaluation/_panel_standing.html",
        {"standing": standing},
        order=30,
    )
