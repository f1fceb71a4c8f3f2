from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaimen.audit.services import record, verify
from kaimen.core import backup
from kaimen.lib.errors import KaimenError


class Command(BaseCommand):
    help = (
        "Restore a backup made by `kaimen backup`, then run the drill: compare every table's row "
        "count with the backup's manifest and verify the audit chain. Stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, source: Path, yes: bool, **options):
        if (
            not yes
            and input("This replaces the current database. Type 'restore' to go on: ") != "restore"
        ):
            raise CommandError("Not restored.")
        try:
            backup.restore(source)
        except KaimenError as exc:
            raise CommandError(exc.message) from exc
        problems = backup.compare_with_manifest(source)
        chain = verify()
        for problem in problems:
            self.stderr.write(problem)
        if not chain.ok:
            self.stderr.write(
                f"audit chain broken at event #{chain.broken.event_id}: {chain.broken.reason}"
            )
        if problems or not chain.ok:
            raise CommandError("Restore drill failed: see above.", returncode=2)
        self.stdout.write(
            f"Restored {source}: every table's row count matches the manifest; "
            f"audit chain intact ({chain.checked} events)."
        )
        # Recorded after the drill, so the drill compares exactly what the backup held.
        record(
            actor=None,
            actor_name="kaimen restore",
            action="system.restore",
            message=str(source)[:300],
        )
