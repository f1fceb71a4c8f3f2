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
            NavItem(
                _("Briefings"),
                "briefings:briefing_list",
                "briefings.view",
                "briefings",
                group="briefings",
            ),
            before="org:unit_list",
        )
        notices.register_events()
