"""The home panel "my unit's tasks": real counts, nothing invented."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.ledger import selectors
from kaimen.lib.contracts.home import Panel


def unit_tasks_panel(request: HttpRequest) -> Panel | None:
    work = selectors.unit_work(user=request.user)
    if work is None:
        return None
    return Panel(_("My unit's tasks"), "ledger/_panel_tasks.html", {"work": work}, order=10)
