from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kaimen.ledger"
    label = "ledger"
    verbose_name = _("Task ledger")

    def ready(self) -> None:
        from kaimen.ledger import escalation, notices, overdue, panels
        from kaimen.ledger import metrics as score_metrics
        from kaimen.ledger import permissions as rules
        from kaimen.lib.contracts import api, dashboard, demo, home, navigation
        from kaimen.lib.contracts.demo import DemoLoader
        from kaimen.lib.contracts.navigation import NavItem

        score_metrics.register()  # the scorecards' metrics this app supplies
        api.register("/v1/ledger/", "kaimen.ledger.api.router")
        rules.register()
        demo.register(DemoLoader("ledger", "kaimen.ledger.demo.run_demo", order=30))

        navigation.register(
            NavItem(_("Task ledger"), "ledger:task_list", "ledger.view", "ledger", group="tasks"),
            before="org:unit_list",
        )
        navigation.register(
            NavItem(
                _("Speech → ledger"),
                "ledger:draft_list",
                "ledger.manage",
                "ledger/drafts",
                group="tasks",
            ),
            before="org:unit_list",
        )
        navigation.register(
            NavItem(
                _("Supervision history"),
                "ledger:supervision_history",
                "ledger.manage",
                "ledger/supervision",
                group="tasks",
            ),
            before="org:unit_list",
        )
        home.register(panels.unit_tasks_panel)
        notices.register_events()
        escalation.register()
        dashboard.register(overdue.dashboard_panel)
