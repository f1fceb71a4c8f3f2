from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "kaimen.evaluation"
    label = "evaluation"
    verbose_name = _("Scorecards and rankings")

    def ready(self) -> None:
        from kaimen.evaluation import metrics, notices, panels
        from kaimen.evaluation import permissions as rules
        from kaimen.lib.contracts import api, dashboard, demo, home, navigation
        from kaimen.lib.contracts.demo import DemoLoader
        from kaimen.lib.contracts.navigation import NavItem

        api.register("/v1/evaluation/", "kaimen.evaluation.api.router")
        rules.register()
        demo.register(DemoLoader("evaluation", "kaimen.evaluation.demo.run_demo", order=40))

        # Evaluation's own metric (rated practices); the ledger and the targets register theirs.
        metrics.register()
        navigation.register(
            NavItem(
                _("Rankings"),
                "evaluation:index",
                "evaluation.view",
                "evaluation",
                group="evaluation",
            ),
            before="org:unit_list",
        )
        home.register(panels.standing_panel)
        notices.register_events()
        dashboard.register(panels.dashboard_panel)
