"""From the parser's output (the JSON contract of DESIGN.md, ``ParsedDocument.to_dict()``) to the
rows of a review draft: one per node, with offsets into the source text and the parser's unit
names resolved to the district's units. Pure Python: units come in as a name → id mapping.

Whatever cannot be resolved (a unit name the district does not have, a reporting cadence the
ledger does not keep) is flagged on the item, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kaimen.ledger.alignment import Locator, Span
from kaimen.ledger.parsing.owners import is_collective

# The parser's recurrences → the ledger's report cadences (None: keep the default, weekly).
_CADENCE = {"weekly": "weekly", "ten_days": "ten_days", "monthly": "monthly"}
_CADENCE_NOTE = {
    "daily": "原文要求每日报送;台账最密按每周报送进展,如需每日调度请另行安排。",
    "quarterly": "原文要求每季度报送;台账最疏按每月报送进展,请确认。",
}
DEFAULT_CADENCE = "weekly"


@dataclass
class ItemSpec:
    order: int
    path: str
    parent_path: str
    marker: str
    level: int
    is_leaf: bool
    heading: str
    text: str
    span: Span | None
    kind: str = "exhortation"
    reason: str = ""
    lead_unit_id: int | None = None
    co_unit_ids: list[int] = field(default_factory=list)
    deadline: date | None = None
    deadline_phrase: str = ""
    cadence: str = DEFAULT_CADENCE
    milestones: list[dict[str, str]] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    named_owner: dict[str, Any] | None = None
    # [{"name", "role", "status": "open", "unit": None}]: named units the district lacks.
    unmatched_units: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalSpec:
    name: str
    kind: str
    duty: str
    source: str
    path: str


@dataclass
class DraftSpec:
    title: str
    preamble: str
    flags: list[str]
    items: list[ItemSpec]
    proposals: list[ProposalSpec]
    year: int | None
    campaign_end: date | None
    drafted_by: str


def _date(value: object) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _dedupe(values: list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _walk(nodes: list[dict[str, Any]], parent: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    for node in nodes:
        yield node, parent
        path = str(node.get("path") or "")
        yield from _walk(node.get("children") or [], path)


def _resolve(names: list[str], units: Mapping[str, int], flags: list[str], role: str) -> list[int]:
    ids: list[int] = []
    for name in names:
        unit_id = units.get(name)
        if unit_id is None:
            flags.append(f"建议的{role}“{name}”不在本区单位名录中,请手工指定。")
        elif unit_id not in ids:
            ids.append(unit_id)
    return ids


def _named(spec: ItemSpec, names: list[str], units: Mapping[str, int], role: str) -> list[str]:
    """The names the district knows; the others are kept, as written, for the office to map."""
    known: list[str] = []
    for name in names:
        if name in units:
            known.append(name)
        elif not is_collective(name) and all(u["name"] != name for u in spec.unmatched_units):
            spec.unmatched_units.append(
                {"name": name, "role": role, "status": "open", "unit": None}
            )
    return known


def _task_fields(spec: ItemSpec, task: dict[str, Any], units: Mapping[str, int]) -> None:
    spec.kind = "task" if task.get("kind") == "task" else "exhortation"
    spec.reason = str(task.get("reason") or "")
    spec.flags.extend(str(f) for f in task.get("flags") or [])
    spec.suggestions = [dict(s) for s in task.get("unit_suggestions") or [] if isinstance(s, dict)]
    if spec.kind != "task":
        return
    lead_names = [str(u) for u in task.get("lead_units") or []]
    co_names = [str(u) for u in task.get("co_units") or []]
    named = task.get("named_owner")
    if isinstance(named, dict):
        spec.named_owner = dict(named)
        lead_names = _named(spec, lead_names, units, "lead")
        co_names = _named(spec, co_names, units, "co")
    leads = _resolve(lead_names, units, spec.flags, "牵头单位")
    if len(leads) > 1:
        spec.flags.append("建议了多个牵头单位,台账只设一个牵头单位,其余列为配合单位,请确认。")
    spec.lead_unit_id = leads[0] if leads else None
    co = _resolve(co_names, units, spec.flags, "配合单位")
    spec.co_unit_ids = [u for u in [*leads[1:], *co] if u != spec.lead_unit_id]
    spec.deadline = _date(task.get("deadline"))
    spec.deadline_phrase = str(task.get("deadline_phrase") or "")[:60]
    recurrence = task.get("recurrence")
    if recurrence:
        spec.cadence = _CADENCE.get(str(recurrence), DEFAULT_CADENCE)
        if str(recurrence) in _CADENCE_NOTE:
            spec.flags.append(_CADENCE_NOTE[str(recurrence)])
    for milestone in task.get("milestones") or []:
        when = _date(milestone.get("date")) if isinstance(milestone, dict) else None
        if when is not None:
            label = str(milestone.get("phrase") or when.isoformat())
            spec.milestones.append({"label": label, "date": when.isoformat()})
    if spec.lead_unit_id is None and not any("牵头单位" in f or "找不到" in f for f in spec.flags):
        spec.flags.append("没有把握确定牵头单位,请手工指定。")
    if spec.deadline is None and not any("时限" in f for f in spec.flags):
        spec.flags.append("没有完成时限,请填写。")


def build_draft(parsed: dict[str, Any], *, source: str, units: Mapping[str, int]) -> DraftSpec:
    """Items in document order; headings too, so the review screen shows the speech's outline."""
    locator = Locator(source)
    items: list[ItemSpec] = []
    for order, (node, parent) in enumerate(_walk(parsed.get("nodes") or []), start=1):
        children = node.get("children") or []
        is_leaf = not children
        heading = str(node.get("heading") or "")
        text = str(node.get("text") or "")
        marker = str(node.get("marker") or "")
        # A heading is placed by its own words; searching its full text could run past its
        # children, which come next in the source.
        span = locator.find(text if is_leaf else heading, marker=marker)
        spec = ItemSpec(
            order=order * 10,
            path=str(node.get("path") or f"#{order}")[:120],
            parent_path=parent[:120],
            marker=marker[:20],
            level=int(node.get("level") or 1),
            is_leaf=is_leaf,
            heading=heading[:300],
            text=text,
            span=span,
            flags=[str(f) for f in node.get("flags") or []],
        )
        if is_leaf and isinstance(node.get("task"), dict):
            _task_fields(spec, node["task"], units)
        if span is None:
            spec.flags.append("未能在原文中定位这一条,请对照原文核对。")
        spec.flags = _dedupe(spec.flags)
        items.append(spec)
    proposals: dict[str, ProposalSpec] = {}
    for raw in parsed.get("proposed_units") or []:
        name = str(raw.get("name") or "").strip()[:60]
        if name and name not in proposals:
            proposals[name] = ProposalSpec(
                name=name,
                kind=str(raw.get("kind") or "task_force"),
                duty=str(raw.get("duty") or "")[:300],
                source=str(raw.get("source") or "")[:300],
                path=str(raw.get("path") or "")[:120],
            )
    return DraftSpec(
        title=str(parsed.get("title") or ""),
        preamble=str(parsed.get("preamble") or ""),
        flags=_dedupe([str(f) for f in parsed.get("flags") or []]),
        items=items,
        proposals=list(proposals.values()),
        year=parsed.get("year") if isinstance(parsed.get("year"), int) else None,
        campaign_end=_date(parsed.get("campaign_end")),
        drafted_by=str(parsed.get("source") or "rules")[:10],
    )
