from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "outreach.reporting"
    label = "reporting"

    def ready(self) -> None:
        from outreach.reporting import receivers  # noqa: F401  (connects the signal receivers)
