"""The leader dashboard (驾驶舱): where the campaign stands, on one screen. Selection only.

A leader glances at it on the wall screen of the meeting room or on a laptop before the Monday
dispatch meeting, so everything here is already decided elsewhere and only gathered. The
dashboard itself chooses the campaign and the statistics period and shows the campaign's clock;
every other part is a panel an app registered (``kaimen.lib.contracts.dashboard``): the key
indicators, the lights and the nowcast by targets, the tasks and the overdue ones by the
ledger, the published rankings and the 红黑榜 by evaluation, the open proposals by
accountability. Nothing on the screen is invented: a ranking not yet published says so, a
nowcast without history says why.

Only leaders and the campaign office open the dashboard (``Perm.DASHBOARD_VIEW``); both read
every business record, so the panels are not narrowed further.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from kaimen.campaigns.models import Campaign, CampaignStatus
from kaimen.lib import clock
from kaimen.lib.contracts import dashboard as panels
from kaimen.lib.contracts.dashboard import Fragment, Frame, Panel
from kaimen.lib.errors import NotFound
from kaimen.lib.periods import Period, elapsed_share_of_year
from kaimen.org import scope
from kaimen.org.scope import Perm

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CampaignClock:
    start: date
    end: date
    day: int  # today's day of the campaign (0 before it starts)
    days: int
    pct: Decimal  # 0–100
    state: str  # "upcoming" | "running" | "ended"


@dataclass(frozen=True)
class Placed:
    """A panel's fragment in its slot, with the panel's data."""

    template: str
    data: Any
    order: int


@dataclass(frozen=True)
class Dashboard:
    computed_at: datetime
    campaign: Campaign | None
    campaigns: list[Campaign]
    year: int
    end_month: int | None
    period_label: str  # "2025年1-3月"
    year_progress_pct: Decimal | None  # 时间进度 at the statistics period
    campaign_clock: CampaignClock | None
    panels: tuple[Panel, ...] = ()
    slots: dict[str, list[Placed]] = field(default_factory=dict)

    @property
    def year_progress_text(self) -> str:
        """ "24.66%": the time progress as people write it (no trailing zeros)."""
        if self.year_progress_pct is None:
            return "—"
        return f"{format(self.year_progress_pct.normalize(), 'f')}%"

    def panel(self, name: str) -> Any:
        """The data of the panel ``name`` registered ("targets", "ledger"...); None if none."""
        return next((p.data for p in self.panels if p.name == name), None)


def dashboard_for_user(*, user, campaign_id: int | None = None) -> Dashboard:
    """Everything the dashboard shows, for a leader or the office (others: PermissionDenied).

    ``campaign_id`` chooses the campaign (default: the one running today, else the latest);
    its year gives the targets, the latest month with figures the statistics period."""
    scope.require(user, Perm.DASHBOARD_VIEW)
    now = clock.now()
    today = clock.today()
    campaigns = list(Campaign.objects.order_by("-year", "-start", "name")[:50])
    campaign = _campaign(campaigns, campaign_id, today)
    year, end_month = panels.statistics_period(campaign.year if campaign else None, today)
    registered = tuple(panels.panels_for(Frame(user, campaign, year, end_month, today)))
    return Dashboard(
        computed_at=now,
        campaign=campaign,
        campaigns=campaigns,
        year=year,
        end_month=end_month,
        period_label=f"{year}年{Period.cumulative(year, end_month).label}" if end_month else "",
        year_progress_pct=(
            (elapsed_share_of_year(Period.cumulative(year, end_month)) * HUNDRED).quantize(
                Decimal("0.01")
            )
            if end_month
            else None
        ),
        campaign_clock=_campaign_clock(campaign, today) if campaign else None,
        panels=registered,
        slots=_slots(registered),
    )


def _slots(registered: tuple[Panel, ...]) -> dict[str, list[Placed]]:
    slots: dict[str, list[Placed]] = {slot: [] for slot in panels.SLOTS}
    for panel in registered:
        fragment: Fragment
        for fragment in panel.fragments:
            slots.setdefault(fragment.slot, []).append(
                Placed(fragment.template, panel.data, fragment.order)
            )
    for placed in slots.values():
        placed.sort(key=lambda p: p.order)
    return slots


def _campaign(campaigns: list[Campaign], campaign_id: int | None, today: date) -> Campaign | None:
    if campaign_id is not None:
        for c in campaigns:
            if c.pk == campaign_id:
                return c
        try:
            return Campaign.objects.get(pk=campaign_id)
        except Campaign.DoesNotExist as exc:
            raise NotFound(
                "没有找到这个战役：它可能已被删除，请从驾驶舱的战役列表中重新选择。"
            ) from exc
    active = [c for c in campaigns if c.status == CampaignStatus.ACTIVE]
    running = [c for c in active if c.start <= today <= c.end]
    return (running or active or campaigns or [None])[0]


def _campaign_clock(campaign: Campaign, today: date) -> CampaignClock:
    days = (campaign.end - campaign.start).days + 1
    if today < campaign.start:
        day, state = 0, "upcoming"
    elif today > campaign.end:
        day, state = days, "ended"
    else:
        day, state = (today - campaign.start).days + 1, "running"
    pct = (Decimal(day) / Decimal(days) * HUNDRED).quantize(Decimal("0.1"))
    return CampaignClock(campaign.start, campaign.end, day, days, pct, state)
