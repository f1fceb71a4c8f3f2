"""The ledger no longer proposes supervision steps: escalation is the one ladder in
accountability. Its still-open proposals (never decided, never shown as decisions) are marked
withdrawn with a note saying why; every record stays, readable on the history page."""

from django.db import migrations
from django.utils import timezone

NOTE = "督办建议已并入问责阶梯（提醒→督办→约谈→通报→问责建议），由问责页面统一提出，此条不再处理"


def withdraw(apps, schema_editor):
    step = apps.get_model("ledger", "SupervisionStep")
    step.objects.filter(state="proposed").update(
        state="withdrawn", decided_at=timezone.now(), decision_note=NOTE
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_campaign_moves_to_campaigns")]

    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop, elidable=False)]
