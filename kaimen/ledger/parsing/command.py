"""``kaimen parse FILE [--year YYYY] [--format json|xlsx|docx] [--out PATH]``: a speech or plan
→ the proposed ledger, without touching the database (DESIGN.md, "The speech parser contract").

The parser is pure Python, so ``kaimen parse`` runs here without setting Django up: the
``kaimen`` script hands the command to ``main`` before it loads any app. The management command
of the same name calls ``run`` too, so both give the same output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

HELP = "Parse a speech, work plan or task table (.txt, .docx, .xlsx, .pdf) into a proposed task ledger."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the speech, plan or task table (.txt, .docx, .xlsx or .pdf)")
    parser.add_argument("--year", type=int, help="campaign year (default: from the title)")
    parser.add_argument("--format", choices=["json", "xlsx", "docx"], default="json")
    parser.add_argument(
        "--out", help="where to write (default: stdout for json, FILE's name for xlsx/docx)"
    )


def run(options: dict[str, Any], *, stdout: TextIO, stderr: TextIO) -> None:
    """Parse ``options["file"]`` and write the ledger; unreadable files raise ParseError."""
    from kaimen.ledger.parsing import parse_file

    source = Path(options["file"])
    fmt = options.get("format") or "json"
    doc = parse_file(source, year=options.get("year"))
    if fmt == "json":
        text = json.dumps(doc.to_dict(), ensure_ascii=False, indent=1)
        if options.get("out"):
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
        else:
            stdout.write(text + "\n")
        return
    from kaimen.ledger.parsing.export import write_docx, write_xlsx

    out = Path(options.get("out") or source.with_suffix(f".ledger.{fmt}").name)
    (write_xlsx if fmt == "xlsx" else write_docx)(doc, out)
    stderr.write(f"任务分解表已写入 {out}（{len(doc.tasks())} 项任务）\n")


def main(argv: list[str]) -> int | None:
    """Run ``kaimen parse`` with ``argv`` (after "parse"); None when Django's own options
    (--settings, --verbosity, --traceback …) are given, which the management command handles."""
    parser = argparse.ArgumentParser(prog="kaimen parse", description=HELP)
    add_arguments(parser)
    options, unknown = parser.parse_known_args(argv)
    if unknown:
        return None
    from kaimen.ledger.parsing.readers import ParseError

    try:
        run(vars(options), stdout=sys.stdout, stderr=sys.stderr)
    except ParseError as exc:
        sys.stderr.write(f"CommandError: {exc.message}\n")
        return 1
    return 0
