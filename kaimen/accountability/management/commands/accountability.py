"""``kaimen accountability propose [--campaign ID] [--date YYYY-MM-DD]``: run the rules now and
store their proposals (a thin wrapper over ``services.proposals_run``; idempotent)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from kaimen.accountability import services
from kaimen.accountability.models import RunStatus
from kaimen.campaigns.models import Campaign
from kaimen.lib.errors import KaimenError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"日期“{text}”格式不对，请写成 YYYY-MM-DD，例如 2025-04-01。") from exc


class Command(BaseCommand):
    help = "Accountability: run the rules and store their proposals (a person decides them)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        propose = actions.add_parser(
            "propose", help="Run the rules now; nothing is applied, proposals await a decision."
        )
        propose.add_argument("--campaign", type=int, help="Only this campaign (its id).")
        propose.add_argument(
            "--date", default="", help="Run as of this day (default: today), e.g. 2025-04-01."
        )

    def handle(self, *args, action: str, **options):
        campaign = None
        if options["campaign"] is not None:
            campaign = Campaign.objects.filter(pk=options["campaign"]).first()
            if campaign is None:
                ids = "、".join(
                    f"{c.pk}（{c.name}）" for c in Campaign.objects.order_by("-year", "-start")[:20]
                )
                raise CommandError(
                    f"没有编号为{options['campaign']}的战役。现有战役：{ids or '无'}。"
                )
        today = _day(options["date"]) if options["date"] else None
        try:
            run = services.proposals_run(campaign=campaign, today=today)
        except KaimenError as exc:
            raise CommandError(exc.message) from exc
        if run.status == RunStatus.FAILED:
            raise CommandError(run.message)
        self.stdout.write(
            f"{run.day:%Y-%m-%d}：新增问责建议{run.proposed}项，撤回{run.withdrawn}项"
            "（建议须经调度办确认，系统不自动执行）。"
        )
