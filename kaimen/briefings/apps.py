from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    name = "kaimen.briefings"
    label = "briefings"
    verbose_name = _("Dispatch briefings")

    def ready(self) -> None:
        from kaimen.briefings import notices
        from kaimen.briefings import permissions as rules
        from kaimen.lib.contracts import navigation
        from kaimen.lib.contracts.navigation import NavItem

        rules.register()

        navigation.register(
            NavItem(_("Briefings"), "briefings:briefing_list", "briefings.view", "briefings"),
            before="org:unit_list",
        )
        # The leaders' and the office's first stop: first in their menu, hidden from others.
        navigation.register(
            NavItem(_("Dashboard"), "dashboard:dashboard", "dashboard.view", "dashboard"),
            before="core:home",
        )
        notices.register_events()
