"""Parser benchmark: how much of each corpus document's gold outline the parser finds, and how fast.

    make bench            (runs every benchmark)
    .venv/bin/python -m bench.parsing [--corpus DIR] [--no-speed]

Every ``corpus/<slug>.gold.json`` with a ``<slug>.txt``, ``.docx`` or ``.xlsx`` beside it is parsed
with ``parse_file`` (rules only, no language model) and compared with its gold tree.

Matching, precisely:

- *Normalising text*: full-width forms of ASCII (（ ， ： １ …) are folded to ASCII and the
  ideographic space to a space; then all whitespace is removed. A *heading* is also stripped of
  the punctuation at both ends (，、：；。.!? …).
- *Marker key*: the normalised marker without trailing 、 . , : (so ``一、`` = ``一.`` = ``一``,
  ``（一）`` = ``(一)``, ``1．`` = ``1.`` = ``1``, ``第一，`` = ``第一``).
- *Path*: the marker keys of the node's ancestors and of the node itself, joined with ``/``.
- A gold node *matches* an output node when their paths are equal, and, if the gold node has
  ``heading``, the normalised headings are equal, and, if it has ``starts_with``, the output
  node's body starts with it after normalising. The body is the node's text; when the gold node
  has a heading and the text starts with the output heading, the heading and the punctuation
  after it are cut off first. Gold nodes are taken in document order; each output node is
  matched at most once (the first unmatched candidate with the same path that agrees).
- *Heading recall*: matched gold nodes that have ``heading`` / all gold nodes that have it.
- *Item recall*: matched gold leaves (nodes without children: items, leaf headings, table rows) /
  all gold leaves.
- *Node precision*: output nodes matched by some gold node / all output nodes.
- *Owner accuracy*: over gold leaves whose ``owner.lead`` names a unit: the matched output leaf's
  first lead unit equals the gold's first lead, both mapped through the owners module's unit
  directory (short names → full names) when it exists, else compared after normalising. An
  unmatched leaf counts as wrong.
- Overall figures sum the counts over all documents (micro-average).

Speed, each figure in its own process so that imports and caches are counted as a user meets them:
structure alone (``build_outline``, markers and levels, no units) on ~1 MB of corpus text in
characters/s; the wall time of ``kaimen parse`` on a 3 KB file; and the wall time of ``kaimen
parse`` on ~1 MB over that of a bare ``jieba.lcut`` pass over the same text in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SOURCE_SUFFIXES = (".txt", ".docx", ".xlsx")

_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_EDGE = "，,、：:；;。.！!？?…—-"


def norm(text: str) -> str:
    return "".join(str(text).translate(_FOLD).split())


def norm_heading(text: str) -> str:
    return norm(text).strip(_EDGE.translate(_FOLD))


def marker_key(marker: str) -> str:
    return norm(marker).rstrip("、.,:")


# ---------------------------------------------------------------------------------------------
# Matching


@dataclass
class DocScore:
    slug: str
    characters: int = 0
    seconds: float = 0.0
    headings: int = 0
    headings_found: int = 0
    items: int = 0
    items_found: int = 0
    output_nodes: int = 0
    output_matched: int = 0
    owners: int = 0
    owners_right: int = 0
    misses: list[str] = field(default_factory=list)

    @staticmethod
    def _ratio(found: int, total: int) -> float:
        return found / total if total else 1.0

    @property
    def heading_recall(self) -> float:
        return self._ratio(self.headings_found, self.headings)

    @property
    def item_recall(self) -> float:
        return self._ratio(self.items_found, self.items)

    @property
    def precision(self) -> float:
        return self._ratio(self.output_matched, self.output_nodes)

    @property
    def owner_accuracy(self) -> float:
        return self._ratio(self.owners_right, self.owners)

    @property
    def worst(self) -> float:
        return min(self.heading_recall, self.item_recall, self.precision, self.owner_accuracy)

    def add(self, other: DocScore) -> None:
        for name in (
            "characters",
            "seconds",
            "headings",
            "headings_found",
            "items",
            "items_found",
            "output_nodes",
            "output_matched",
            "owners",
            "owners_right",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _walk(nodes: list[dict[str, Any]], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for node in nodes:
        path = f"{prefix}/{marker_key(node.get('marker', ''))}"
        yield path, node
        yield from _walk(node.get("children") or [], path)


def _body(out: dict[str, Any], gold: dict[str, Any]) -> str:
    text = norm(out.get("text", ""))
    heading = norm(out.get("heading", ""))
    if "heading" in gold and heading and text.startswith(heading):
        text = text[len(heading) :].lstrip("，,、：:；;。.！!？?".translate(_FOLD))
    return text


def _agrees(out: dict[str, Any], gold: dict[str, Any]) -> bool:
    if "heading" in gold and norm_heading(out.get("heading", "")) != norm_heading(gold["heading"]):
        return False
    return not (
        "starts_with" in gold and not _body(out, gold).startswith(norm(gold["starts_with"]))
    )


def unit_canonicaliser() -> Callable[[str], str]:
    """Short and full names of a unit to one form, through the owners module when it exists."""
    try:
        from kaimen.ledger.parsing import owners  # type: ignore[attr-defined]
        from kaimen.ledger.parsing.units import default_responsibility

        directory = owners.directory_for(
            owners.default_unit_names([r.unit for r in default_responsibility()])
        )
    except (ImportError, AttributeError):
        return norm

    def canonical(name: str) -> str:
        return norm(directory.match(name) or name)

    return canonical


def score_document(
    slug: str, output: dict[str, Any], gold: dict[str, Any], canonical: Callable[[str], str]
) -> DocScore:
    score = DocScore(slug)
    produced: dict[str, list[dict[str, Any]]] = {}
    for path, node in _walk(output.get("nodes", [])):
        produced.setdefault(path, []).append(node)
        score.output_nodes += 1
    used: set[int] = set()
    for path, want in _walk(gold.get("nodes", [])):
        is_leaf = not want.get("children")
        match = next(
            (n for n in produced.get(path, []) if id(n) not in used and _agrees(n, want)), None
        )
        if match is not None:
            used.add(id(match))
        found = match is not None
        if "heading" in want:
            score.headings += 1
            score.headings_found += found
        if is_leaf:
            score.items += 1
            score.items_found += found
        lead = ((want.get("owner") or {}).get("lead")) or []
        if is_leaf and lead:
            score.owners += 1
            got = ((match or {}).get("task") or {}).get("lead_units") or []
            right = bool(got) and canonical(got[0]) == canonical(lead[0])
            score.owners_right += right
            if found and not right:
                score.misses.append(f"{path} 牵头单位：应为 {lead[0]}，得到 {got[:1]}")
        if not found:
            score.misses.append(f"{path} {want.get('heading', want.get('starts_with', ''))}")
    score.output_matched = len(used)
    return score


# ---------------------------------------------------------------------------------------------
# The corpus


def corpus_documents(corpus: Path = CORPUS) -> list[tuple[str, Path, dict[str, Any]]]:
    """(slug, source file, gold) for every gold file that has its source beside it."""
    found = []
    for gold_path in sorted(corpus.glob("*.gold.json")):
        slug = gold_path.name[: -len(".gold.json")]
        source = next(
            (corpus / f"{slug}{s}" for s in SOURCE_SUFFIXES if (corpus / f"{slug}{s}").is_file()),
            None,
        )
        if source is not None:
            found.append((slug, source, json.loads(gold_path.read_text(encoding="utf-8"))))
    return found


def score_corpus(corpus: Path = CORPUS) -> tuple[DocScore, list[DocScore]]:
    from kaimen.ledger.parsing import parse_file
    from kaimen.ledger.parsing.readers import read_document

    canonical = unit_canonicaliser()
    # Load jieba's dictionary before the first timing, as a running server has it loaded.
    from kaimen.ledger.parsing import parse_text

    parse_text("一、重点任务\n（一）区发改局牵头加快项目建设。\n", use_llm=False)
    total = DocScore("全部")
    scores = []
    for slug, source, gold in corpus_documents(corpus):
        year = None
        started = time.perf_counter()
        doc = parse_file(source, year=year, use_llm=False)
        seconds = time.perf_counter() - started
        score = score_document(slug, doc.to_dict(), gold, canonical)
        score.characters = len(read_document(source).text)
        score.seconds = seconds
        scores.append(score)
        total.add(score)
    scores.sort(key=lambda s: (s.worst, s.slug))
    return total, scores


# ---------------------------------------------------------------------------------------------
# Speed, each in its own process


def corpus_text(corpus: Path = CORPUS, characters: int = 333_000) -> str:
    """The corpus's plain texts, repeated to about ``characters`` (≈ 1 MB of UTF-8)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    joined = "\n".join(texts) or "一、总体要求\n"
    return (joined + "\n") * (characters // len(joined) + 1)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _run_timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=_child_env())  # noqa: S603
    return time.perf_counter() - started


_STRUCTURE_ONLY = """
import sys, time
from kaimen.ledger.parsing.structure import build_outline
text = open(sys.argv[1], encoding="utf-8").read()
build_outline(text[:20000])
best = float("inf")
for _ in range(3):
    started = time.perf_counter()
    build_outline(text)
    best = min(best, time.perf_counter() - started)
print(len(text) / best)
"""

_BARE_JIEBA = """
import logging, sys, jieba
jieba.setLogLevel(logging.WARNING)
jieba.lcut(open(sys.argv[1], encoding="utf-8").read())
"""


def _kaimen_command() -> list[str]:
    script = Path(sys.executable).with_name("kaimen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kaimen.cli"]


def speed_figures(corpus: Path = CORPUS) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="kaimen-bench-") as tmp:
        big = Path(tmp) / "big.txt"
        big.write_text(corpus_text(corpus), encoding="utf-8")
        small = Path(tmp) / "small.txt"
        small.write_bytes(big.read_bytes()[:3_000].decode("utf-8", "ignore").encode("utf-8"))
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", _STRUCTURE_ONLY, str(big)],
            check=True,
            capture_output=True,
            text=True,
            env=_child_env(),
        )
        structure_rate = float(out.stdout.strip())
        kaimen = _kaimen_command()
        small_wall = min(_run_timed([*kaimen, "parse", str(small)]) for _ in range(3))
        parse_wall = _run_timed([*kaimen, "parse", str(big)])
        jieba_wall = _run_timed([sys.executable, "-c", _BARE_JIEBA, str(big)])
        return {
            "characters": len(big.read_text(encoding="utf-8")),
            "structure_chars_per_s": structure_rate,
            "parse_3kb_seconds": small_wall,
            "parse_1mb_seconds": parse_wall,
            "jieba_1mb_seconds": jieba_wall,
            "parse_over_jieba": parse_wall / jieba_wall,
        }


