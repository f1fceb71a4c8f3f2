from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kaimen.ledger"
    label = "ledger"
    verbose_name = _("Task ledger")

    def ready(self) -> None:
        from kaimen.ledger import overdue, panels
        from kaimen.lib.contracts import dashboard, home, navigation
        from kaimen.lib.contracts.navigation import NavItem

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
        dashboard.register(overdue.dashboard_panel)
