"""``kaimen briefing build [--campaign ID] [--year YYYY] [--period 1-3月] --out FILE.docx``

Without --campaign and --year it builds for the current campaign (the running one, else the
newest) and its latest period with figures. The build is the period's draft; the office issues
it (签发) on the platform, which gives it its number.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaimen.briefings import services
from kaimen.campaigns import selectors as campaign_selectors
from kaimen.campaigns.models import Campaign
from kaimen.lib.errors import KaimenError


class Command(BaseCommand):
    help = "Build the dispatch briefing (调度通报) now and write its Word file and Excel appendix."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        build = actions.add_parser("build", help="Build one issue from the stored data.")
        build.add_argument("--campaign", type=int, default=None, help="Campaign id.")
        build.add_argument("--year", type=int, default=None, help="Year, e.g. 2025.")
        build.add_argument("--period", default=None, help="Period, e.g. 1-3月 (default: latest).")
        build.add_argument("--out", required=True, help="The .docx file to write.")

    def handle(self, *args, action: str, **options):
        out = Path(options["out"])
        if out.suffix.lower() != ".docx":
            raise CommandError("--out must name a .docx file.")
        campaign = None
        if options["campaign"] is not None:
            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                raise CommandError(f"No campaign with id {options['campaign']}.")
        if campaign is None and options["year"] is None:
            campaign = campaign_selectors.default_campaign()
            if campaign is None:
                raise CommandError(
                    "There is no campaign yet: give --year, or create a campaign first."
                )
        try:
            briefing = services.briefing_build(
                actor=None,
                campaign=campaign,
                year=options["year"],
                period=options["period"],
                system=True,
            )
        except KaimenError as exc:
            raise CommandError(exc.message) from exc
        appendix = out.with_suffix(".xlsx")
        out.write_bytes(services.path_of(briefing.docx_name).read_bytes())
        appendix.write_bytes(services.path_of(briefing.xlsx_name).read_bytes())
        where = f" for {briefing.campaign.name}" if briefing.campaign else ""
        self.stdout.write(
            f"Briefing {briefing.label}{where} ({briefing.period}) written to {out} "
            f"(sha256 {briefing.docx_sha256[:12]}…) and its appendix to {appendix}. "
            "It is a draft until the office issues it on the platform."
        )
        if briefing.chart_note:
            self.stderr.write(
                f"Warning: the briefing has no charts or fewer: {briefing.chart_note}"
            )
