"""The notifications' models move to ``kaimen.notifications`` (``notifications.0001_initial``),
which keeps their tables: removed from the briefings' migration state only, no table touched."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('briefings', '0003_notification_ledger_events'),
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='DeliveryAttempt'),
                migrations.DeleteModel(name='Delivery'),
                migrations.DeleteModel(name='ChannelConfig'),
                migrations.DeleteModel(name='Notification'),
            ],
        ),
    ]
