from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "outreach.core"
    label = "core"

    def ready(self) -> None:
        from outreach.core import checks  # noqa: F401 (registers the check)
