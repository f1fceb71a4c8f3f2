"""Campaign now lives in kaimen.campaigns (same table, ledger_campaign): the foreign key follows
it in the migration state only; the database is not touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # After 0005 (the notifications leaving briefings), which was applied first in some
    # databases: both only change the migration state, in unrelated models.
    dependencies = [
        ("briefings", "0005_notifications_leave"),
        ("campaigns", "0001_initial"),
    ]
    # The ledger drops Campaign from its state only after every key points at campaigns.
    run_before = [("ledger", "0003_campaign_moves_to_campaigns")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="briefing",
                    name="campaign",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="briefings",
                        to="campaigns.campaign",
                        verbose_name="campaign",
                    ),
                ),
            ],
        ),
    ]
