from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "kaimen.targets"
    label = "targets"
    verbose_name = _("Targets and statistics")

    def ready(self) -> None:
        from kaimen.lib.contracts import dashboard, home, navigation
        from kaimen.targets import overview, panels

        home.register(panels.lights_panel)
        dashboard.register(overview.dashboard_panel)
        dashboard.set_period_source(overview.statistics_period)
        for item in (
            navigation.NavItem(
                _("Monitoring"), "targets:monitoring", "targets.view", "targets/monitoring"
            ),
            navigation.NavItem(
                _("Targets"), "targets:target_list", "targets.view", "targets/plans"
            ),
            navigation.NavItem(
                _("Figures"), "targets:actual_list", "targets.view", "targets/figures"
            ),
            navigation.NavItem(
                _("Imports"), "targets:import_list", "targets.import", "targets/imports"
            ),
        ):
            navigation.register(item, before="audit:event_list")
