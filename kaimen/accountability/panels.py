"""Home panels: the proposals awaiting the office's decision, and a liaison's own open items;
the dashboard's panel: how many proposals await a person's decision."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kaimen.accountability import selectors
from kaimen.accountability.models import Proposal, RunStatus
from kaimen.lib.contracts import dashboard
from kaimen.lib.contracts.home import Panel
from kaimen.org import scope
from kaimen.org.scope import Perm


def office_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not scope.can(user, Perm.ACCOUNTABILITY_DECIDE):
        return None
    queue = selectors.proposal_queue(user=user)
    count = queue.count()
    run = selectors.last_run()
    failed = run if run is not None and run.status == RunStatus.FAILED else None
    if not count and failed is None:
        return None
    context = {"open": count, "top": list(queue[:3]), "failed_run": failed}
    return Panel(_("Accountability"), "accountability/_panel_office.html", context, order=15)


def unit_panel(request: HttpRequest) -> Panel | None:
    """A liaison's or member's own unit: the confirmed steps about it, to explain. A proposal
    still awaiting a person's decision is not shown to the unit."""
    user = request.user
    units = selectors.own_unit_ids(user)
    if not units or scope.scope_for(user).sees_all_business:
        return None
    items = list(
        selectors.shown_to(user, Proposal.objects.filter(unit_id__in=units))
        .select_related("unit")
        .annotate(n_explanations=Count("explanations"))
        .order_by("-decided_at", "-pk")[:10]
    )
    if not items:
        return None
    context = {"items": items, "units": units}
    return Panel(
        _("Accountability proposals about my unit"),
        "accountability/_panel_unit.html",
        context,
        order=12,
    )


def dashboard_panel(frame: dashboard.Frame) -> dashboard.Panel:
    """The open proposals the viewer may see, as a counter among the dashboard's alerts."""
    return dashboard.Panel(
        "accountability",
        selectors.open_proposal_count(frame.user),
        (dashboard.Fragment(dashboard.COUNTERS, "accountability/_dashboard.html#counter", 30),),
    )
