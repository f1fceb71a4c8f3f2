from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kaimen.ledger"
    label = "ledger"
    verbose_name = _("Task ledger")

    def ready(self) -> None:
        from kaimen.ledger import metrics as score_metrics
        from kaimen.ledger import notices, panels
        from kaimen.ledger import permissions as rules
        from kaimen.lib.contracts import api, demo, home, navigation
        from kaimen.lib.contracts.demo import DemoLoader
        from kaimen.lib.contracts.navigation import NavItem

        score_metrics.register()  # the scorecards' metrics this app supplies
        api.register("/v1/ledger/", "kaimen.ledger.api.router")
        rules.register()
        demo.register(DemoLoader("ledger", "kaimen.ledger.demo.run_demo", order=30))

        navigation.register(
            NavItem(_("Task ledger"), "ledger:task_list", "ledger.view", "ledger"),
            before="org:unit_list",
        )
        navigation.register(
            NavItem(_("Speech → ledger"), "ledger:draft_list", "ledger.manage", "ledger/drafts"),
            before="org:unit_list",
        )
        navigation.register(
            NavItem(
                _("Supervision"), "ledger:supervision_queue", "ledger.manage", "ledger/supervision"
            ),
            before="org:unit_list",
        )
        home.register(panels.unit_tasks_panel)
        notices.register_events()
