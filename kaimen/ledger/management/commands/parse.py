"""``kaimen parse FILE [--year YYYY] [--format json|xlsx|docx] [--out PATH]``: a speech or plan
→ the proposed ledger, without touching the database (DESIGN.md, "The speech parser contract").

The ``kaimen`` script runs this without Django (``kaimen.ledger.parsing.command``); this command
serves ``manage.py``-style calls and Django's own options (--settings, --traceback).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from kaimen.ledger.parsing import ParseError
from kaimen.ledger.parsing import command as parse_command


class Command(BaseCommand):
    help = parse_command.HELP
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        parse_command.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        try:
            parse_command.run(options, stdout=self.stdout, stderr=self.stderr)
        except ParseError as exc:
            raise CommandError(exc.message) from exc
