"""Check the evaluation corpus: every gold file loads and agrees with its text.

Run from the repository root: ``python corpus/check_gold.py [slug-prefix]``.
Markers, headings, body starts, owner units and deadlines named in a gold file
must all occur in the document's text (compared with punctuation folded to one
width and whitespace removed, as the bench compares them).
"""

import json
import re
import sys
import unicodedata
from pathlib import Path

CORPUS = Path(__file__).resolve().parent
KINDS = {"意见", "方案", "通知", "任务分解表", "讲话", "政府工作报告", "规划", "other"}
LEVELS = {"国家", "省", "市", "县区"}


def fold(text):
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


def document_text(slug):
    txt = CORPUS / f"{slug}.txt"
    if txt.exists():
        return txt.read_text(encoding="utf-8")
    from docx import Document

    doc = Document(CORPUS / f"{slug}.docx")
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def check_nodes(nodes, text, where, problems):
    for i, node in enumerate(nodes):
        here = f"{where}/{node.get('marker', '?')}#{i}"
        for key in ("marker", "heading", "starts_with", "deadline_text"):
            value = node.get(key)
            if value and fold(value) not in text:
                problems.append(f"{here}: {key} {value!r} not in text")
        owner = node.get("owner")
        if owner:
            if not owner.get("lead"):
                problems.append(f"{here}: owner without lead")
            for unit in owner.get("lead", []) + owner.get("co", []):
                if fold(unit) not in text:
                    problems.append(f"{here}: owner unit {unit!r} not in text")
        children = node.get("children")
        if children:
            check_nodes(children, text, here, problems)
        elif node.get("marker", "").startswith("附件"):
            continue
        elif node.get("starts_with") and node.get("kind") not in ("task", "exhortation"):
            problems.append(f"{here}: leaf without kind")


def check(slug):
    gold = json.loads((CORPUS / f"{slug}.gold.json").read_text(encoding="utf-8"))
    text = fold(document_text(slug))
    problems = []
    if fold(gold["title"]) not in text:
        problems.append(f"title {gold['title']!r} not in text")
    source = gold.get("source")
    if source is not None:
        for key in ("url", "publisher", "date", "retrieved_via", "note"):
            if not source.get(key):
                problems.append(f"source.{key} missing")
        if gold.get("kind") not in KINDS:
            problems.append(f"kind {gold.get('kind')!r} unknown")
        if gold.get("level") not in LEVELS:
            problems.append(f"level {gold.get('level')!r} unknown")
    check_nodes(gold["nodes"], text, "", problems)
    return problems


def main(prefix=""):
    failed = 0
    for gold_file in sorted(CORPUS.glob(f"{prefix}*.gold.json")):
        slug = gold_file.name[: -len(".gold.json")]
        problems = check(slug)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        print(f"{slug}: {status}")
        for problem in problems:
            print(f"  - {problem}")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
