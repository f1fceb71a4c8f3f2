"""``kaimen parse FILE [--year YYYY] [--format json|xlsx|docx] [--out PATH]``: a speech or plan
→ the proposed ledger, without touching the database (DESIGN.md, "The speech parser contract")."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaimen.ledger.parsing import ParseError, parse_file
from kaimen.ledger.parsing.export import write_docx, write_xlsx


class Command(BaseCommand):
    help = "Parse a speech or work plan (.txt, .docx, .pdf) into a proposed task ledger."
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="the speech or plan (.txt, .docx or .pdf)")
        parser.add_argument("--year", type=int, help="campaign year (default: from the title)")
        parser.add_argument("--format", choices=["json", "xlsx", "docx"], default="json")
        parser.add_argument(
            "--out", help="where to write (default: stdout for json, FILE's name for xlsx/docx)"
        )

    def handle(self, *args, **options) -> None:
        source = Path(options["file"])
        fmt = options["format"]
        try:
            doc = parse_file(source, year=options["year"])
        except ParseError as exc:
            raise CommandError(exc.message) from exc
        if fmt == "json":
            text = json.dumps(doc.to_dict(), ensure_ascii=False, indent=1)
            if options["out"]:
                Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
            return
        out = Path(options["out"] or source.with_suffix(f".ledger.{fmt}").name)
        (write_xlsx if fmt == "xlsx" else write_docx)(doc, out)
        self.stderr.write(f"任务分解表已写入 {out}({len(doc.tasks())} 项任务)")
