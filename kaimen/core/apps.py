from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kaimen.core"
    label = "core"
    verbose_name = "Kaimen core"

    def ready(self) -> None:
        from kaimen.core import checks  # noqa: F401  (registers system checks)
        from kaimen.core import permissions as rules
        from kaimen.core.selectors import calendar_overrides
        from kaimen.lib import official_calendar
        from kaimen.lib.contracts import navigation

        rules.register()

        official_calendar.set_overrides_source(calendar_overrides)

        navigation.register(
            navigation.NavItem(
                _("Working days"), "core:calendar", "calendar.manage", "calendar", group="admin"
            )
        )
