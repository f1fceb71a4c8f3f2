"""``kaimen evaluation score --campaign ID --period week|month [--date YYYY-MM-DD]``

Computes the draft of one week or month (the last complete one unless ``--date`` names a day
of another). The office still shows it to the units and confirms its publication on the page.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kaimen.campaigns.models import Campaign
from kaimen.evaluation import services
from kaimen.evaluation.models import PeriodKind
from kaimen.lib import clock
from kaimen.lib.errors import KaimenError


class Command(BaseCommand):
    help = "Scorecards: compute a period's draft scores and ranking (the office publishes them)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        score = actions.add_parser("score", help="Compute the draft of one week or month.")
        score.add_argument("--campaign", type=int, required=True, help="Campaign id.")
        score.add_argument("--period", choices=PeriodKind.values, required=True)
        score.add_argument(
            "--date",
            default=None,
            help="Any day of the period, YYYY-MM-DD (default: the last complete period).",
        )

    def handle(self, *args, action: str, **options):
        campaign = Campaign.objects.filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"No campaign with id {options['campaign']}.")
        kind = options["period"]
        if options["date"]:
            try:
                day = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    f"--date {options['date']!r} is not a date: write it as YYYY-MM-DD."
                ) from None
        else:
            day = services.last_complete_period_day(kind, clock.today())
        try:
            run = services.run_compute(
                actor=None, campaign=campaign, period_kind=kind, day=day, system=True
            )
        except KaimenError as exc:
            raise CommandError(exc.message) from exc
        ranked = run.standings.filter(rank__isnull=False).count()
        self.stdout.write(
            f"{campaign.name} {run.period_label}: draft computed ({ranked} units ranked, "
            f"status {run.status}). The campaign office shows it to the units and publishes it."
        )
        for note in run.notes:
            self.stdout.write(f"  note: {note}")
