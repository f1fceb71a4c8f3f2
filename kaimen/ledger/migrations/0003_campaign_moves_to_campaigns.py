"""Campaign moves to kaimen.campaigns, keeping its table (ledger_campaign) and every row: the
ledger's keys follow it and the ledger forgets the model, in the migration state only.

The other apps' keys to Campaign are moved first (their ``*_campaign_moves_to_campaigns``
migrations declare ``run_before`` this one), so the state never has a key to a missing model."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("ledger", "0002_responsibility_table"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="sourcedocument",
                    name="campaign",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="task",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tasks",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgerdraft",
                    name="campaign",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="drafts",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.DeleteModel(name="Campaign"),
            ],
        ),
    ]
