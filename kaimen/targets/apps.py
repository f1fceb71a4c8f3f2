from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetsConfig(AppConfig):
    name = "kaimen.targets"
    label = "targets"
    verbose_name = _("Targets and statistics")

    def ready(self) -> None:
        from kaimen.lib.contracts import api, dashboard, demo, home, navigation
        from kaimen.lib.contracts.demo import DemoLoader
        from kaimen.targets import escalation, notices, overview, panels
        from kaimen.targets import metrics as score_metrics
        from kaimen.targets import permissions as rules

        score_metrics.register()  # the scorecards' metrics this app supplies
        api.register("/v1/targets/", "kaimen.targets.api.router")
        rules.register()
        demo.register(DemoLoader("targets", "kaimen.targets.demo.run_demo", order=20))

        home.register(panels.lights_panel)
        notices.register_events()
        escalation.register()
        dashboard.register(overview.dashboard_panel)
        dashboard.set_period_source(overview.statistics_period)
        for item in (
            navigation.NavItem(
                _("Monitoring"),
                "targets:monitoring",
                "targets.view",
                "targets/monitoring",
                group="targets",
            ),
            navigation.NavItem(
                _("Targets"),
                "targets:target_list",
                "targets.view",
                "targets/plans",
                group="targets",
            ),
            navigation.NavItem(
                _("Figures"),
                "targets:actual_list",
                "targets.view",
                "targets/figures",
                group="targets",
            ),
            navigation.NavItem(
                _("Imports"),
                "targets:import_list",
                "targets.import",
                "targets/imports",
                group="targets",
            ),
        ):
            navigation.register(item, before="audit:event_list")
