from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "outreach.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from outreach.core import checks  # noqa: F401 (registers the check)
        from outreach.core.private import tighten_sqlite

        connection_created.connect(tighten_sqlite, dispatch_uid="outreach-private-sqlite")
