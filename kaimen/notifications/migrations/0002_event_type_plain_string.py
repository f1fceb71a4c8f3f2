"""The stored event is a plain string: the event types are registered by the apps that send
them (``kaimen.lib.contracts.events``), so a new event needs no migration here. Choices are not
a database attribute: nothing changes in the tables."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='delivery',
            name='event',
            field=models.CharField(max_length=30, verbose_name='event'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='event',
            field=models.CharField(max_length=30, verbose_name='event'),
        ),
    ]
