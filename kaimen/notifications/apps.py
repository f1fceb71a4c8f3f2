from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kaimen.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from kaimen.lib.contracts import events
        from kaimen.notifications import permissions as rules

        rules.register()

        # The office's test of a channel: a delivery of its own, never subscribed to.
        events.register(
            events.EventType(
                "channel_test",
                _("Channel test message"),
                app=self.label,
                subscribable=False,
                order=1000,
            )
        )
