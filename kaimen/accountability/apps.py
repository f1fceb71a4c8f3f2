from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountabilityConfig(AppConfig):
    name = "kaimen.accountability"
    label = "accountability"
    verbose_name = _("Accountability")

    def ready(self) -> None:
        from kaimen.accountability import escalation, notices, panels
        from kaimen.accountability import permissions as rules
        from kaimen.lib.contracts import api, dashboard, demo, home, navigation
        from kaimen.lib.contracts.demo import DemoLoader
        from kaimen.lib.contracts.navigation import NavItem

        api.register("/v1/accountability/", "kaimen.accountability.api.router")
        rules.register()
        demo.register(DemoLoader("accountability", "kaimen.accountability.demo.run_demo", order=50))

        navigation.register(
            NavItem(
                _("Accountability"),
                "accountability:record",
                "accountability.view",
                "accountability",
                group="evaluation",
            ),
            before="org:unit_list",
        )
        home.register(panels.office_panel)
        home.register(panels.unit_panel)
        notices.register_events()
        escalation.register()
        dashboard.register(panels.dashboard_panel)
