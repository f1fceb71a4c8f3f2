"""Campaign now lives in kaimen.campaigns (same table, ledger_campaign): the foreign keys follow
it in the migration state only; the database is not touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("evaluation", "0001_initial"),
    ]
    # The ledger drops Campaign from its state only after every key points at campaigns.
    run_before = [("ledger", "0003_campaign_moves_to_campaigns")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="commendation",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="commendations",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="innovationpractice",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="innovation_practices",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="scorerun",
                    name="campaign",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="score_runs",
                        to="campaigns.campaign",
                    ),
                ),
                migrations.AlterField(
                    model_name="scoringscheme",
                    name="campaign",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="evaluation_scheme",
                        to="campaigns.campaign",
                    ),
                ),
            ],
        ),
    ]
