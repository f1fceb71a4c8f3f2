"""The leader dashboard (驾驶舱) is a set of panels about the whole district. Each app registers
the panel it can fill (its data and the template fragments that show it); the dashboard only
chooses the campaign and the period and loops over what is registered. An app not installed
simply has no panel (no fake numbers).

A panel's fragments go into the screen's slots: ``CLOCK`` (the items of the top bar), ``MAIN``
(the cards), ``COUNTERS`` (the alert counters) and ``ALERTS`` (the alert lists); within a slot,
fragments are shown by ``order``. A fragment template gets ``data`` (the panel's data) and
``dash`` (the screen: campaign, year, statistics period).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

CLOCK = "clock"
MAIN = "main"
COUNTERS = "counters"
ALERTS = "alerts"
SLOTS = (CLOCK, MAIN, COUNTERS, ALERTS)

LIST_LIMIT = 5  # rows per alert list and per peer group: one screen, the rest one click away


@dataclass(frozen=True)
class Frame:
    """What every panel is asked about: who looks (already allowed to open the dashboard), at
    which campaign, and the statistics period."""

    user: Any
    campaign: Any | None  # the campaign chosen on the screen; None when there is none
    year: int
    end_month: int | None  # the latest month with figures of the year; None before any
    today: date


@dataclass(frozen=True)
class Fragment:
    slot: str  # one of SLOTS
    template: str  # "targets/_dashboard.html#key"
    order: int = 100


@dataclass(frozen=True)
class Panel:
    name: str  # "targets", "ledger": how the page and the tests find a panel's data
    data: Any
    fragments: tuple[Fragment, ...]


PanelProvider = Callable[[Frame], Panel | None]
_providers: list[PanelProvider] = []


def register(provider: PanelProvider) -> PanelProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(frame: Frame) -> list[Panel]:
    return [panel for provider in _providers if (panel := provider(frame)) is not None]


# The statistics period comes from the app that keeps the figures (targets names it at start-up):
# given the campaign's year (None: no campaign) and today, the year shown and its latest month
# with figures.
PeriodSource = Callable[[int | None, date], tuple[int, int | None]]
_period_source: PeriodSource | None = None


def set_period_source(source: PeriodSource) -> None:
    global _period_source
    _period_source = source


def statistics_period(campaign_year: int | None, today: date) -> tuple[int, int | None]:
    if _period_source is None:
        return campaign_year or today.year, None
    return _period_source(campaign_year, today)
