"""Campaign now lives in kaimen.campaigns (same table, ledger_campaign): the foreign keys follow
it in the migration state only; the database is not touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0001_initial"),
        ("campaigns", "0001_initial"),
    ]
    # The ledger drops Campaign from its state only after every key points at campaigns.
    run_before = [("ledger", "0003_campaign_moves_to_campaigns")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="proposal",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accountability_proposals",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="proposerrun",
                    name="campaign",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="rulesettings",
                    name="campaign",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accountability_rules",
                        to="campaigns.campaign",
                    ),
                ),
            ],
        ),
    ]
