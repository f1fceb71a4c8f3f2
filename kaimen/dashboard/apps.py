from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "kaimen.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from kaimen.dashboard import permissions as rules
        from kaimen.lib.contracts import navigation
        from kaimen.lib.contracts.navigation import NavItem

        rules.register()

        # The leaders' and the office's first stop: first in their menu, hidden from others.
        navigation.register(
            NavItem(
                _("Dashboard"),
                "dashboard:dashboard",
                "dashboard.view",
                "dashboard",
                group="dashboard",
            ),
            before="core:home",
        )
        # A district leader's first screen is the dashboard, not 首页 (the unit's own work).
        navigation.register_landing(
            navigation.Landing("leader", "dashboard:dashboard", "dashboard.view")
        )
