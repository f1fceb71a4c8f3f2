"""The speech parser: a leader's speech or work plan → a proposed task ledger (任务分解表).

Pure Python, no Django: plain dataclasses in and out. ``parse_text`` / ``parse_file`` return a
``ParsedDocument`` whose ``to_dict()`` is the JSON contract of DESIGN.md ("The speech parser
contract"), plus review aids (flags, unit suggestions and why, deadline phrases, proposed task
forces) under extra keys.

    doc = parse_file("speech.pdf", year=2025)
    doc.to_dict()["nodes"][0]["children"][0]["heading"]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from kaimen.ledger.parsing import llm
from kaimen.ledger.parsing.classify import classify
from kaimen.ledger.parsing.owners import (
    NamedOwner,
    UnitDirectory,
    default_unit_names,
    directory_for,
    find_named_owner,
    strip_annotation,
)
from kaimen.ledger.parsing.readers import ParseError, read_document
from kaimen.ledger.parsing.structure import Node, Outline, build_outline
from kaimen.ledger.parsing.timephrases import Deadline, find_time_phrases, resolve_deadline
from kaimen.ledger.parsing.units import (
    ProposedUnit,
    ResponsibilityRule,
    UnitSuggestion,
    default_responsibility,
    find_proposed_units,
    load_responsibility,
    suggest_units,
)

__all__ = [
    "Node",
    "ParseError",
    "ParsedDocument",
    "ProposedUnit",
    "ResponsibilityRule",
    "TaskProposal",
    "UnitSuggestion",
    "load_responsibility",
    "parse_file",
    "parse_text",
]


@dataclass
class TaskProposal:
    """What the parser proposes for one leaf; the office reviews it before anything is published."""

    kind: str  # "task" | "exhortation"
    reason: str
    lead_units: list[str] = field(default_factory=list)
    co_units: list[str] = field(default_factory=list)
    deadline: date | None = None
    score: float = 0.0
    flags: list[str] = field(default_factory=list)
    unit_suggestions: list[UnitSuggestion] = field(default_factory=list)
    deadline_phrase: str | None = None
    # "text" | "campaign_end" | "none" | "llm"
    deadline_source: str = "none"
    recurrence: str | None = None
    milestones: list[tuple[str, date]] = field(default_factory=list)
    proposed_units: list[ProposedUnit] = field(default_factory=list)
    # The owners the document names for this item, as written ({"lead", "co", "source", ...}).
    named_owner: dict[str, Any] | None = None
    # Names of units the document gives that match no unit of the tree, as written.
    unmatched_units: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "reason": self.reason,
            "lead_units": list(self.lead_units),
            "co_units": list(self.co_units),
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "score": self.score,
            "flags": list(self.flags),
            "unit_suggestions": [s.to_dict() for s in self.unit_suggestions],
            "deadline_phrase": self.deadline_phrase,
            "deadline_source": self.deadline_source,
            "recurrence": self.recurrence,
            "milestones": [{"phrase": p, "date": d.isoformat()} for p, d in self.milestones],
            "proposed_units": [u.to_dict() for u in self.proposed_units],
            "named_owner": dict(self.named_owner) if self.named_owner else None,
            "unmatched_units": list(self.unmatched_units),
        }


def _node_to_dict(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {
        "marker": node.marker,
        "level": node.level,
        "heading": node.heading,
        "text": node.text,
        "children": [_node_to_dict(c) for c in node.children],
    }
    if not node.children:
        task = node.task or TaskProposal(kind="exhortation", reason="未分类。")
        data["task"] = task.to_dict()
    data["path"] = node.path
    data["flags"] = list(node.flags)
    return data


@dataclass
class ParsedDocument:
    title: str
    preamble: str
    nodes: list[Node]
    flags: list[str] = field(default_factory=list)
    proposed_units: list[ProposedUnit] = field(default_factory=list)
    year: int | None = None
    campaign_end: date | None = None
    # "rules" or "llm": who drafted the ledger
    source: str = "rules"
    # The closing call, signature, date and 抄送/印发 lines: kept out of every task.
    closing: str = ""

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()

    def leaves(self) -> list[Node]:
        return [n for n in self.walk() if not n.children]

    def tasks(self) -> list[Node]:
        """Leaves proposed as tasks, in document order (the rows of the 任务分解表)."""
        return [n for n in self.leaves() if n.task is not None and n.task.kind == "task"]

    @property
    def is_empty(self) -> bool:
        return not self.nodes

    def counts(self) -> dict[str, int]:
        leaves = self.leaves()
        return {
            "level1": sum(1 for n in self.walk() if n.level == 1),
            "level2": sum(1 for n in self.walk() if n.level == 2),
            "items": sum(1 for n in self.walk() if n.role == "item"),
            "leaves": len(leaves),
            "tasks": len(self.tasks()),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "preamble": self.preamble,
            "nodes": [_node_to_dict(n) for n in self.nodes],
            "flags": list(self.flags),
            "proposed_units": [u.to_dict() for u in self.proposed_units],
            "year": self.year,
            "campaign_end": self.campaign_end.isoformat() if self.campaign_end else None,
            "source": self.source,
            "closing": self.closing,
            "counts": self.counts(),
        }


# ---------------------------------------------------------------------------------------------

_YEAR = re.compile(r"(20\d{2})\s*年")


def _detect_year(*texts: str) -> int | None:
    for text in texts:
        m = _YEAR.search(text)
        if m:
            return int(m.group(1))
    return None


def _infer_campaign_end(title: str, year: int | None) -> date | None:
    """The campaign's last day as its title names it ("拼抢一季度" → 03-31)."""
    if year is None or not title:
        return None
    dated = [p.date for p in find_time_phrases(title, year=year) if p.date is not None]
    return max(dated) if dated else None


