from django.apps import AppConfig


class ThrowawayConfig(AppConfig):
    name = "tests.plugin.throwaway"
    label = "throwaway"
    verbose_name = "试验应用"

    def ready(self) -> None:
        from kaimen.lib.contracts import api, events, home, permissions
        from kaimen.lib.contracts.metrics import register_provider
        from tests.plugin.throwaway import seams

        events.register(events.EventType("throwaway.ping", "试验事件", app=self.label))
        register_provider(seams.RESOLVED, seams.resolved_points)
        home.register(seams.home_panel)
        api.register("/v1/throwaway/", "tests.plugin.throwaway.api.router")
        permissions.register("throwaway.view", seams.liaisons_only, app=self.label, label="试验")
