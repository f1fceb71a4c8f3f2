import sys

from django.core.management.base import BaseCommand, CommandError

from kaimen.audit.services import retention_cutoff, verify
from kaimen.lib import clock


class Command(BaseCommand):
    help = "Audit trail tools: `audit verify` recomputes the hash chain; `audit retention` shows the window."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "retention"])

    def handle(self, *args, action: str, **options):
        if action == "retention":
            cutoff = retention_cutoff(clock.today())
            self.stdout.write(
                f"Events on or after {cutoff} must be kept (at least six calendar months)."
            )
            return
        result = verify()
        if result.ok:
            self.stdout.write(f"OK: {result.checked} audit events, chain intact.")
            return
        self.stderr.write(
            f"BROKEN at event #{result.broken.event_id}: {result.broken.reason} "
            f"({result.checked} events read)."
        )
        sys.stderr.flush()
        raise CommandError(f"audit chain broken at event #{result.broken.event_id}", returncode=2)