def _context_of(ancestors: list[Node]) -> str:
    return "。".join(a.heading for a in ancestors if a.heading)


def _propose(
    node: Node,
    ancestors: list[Node],
    *,
    rules: list[ResponsibilityRule] | None,
    directory: UnitDirectory,
    year: int | None,
    campaign_end: date | None,
    today: date | None,
    inherited: NamedOwner | None = None,
) -> TaskProposal:
    verdict = classify(node.text, truncated=node.truncated)
    owner = None if node.truncated else find_named_owner(node.text, directory=directory)
    if owner is None and not node.truncated:
        # "一、强化科技创新（区科技局牵头）": the heading's owner carries each item under it.
        owner = inherited
    flags: list[str] = list(node.flags)
    kind, reason = verdict.kind, verdict.reason
    if owner is not None:
        # The document names who carries it: that is an assignment, whatever the wording.
        kind = "task"
        reason = f"任务：原文点名责任单位“{owner.words}”。{verdict.reason}"
    elif verdict.borderline:
        flags.append("任务/号召的判断把握不大,请人工确认。")
    proposal = TaskProposal(kind=kind, reason=reason, score=verdict.score)
    proposal.proposed_units = find_proposed_units(node.text, path=node.path)
    if owner is not None:
        resolved = directory.resolve(owner)
        proposal.lead_units = resolved.lead_units
        proposal.co_units = resolved.co_units
        proposal.unmatched_units = resolved.unmatched
        proposal.named_owner = owner.to_dict()
        flags.extend(resolved.flags)
        if owner.source == "annotation":
            node.heading = strip_annotation(node.heading, owner) or node.heading
    elif kind == "task":
        assignment = suggest_units(node.text, rules, context=_context_of(ancestors))
        proposal.lead_units = assignment.lead_units
        proposal.co_units = assignment.co_units
        proposal.unit_suggestions = assignment.suggestions
        flags.extend(assignment.flags)
    if kind == "task":
        deadline = _deadline(node.text, owner, year=year, campaign_end=campaign_end, today=today)
        proposal.deadline = deadline.date
        proposal.deadline_phrase = deadline.phrase
        proposal.deadline_source = deadline.source
        proposal.recurrence = deadline.recurrence
        proposal.milestones = list(deadline.milestones)
        flags.extend(deadline.flags)
    proposal.flags = flags
    return proposal


def _deadline(
    text: str,
    owner: NamedOwner | None,
    *,
    year: int | None,
    campaign_end: date | None,
    today: date | None,
) -> Deadline:
    """The item's deadline; a time limit written in its owner annotation decides it."""
    deadline = resolve_deadline(text, year=year, campaign_end=campaign_end, today=today)
    if owner is None or not owner.deadline_text:
        return deadline
    named = resolve_deadline(owner.deadline_text, year=year, today=today)
    if named.date is None:
        return deadline
    milestones = tuple((p, d) for p, d in deadline.milestones if d < named.date)
    if deadline.date is not None and deadline.date < named.date and deadline.phrase:
        milestones = (*milestones, (deadline.phrase, deadline.date))
    return replace(named, recurrence=deadline.recurrence, milestones=milestones, flags=())


def _enrich(
    outline: Outline,
    *,
    rules: list[ResponsibilityRule] | None,
    directory: UnitDirectory,
    year: int | None,
    campaign_end: date | None,
    today: date | None,
) -> list[ProposedUnit]:
    proposed: list[ProposedUnit] = []

    def visit(node: Node, ancestors: list[Node], inherited: NamedOwner | None) -> None:
        if not node.children:
            node.task = _propose(
                node,
                ancestors,
                rules=rules,
                directory=directory,
                year=year,
                campaign_end=campaign_end,
                today=today,
                inherited=inherited,
            )
            proposed.extend(node.task.proposed_units)
            return
        own = find_named_owner(node.heading, directory=directory)
        if own is not None and own.source == "annotation":
            node.heading = strip_annotation(node.heading, own) or node.heading
            inherited = own
        for child in node.children:
            visit(child, [*ancestors, node], inherited)

    for root in outline.nodes:
        visit(root, [], None)
    # One body named in several items is one proposal; the first duty found is kept.
    merged: dict[str, ProposedUnit] = {}
    for unit in proposed:
        known = merged.get(unit.name)
        if known is None or (not known.duty and unit.duty):
            merged[unit.name] = unit if known is None else replace(known, duty=unit.duty)
    return list(merged.values())


