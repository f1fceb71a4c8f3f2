from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "kaimen.evaluation"
    label = "evaluation"
    verbose_name = _("Scorecards and rankings")

    def ready(self) -> None:
        from kaimen.evaluation import metrics, panels
        from kaimen.lib.contracts import dashboard, home, navigation
        from kaimen.lib.contracts.navigation import NavItem

        # The builtin metrics' data providers; later modules register theirs the same way.
        metrics.register_builtin_providers()
        navigation.register(
            NavItem(_("Rankings"), "evaluation:index", "evaluation.view", "evaluation"),
            before="org:unit_list",
        )
        home.register(panels.standing_panel)
        dashboard.register(panels.dashboard_panel)
