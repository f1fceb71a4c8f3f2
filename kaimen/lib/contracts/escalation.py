"""Escalation facts: what the one ladder 提醒 → 督办 → 约谈 → 通报 → 问责建议 is climbed on.

Each domain app registers, from its ``AppConfig.ready()``, a *fact provider*: given a
:class:`Window` (a campaign, its year, today, the official calendar) it returns the lapses it
knows of — a task's missed report, an overdue task or milestone, a red light left unexplained —
as :class:`Fact` rows. ``accountability`` reads only this registry: it dedupes the facts by
their lapse key (one lapse is one fact, however many providers or weeks report it) and proposes
the next step of the one ladder. Nothing here proposes or applies anything.

The other registry holds *step readers*: each returns the steps a person has already confirmed
(:class:`PriorStep`) — ``accountability`` its confirmed proposals, the ledger its historical
supervision records. The ladder reads them as the rungs already climbed; a ledger page reads
them to show a task's confirmed steps without importing ``accountability``. A reader returns
confirmed steps only: an unconfirmed proposal is never shown to the unit concerned.

Pure: imports nothing of Kaimen outside ``lib``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# The ladder's rungs, bottom up, with their names; the rules in ``accountability`` own the
# logic, this is only the shared vocabulary (values are stored in the database).
STEPS: tuple[tuple[str, str], ...] = (
    ("remind", "提醒"),
    ("supervise", "督办"),
    ("interview", "约谈"),
    ("notify", "通报"),
    ("accountability", "问责建议"),
)
STEP_LABELS: dict[str, str] = dict(STEPS)

# The kinds of fact the ladder knows; an app may register others, which the rules ignore.
MISSED_REPORT = "missed_report"  # a progress report not in on time (one lapse until it comes)
OVERDUE_TASK = "overdue_task"  # a task past its deadline, not reported done
MISSED_MILESTONE = "missed_milestone"  # a milestone past its date, not reached
RED_LIGHT = "red_light"  # a red light of a target, one release


@dataclass(frozen=True)
class Window:
    """What a provider is asked about."""

    campaign_id: int
    year: int
    today: date
    calendar: Any  # kaimen.lib.official_calendar.OfficialCalendar
    # Whether this campaign answers for the year's facts that belong to no campaign (the
    # lights): only one campaign of a year does, so two never propose on the same red light.
    year_facts: bool = True


@dataclass(frozen=True)
class Fact:
    kind: str  # one of the kinds above
    subject: str  # what it is about: "task:<id>", "indicator:<code>[@<row unit id>]"
    unit: int  # the id of the unit that answers for it
    lapse: str  # one lapse, stable across runs: "task:12:report:2025-03-03"
    on: date  # the day the lapse began (the missed due date, the release)
    description: str  # one sentence in Chinese, for the proposal's facts
    link: str = ""  # the page that shows it
    unit_name: str = ""
    subject_label: str = ""  # "任务“…”", "指标“…”"
    until: date | None = None  # the day the lapse ended (a late report), None while it lasts
    refs: Mapping[str, int] = field(default_factory=dict)  # {"task": 12}, {"target": 9, ...}
    evidence: Mapping[str, Any] = field(default_factory=dict)  # plain JSON, for the record


Provider = Callable[[Window], Iterable[Fact]]
_providers: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> Provider:
    """Register (or replace) the fact provider ``name`` — an app registers its own once."""
    _providers[name] = provider
    return provider


def unregister(name: str) -> None:
    _providers.pop(name, None)


def providers() -> dict[str, Provider]:
    return dict(_providers)


def facts(window: Window) -> list[Fact]:
    """Every registered provider's facts, each lapse once (the first provider to name it)."""
    seen: dict[str, Fact] = {}
    for name in sorted(_providers):
        for fact in _providers[name](window):
            seen.setdefault(fact.lapse, fact)
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# Steps already confirmed


@dataclass(frozen=True)
class PriorStep:
    unit: int
    subject: str  # the matter the step was taken on ("task:12", "reports", "indicator:…")
    kind: str  # the kind of fact it answered (MISSED_REPORT, OVERDUE_TASK, …)
    step: str  # one of the values of STEPS
    confirmed_on: date
    source: str  # who recorded it: "accountability", "ledger"
    campaign_id: int | None = None
    description: str = ""
    link: str = ""
    lapses: tuple[str, ...] = ()  # the lapses it answered, where known

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.step, self.step)

    def concerns(self, about: str) -> bool:
        """Whether the step is about ``about`` (a subject such as "task:12"): its own subject,
        or one of the lapses it answered ("task:12:report:…")."""
        return self.subject == about or any(
            lapse == about or lapse.startswith(f"{about}:") for lapse in self.lapses
        )


@dataclass(frozen=True)
class StepQuery:
    campaign_id: int | None = None
    about: str | None = None  # a subject: the steps that concern it (PriorStep.concerns)


StepReader = Callable[[StepQuery], Iterable[PriorStep]]
_readers: dict[str, StepReader] = {}


def register_step_reader(name: str, reader: StepReader) -> StepReader:
    _readers[name] = reader
    return reader


def confirmed_steps(query: StepQuery | None = None) -> list[PriorStep]:
    """Every confirmed step the readers know, oldest first; filtered by ``query``."""
    query = query or StepQuery()
    steps = [
        step
        for name in sorted(_readers)
        for step in _readers[name](query)
        if (query.campaign_id is None or step.campaign_id in (None, query.campaign_id))
        and (query.about is None or step.concerns(query.about))
    ]
    return sorted(steps, key=lambda s: (s.confirmed_on, step_rank(s.step), s.source))


def step_rank(step: str) -> int:
    """0 for 提醒 … 4 for 问责建议; -1 for a value the ladder does not know."""
    values = [value for value, _label in STEPS]
    return values.index(step) if step in values else -1
