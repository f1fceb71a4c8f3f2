"""Campaign moves from the ledger to its own app. State only: the table stays ``ledger_campaign``
(created by ``ledger/0001_initial``), so every row is kept. The content type ledger.campaign is
renamed, so the permissions attached to it follow the model."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_content_type(apps, schema_editor):
    _move_content_type(apps, schema_editor, "ledger", "campaigns")


def restore_content_type(apps, schema_editor):
    _move_content_type(apps, schema_editor, "campaigns", "ledger")


def _move_content_type(apps, schema_editor, old: str, new: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects.db_manager(
        schema_editor.connection.alias
    )
    if not content_types.filter(app_label=new, model="campaign").exists():
        content_types.filter(app_label=old, model="campaign").update(app_label=new)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ledger", "0002_responsibility_table"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Campaign",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=60, unique=True, verbose_name="name")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                        ("start", models.DateField(verbose_name="start")),
                        ("end", models.DateField(verbose_name="end")),
                        (
                            "status",
                            models.CharField(
                                choices=[("active", "Running"), ("closed", "Closed")],
                                default="active",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        ("version", models.PositiveIntegerField(default=1)),
                        ("created_at", models.DateTimeField()),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "campaign",
                        "verbose_name_plural": "campaigns",
                        "db_table": "ledger_campaign",
                        "ordering": ["-year", "-start", "name"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("end__gte", models.F("start"))),
                                name="ledger_campaign_end_after",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(rename_content_type, restore_content_type, elidable=True),
    ]
