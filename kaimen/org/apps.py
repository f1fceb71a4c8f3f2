from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kaimen.org"
    label = "org"
    verbose_name = _("Units and people")

    def ready(self) -> None:
        from kaimen.lib.contracts import home
        from kaimen.org import panels

        home.register(panels.directory_panel)
        home.register(panels.security_panel)
