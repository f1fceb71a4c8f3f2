from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "kaimen.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from kaimen.audit import panels
        from kaimen.lib.contracts import home

        home.register(panels.audit_panel)
