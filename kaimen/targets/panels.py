"""The home page's panel: how many lights are red, yellow and green, and red ones unexplained."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.lib.contracts.home import Panel
from kaimen.lib.periods import Period
from kaimen.org import scope
from kaimen.org.scope import Perm
from kaimen.targets import board, selectors


def lights_panel(request: HttpRequest) -> Panel | None:
    if not scope.can(request.user, Perm.TARGETS_VIEW):
        return None
    years = selectors.target_years()
    if not years:
        return None
    month = selectors.latest_period_with_figures(years[0])
    if month is None:
        return None
    result = board.board_for_user(user=request.user, year=years[0], end_month=month)
    if not result.rows:
        return None
    context = {"counts": result.counts, "period": str(Period.cumulative(years[0], month))}
    return Panel(
        _("Targets: where the lights stand"), "targets/_panel_lights.html", context, order=20
    )
