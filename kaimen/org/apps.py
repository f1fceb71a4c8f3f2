from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "kaimen.org"
    label = "org"
    verbose_name = _("Units and people")

    def ready(self) -> None:
        from kaimen.lib.contracts import api, demo, home
        from kaimen.lib.contracts.demo import DemoLoader
        from kaimen.org import access, panels, permissions

        api.register("/v1/org/", "kaimen.org.api.router")
        permissions.register()  # org's rules, and the audit log's (org owns the roles)
        access.install()  # what the audit pages ask about users and units
        home.register(panels.directory_panel)
        home.register(panels.security_panel)
        demo.register(DemoLoader("org", "kaimen.org.demo.run_demo", order=10))
