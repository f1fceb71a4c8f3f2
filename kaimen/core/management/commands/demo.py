from django.core.management.base import BaseCommand

from kaimen.org.demo import DEMO_PASSWORD, DISTRICT, load_demo_district


class Command(BaseCommand):
    help = "Load the demo district 示范区 (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        result = load_demo_district()
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
