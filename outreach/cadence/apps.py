from django.apps import AppConfig


class CadenceConfig(AppConfig):
    name = "outreach.cadence"
    label = "cadence"

    def ready(self) -> None:
        from outreach.cadence import receivers  # noqa: F401  (connects the signal receivers)
