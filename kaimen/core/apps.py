from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaimen.core"
    label = "core"
    verbose_name = "Kaimen core"

    def ready(self) -> None:
        from kaimen.core import checks  # noqa: F401  (registers system checks)
