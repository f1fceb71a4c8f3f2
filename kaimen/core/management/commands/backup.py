from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaimen.audit.services import record
from kaimen.core import backup
from kaimen.lib.errors import KaimenError


class Command(BaseCommand):
    help = "Back the database up (SQLite online backup, or pg_dump) with a manifest of row counts."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args, out: Path, **options):
        try:
            result = backup.backup(out)
        except KaimenError as exc:
            raise CommandError(exc.message) from exc
        record(
            actor=None, actor_name="kaimen backup", action="system.backup", message=str(out)[:300]
        )
        rows = sum(result.manifest.values())
        self.stdout.write(f"Backed up {len(result.manifest)} tables, {rows} rows, to {result.path}")
