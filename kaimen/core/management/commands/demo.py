from django.core.management.base import BaseCommand

from kaimen.lib.contracts import demo


class Command(BaseCommand):
    help = "Load the demo district 示范区 (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        # Each app registered its loader from its AppConfig.ready(), ordered so that a loader
        # runs after those whose data it needs (the district first, the scores after the ledger
        # and the targets).
        for loader in demo.loaders():
            loader(self.stdout.write)
