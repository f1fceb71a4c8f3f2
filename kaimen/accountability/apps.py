from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "kaimen.accountability"
    label = "accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from kaimen.accountability import panels
        from kaimen.lib.contracts import dashboard, home, navigation
        from kaimen.lib.contracts.navigation import NavItem

        navigation.register(
            NavItem(
                _("Accountability"),
                "accountability:record",
                "accountability.view",
                "accountability",
            ),
            before="org:unit_list",
        )
        home.register(panels.office_panel)
        home.register(panels.unit_panel)
        dashboard.register(panels.dashboard_panel)
