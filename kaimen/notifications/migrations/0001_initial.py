"""The notifications leave ``briefings`` with their tables: the four models are created here in
the migration state only, over the tables ``briefings`` made (0002, 0003), which keep their names
and every row. ``briefings.0005_notifications_leave`` removes them from the briefings' state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["notification", "channelconfig", "delivery", "deliveryattempt"]


def move_content_types(apps, schema_editor, old="briefings", new="notifications"):
    """The content types (and so the permissions) of the four models follow them, so no stale
    row is left behind. A new database has none yet: they are made after the migrations."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    move_content_types(apps, schema_editor, old="notifications", new="briefings")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('briefings', '0003_notification_ledger_events'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ChannelConfig',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('email', 'E-mail'), ('dingtalk', 'DingTalk group robot'), ('wecom', 'WeCom group robot')], max_length=10, verbose_name='kind')),
                        ('name', models.CharField(max_length=60, unique=True, verbose_name='name')),
                        ('target', models.TextField(verbose_name='webhook URL or addresses')),
                        ('secret', models.CharField(blank=True, max_length=200, verbose_name='signing secret')),
                        ('events', models.JSONField(default=list, verbose_name='events')),
                        ('enabled', models.BooleanField(default=True, verbose_name='enabled')),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('created_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'briefings_channelconfig',
                        'verbose_name': 'notification channel',
                        'verbose_name_plural': 'notification channels',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Delivery',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(choices=[('briefing_built', 'Briefing built'), ('red_light', 'Red light awaiting explanation'), ('ranking_published', 'Ranking published'), ('accountability_confirmed', 'Accountability step confirmed'), ('supervision_issued', 'Supervision step issued on a task'), ('instruction_given', "Leader's instruction on a task"), ('channel_test', 'Channel test message')], max_length=30, verbose_name='event')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True)),
                        ('link', models.CharField(blank=True, max_length=500)),
                        ('target_masked', models.CharField(max_length=300, verbose_name='target')),
                        ('dedupe_key', models.CharField(blank=True, max_length=120)),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('delivered', 'Delivered'), ('failed', 'Failed, will retry'), ('gave_up', 'Gave up')], default='pending', max_length=10, verbose_name='status')),
                        ('attempt_count', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('max_attempts', models.PositiveSmallIntegerField(default=5)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='next retry')),
                        ('claimed_until', models.DateTimeField(blank=True, null=True)),
                        ('last_error', models.CharField(blank=True, max_length=500, verbose_name='last error')),
                        ('created_at', models.DateTimeField(verbose_name='created at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('channel', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='deliveries', to='notifications.channelconfig')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'briefings_delivery',
                        'verbose_name': 'delivery',
                        'verbose_name_plural': 'deliveries',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='DeliveryAttempt',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('number', models.PositiveSmallIntegerField()),
                        ('at', models.DateTimeField()),
                        ('ok', models.BooleanField(default=False)),
                        ('response_code', models.IntegerField(blank=True, null=True)),
                        ('response_excerpt', models.CharField(blank=True, max_length=300)),
                        ('error', models.CharField(blank=True, max_length=500)),
                        ('delivery', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attempts', to='notifications.delivery')),
                    ],
                    options={
                        'db_table': 'briefings_deliveryattempt',
                        'ordering': ['delivery', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('event', models.CharField(choices=[('briefing_built', 'Briefing built'), ('red_light', 'Red light awaiting explanation'), ('ranking_published', 'Ranking published'), ('accountability_confirmed', 'Accountability step confirmed'), ('supervision_issued', 'Supervision step issued on a task'), ('instruction_given', "Leader's instruction on a task"), ('channel_test', 'Channel test message')], max_length=30, verbose_name='event')),
                        ('title', models.CharField(max_length=200, verbose_name='title')),
                        ('body', models.TextField(blank=True, verbose_name='text')),
                        ('link', models.CharField(blank=True, max_length=500, verbose_name='link')),
                        ('dedupe_key', models.CharField(blank=True, max_length=120)),
                        ('created_at', models.DateTimeField(verbose_name='received at')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='read at')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'briefings_notification',
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='delivery',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='delivery_due'),
                ),
                migrations.AddConstraint(
                    model_name='delivery',
                    constraint=models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('channel', 'dedupe_key'), name='delivery_once_per_key'),
                ),
                migrations.AddConstraint(
                    model_name='deliveryattempt',
                    constraint=models.UniqueConstraint(fields=('delivery', 'number'), name='delivery_attempt_number_unique'),
                ),
                migrations.AddIndex(
                    model_name='notification',
                    index=models.Index(fields=['recipient', 'read_at'], name='notification_unread'),
                ),
                migrations.AddConstraint(
                    model_name='notification',
                    constraint=models.UniqueConstraint(condition=models.Q(('dedupe_key', ''), _negated=True), fields=('recipient', 'dedupe_key'), name='notification_once_per_key'),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]