# ---------------------------------------------------------------------------------------------


def _line(score: DocScore) -> str:
    rate = score.characters / score.seconds if score.seconds else 0.0
    return (
        f"{score.slug:<44} 标题 {score.heading_recall:6.1%} ({score.headings_found}/{score.headings})"
        f"  条目 {score.item_recall:6.1%} ({score.items_found}/{score.items})"
        f"  精确 {score.precision:6.1%} ({score.output_matched}/{score.output_nodes})"
        f"  牵头 {score.owner_accuracy:6.1%} ({score.owners_right}/{score.owners})"
        f"  {rate:>10,.0f} 字/秒"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--no-speed", action="store_true", help="skip the timed subprocesses")
    parser.add_argument("--misses", action="store_true", help="list the gold nodes not found")
    args = parser.parse_args(argv)
    total, scores = score_corpus(args.corpus)
    print(f"{len(scores)} documents with gold in {args.corpus}")
    print(_line(total))
    for score in scores:
        print(_line(score))
        if args.misses:
            for miss in score.misses:
                print(f"    未找到 {miss}")
    if args.no_speed:
        return
    speed = speed_figures(args.corpus)
    print(
        f"structure only (markers and levels) on {speed['characters']:,} characters: "
        f"{speed['structure_chars_per_s']:,.0f} characters/s"
    )
    print(f"kaimen parse of a 3 KB file, wall time (best of 3): {speed['parse_3kb_seconds']:.2f} s")
    print(
        f"kaimen parse of ~1 MB: {speed['parse_1mb_seconds']:.2f} s; bare jieba.lcut of the same "
        f"text: {speed['jieba_1mb_seconds']:.2f} s; ratio {speed['parse_over_jieba']:.2f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
