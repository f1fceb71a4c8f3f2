"""The targets' escalation facts: red lights, for the one ladder in ``accountability``.

Registered from ``TargetsConfig.ready()`` in ``kaimen.lib.contracts.escalation``. A fact is one
red release of a target in the run of red releases that lasts to the latest release (a release
that is not red ends the run; a release not yet published does not). Its lapse is the target and
the release, so the same red light is one fact however often the ladder runs; whether the unit
has explained it (说明) is part of the fact.

Choices made here, each for a reason:

* A light is the monitoring board's light of the unit's row at each release of the year, up to
  the latest release with figures for that indicator; its date is when the figure was first
  entered. The board is read through one call site, :func:`_board`.
* The district's own rows are answered for by the indicator's owner department, as on the
  board; rows whose answerable unit is the leadership itself are left out.
* A release the Spring Festival note marks as not comparable (春节错月: 1-2月, 一季度) keeps its
  light in the evidence but is no fact, in a campaign that keeps ``spring_festival_exempt`` on
  (the default): the note says "不宜据此亮灯问责".
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from kaimen.campaigns.models import Campaign
from kaimen.lib.contracts import escalation
from kaimen.lib.contracts.escalation import Fact, Window
from kaimen.org.models import Unit, UnitKind
from kaimen.targets.board import Row, board_rows
from kaimen.targets.models import Actual
from kaimen.targets.selectors import responsible_unit_id


def indicator_subject(code: str, *, row_unit_id: int, answerable_unit_id: int) -> str:
    """The indicator part of a matter: the code for a unit's own row; code@row unit when a
    department answers for another unit's row (the district's)."""
    return code if row_unit_id == answerable_unit_id else f"{code}@{row_unit_id}"


def _board(year: int, month: int) -> list[Row]:
    """The monitoring board of one release: the one place the ladder reads it."""
    return board_rows(year=year, end_month=month)


def facts(window: Window) -> list[Fact]:
    year, today = window.year, window.today
    if not window.year_facts or year > today.year:
        return []
    first_entered: dict[tuple[int, int, int], date] = {}
    last_month: dict[int, int] = {}
    for row in (
        Actual.objects.filter(year=year, end_month__lte=12 if year < today.year else today.month)
        .values("indicator_id", "unit_id", "end_month")
        .annotate(first=Min("entered_at"))
        .order_by()
    ):
        key = (row["indicator_id"], row["unit_id"], row["end_month"])
        first_entered[key] = timezone.localdate(row["first"])
        last_month[row["indicator_id"]] = max(
            last_month.get(row["indicator_id"], 0), row["end_month"]
        )
    if not last_month:
        return []
    exempt = spring_festival_exempt(window.campaign_id)
    spared: set[tuple[int, int]] = set()  # (target, month) distorted by the Spring Festival
    series: dict[int, list[tuple[str, date, str | None, int, bool]]] = defaultdict(list)
    targets = {}
    for month in range(1, max(last_month.values()) + 1):
        for row in _board(year, month):
            indicator = row.indicator
            if row.period is None or row.period.end_month != month:
                continue  # not a release month of this indicator (GDP at 1-5月 is 一季度's)
            if month > last_month.get(indicator.pk, 0):
                continue  # not released yet: no entry rather than a gap that ends a streak
            target = row.target
            targets[target.pk] = target
            published = first_entered.get(
                (indicator.pk, target.unit_id, month), row.period.end_date
            )
            light = str(row.light) if row.figure is not None and row.light else None
            if exempt and row.spring_note:
                spared.add((target.pk, month))
            series[target.pk].append(
                (row.period.label, published, light, month, row.explanation is not None)
            )
    answerable = {t.pk: responsible_unit_id(t) for t in targets.values()}
    unit_names = dict(
        Unit.objects.filter(pk__in=set(answerable.values()))
        .exclude(kind=UnitKind.LEADERSHIP)
        .values_list("pk", "name")
    )
    out: list[Fact] = []
    for target_id, entries in series.items():
        streak = []
        for entry in reversed(entries):
            if entry[2] != "red":
                break
            streak.append(entry)
        if not streak:
            continue
        target = targets[target_id]
        unit_id = answerable[target_id]
        if unit_id not in unit_names:
            continue
        indicator = target.indicator
        code = indicator_subject(
            indicator.code, row_unit_id=target.unit_id, answerable_unit_id=unit_id
        )
        if target.unit_id == unit_id:
            name = indicator.name
        elif target.unit.kind == UnitKind.LEADERSHIP:
            name = f"{indicator.name}（全区）"
        else:
            name = f"{indicator.name}（{target.unit.name}）"
        evidence = {
            "year": year,
            "indicator_name": name,
            "lights": [
                {"period": p, "light": light, "published_on": on.isoformat()}
                for p, on, light, _m, _e in entries
            ],
        }
        link = reverse("targets:monitoring")
        for period, published, _light, month, explained in reversed(streak):
            if (target_id, month) in spared:
                continue  # shown with the Spring Festival note, not a lapse
            said = "单位已作说明" if explained else "单位尚未说明"
            out.append(
                Fact(
                    kind=escalation.RED_LIGHT,
                    subject=f"indicator:{code}",
                    unit=unit_id,
                    lapse=f"indicator:{code}:target:{target_id}:{year}-{month:02d}",
                    on=published,
                    description=f"“{name}”{period}亮红灯（{said}）。",
                    link=link,
                    unit_name=unit_names[unit_id],
                    subject_label=f"指标“{name}”",
                    refs={"indicator": indicator.pk, "target": target.pk},
                    evidence=evidence | {"period": period, "explained": explained},
                )
            )
    return out


def spring_festival_exempt(campaign_id: int) -> bool:
    """Whether the campaign keeps the Spring Festival months out of accountability (default on;
    on as well when the campaign is unknown)."""
    value = (
        Campaign.objects.filter(pk=campaign_id)
        .values_list("spring_festival_exempt", flat=True)
        .first()
    )
    return True if value is None else value


def register() -> None:
    escalation.register("targets", facts)
