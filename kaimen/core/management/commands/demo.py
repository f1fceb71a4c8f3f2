from django.core.management.base import BaseCommand

from kaimen.accountability.demo import load_demo_accountability
from kaimen.evaluation.demo import load_demo_evaluation
from kaimen.ledger.demo import CAMPAIGN, load_demo_campaign
from kaimen.org.demo import DEMO_PASSWORD, DISTRICT, load_demo_district
from kaimen.targets.demo import load_demo_targets


class Command(BaseCommand):
    help = "Load the demo district 示范区 (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        result = load_demo_district()
        # After the district: the targets' demo needs its units and departments.
        targets = load_demo_targets()
        # After the district: the ledger's demo needs its units and the office's account.
        ledger = load_demo_campaign()
        # After the ledger and the targets: the scores read both.
        evaluation = load_demo_evaluation()
        # After the ledger and the targets: the rules run over both.
        accountability = load_demo_accountability()
        self.stdout.write(
            f"{DISTRICT}: {result.created_units} units and {result.created_accounts} accounts created "
            "(0 and 0 means everything was already there)."
        )
        self.stdout.write("")
        self.stdout.write(
            f"Demo accounts — password {DEMO_PASSWORD} (each must set its own at first sign-in):"
        )
        for account, key in result.accounts:
            line = f"  {account.username:<20} {account.display_name:<6} {account.unit} · {account.role}"
            if key:
                line += f"\n  {'':<20} TOTP key (add it to an authenticator app): {key}"
            self.stdout.write(line)
        self.stdout.write("")
        if ledger.created:
            self.stdout.write(
                f"{CAMPAIGN}: the reference speech parsed and published as {ledger.tasks} tasks, "
                f"{ledger.reports} progress reports."
            )
            for username in ledger.accounts:
                self.stdout.write(f"  {username:<20} liaison of a lead unit (password as above)")
        else:
            self.stdout.write(f"{CAMPAIGN}: already there, unchanged.")
        if targets.created_anything:
            self.stdout.write(
                f"Targets: {targets.indicators} indicators, {targets.targets} targets, "
                f"{targets.projects} projects and {targets.figures} figures (synthetic) loaded."
            )
        else:
            self.stdout.write("Targets: already there, unchanged.")
        if evaluation.created:
            self.stdout.write(
                f"Rankings: a scheme, {evaluation.practices} rated innovation practices and the "
                f"March run published ({evaluation.units_ranked} units ranked, "
                f"{evaluation.commendations} commendations)."
            )
            for username in evaluation.accounts:
                self.stdout.write(f"  {username:<20} liaison of a town (password as above)")
        else:
            self.stdout.write("Rankings: already there, unchanged.")
        if accountability.created:
            self.stdout.write(
                f"Accountability: {accountability.proposed} proposals, "
                f"{accountability.confirmed} confirmed and {accountability.dismissed} dismissed."
            )
        else:
            self.stdout.write("Accountability: already there, unchanged.")
