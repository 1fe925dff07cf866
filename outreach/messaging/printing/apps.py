from django.apps import AppConfig


class PrintingConfig(AppConfig):
    """Letters to the print house: the day's batch per municipality, returned mail."""

    name = "outreach.messaging.printing"
    label = "printing"

    def ready(self) -> None:
        from outreach.messaging.printing import transport  # noqa: F401 (registers "print-house")