def parse_text(
    text: str,
    *,
    year: int | None = None,
    responsibility: list[ResponsibilityRule] | None = None,
    campaign_end: date | None = None,
    today: date | None = None,
    hard_wrapped: bool | None = None,
    use_llm: bool | None = None,
    units: list[str] | None = None,
    aliases: dict[str, str] | None = None,
) -> ParsedDocument:
    """Parse a speech or plan into a proposed ledger. Never raises on any string.

    ``year`` is the campaign year (default: the first "20xx年" in the title or preamble).
    ``campaign_end`` is the default deadline (default: what the title names, e.g. 一季度 →
    03-31, flagged). ``responsibility`` replaces the shipped table. ``hard_wrapped`` says whether
    lines were wrapped at a fixed width (None: detect). ``use_llm`` None means: when
    KAIMEN_LLM_URL is set. ``units`` are the unit tree's names and ``aliases`` the office's
    own names for them (alias → unit), to match the owners a document names; without them, the
    responsibility table's units and the shipped short names are used.
    """
    outline = build_outline(text, hard_wrapped=hard_wrapped)
    flags = list(outline.flags)
    if year is None:
        year = _detect_year(outline.title, outline.preamble)
        if year is None and outline.nodes:
            flags.append("未能从标题中识别年份,时间表述无法换算成日期。请指定战役年份(--year)。")
    if campaign_end is None:
        campaign_end = _infer_campaign_end(outline.title, year)
        if campaign_end is not None:
            flags.append(
                f"战役结束日期按标题推断为 {campaign_end.isoformat()},未写明时限的任务以此为"
                "完成时限;请在发布时确认。"
            )

    if use_llm is None:
        use_llm = llm.config_from_env() is not None
    if use_llm:
        drafted, why = llm.draft_from_env(text)
        if drafted is not None:
            doc = document_from_dict(drafted, source="llm")
            doc.year, doc.campaign_end = year, campaign_end
            doc.flags.insert(0, "本台账由大模型起草,请逐条核对原文。")
            return doc
        flags.append(f"大模型起草未成功({why}),已改用规则解析。")

    if units is None:
        table = responsibility if responsibility is not None else default_responsibility()
        units = default_unit_names(rule.unit for rule in table)
    proposed = _enrich(
        outline,
        rules=responsibility,
        directory=directory_for(units, aliases),
        year=year,
        campaign_end=campaign_end,
        today=today,
    )
    return ParsedDocument(
        title=outline.title,
        preamble=outline.preamble,
        nodes=outline.nodes,
        flags=flags,
        proposed_units=proposed,
        year=year,
        campaign_end=campaign_end,
        closing=outline.closing,
    )


def parse_file(
    path: str | Path,
    *,
    year: int | None = None,
    responsibility: list[ResponsibilityRule] | None = None,
    **options: Any,
) -> ParsedDocument:
    """Read a .txt / .docx / .xlsx / .pdf and parse it; unreadable files raise ParseError."""
    source = read_document(path)
    options.setdefault("hard_wrapped", source.hard_wrapped)
    return parse_text(source.text, year=year, responsibility=responsibility, **options)


# ---------------------------------------------------------------------------------------------
# Building a document back from the contract (a model's draft, a saved review)


def _node_from_dict(data: dict[str, Any], prefix: str = "") -> Node:
    marker = str(data["marker"])
    key = marker.strip().rstrip("、.．")
    node = Node(
        marker=marker,
        level=int(data["level"]),
        heading=str(data["heading"]),
        text=str(data["text"]),
        role="item" if re.search("是$|^第|^首先|^其次|^再次|^最后", marker) else "heading",
        path=f"{prefix}/{key}" if prefix else key,
        flags=[str(f) for f in data.get("flags", [])],
    )
    node.children = [_node_from_dict(c, node.path) for c in data.get("children", [])]
    task = data.get("task")
    if not node.children and isinstance(task, dict):
        deadline = task.get("deadline")
        node.task = TaskProposal(
            kind=str(task["kind"]),
            reason=str(task["reason"]),
            lead_units=[str(u) for u in task.get("lead_units", [])],
            co_units=[str(u) for u in task.get("co_units", [])],
            deadline=date.fromisoformat(deadline) if deadline else None,
            deadline_source=str(task.get("deadline_source", "llm")),
            flags=[str(f) for f in task.get("flags", [])],
        )
    return node


def document_from_dict(data: dict[str, Any], *, source: str = "rules") -> ParsedDocument:
    """A ParsedDocument from a dict in the contract's shape (validate it first)."""
    return ParsedDocument(
        title=str(data["title"]),
        preamble=str(data["preamble"]),
        nodes=[_node_from_dict(n) for n in data["nodes"]],
        flags=[str(f) for f in data.get("flags", [])],
        source=source,
    )
