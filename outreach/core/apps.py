from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "outreach.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from outreach.core import checks  # noqa: F401 (registers the check)
        from outreach.core.private import tighten_sqlite

        connection_created.connect(tighten_sqlite, dispatch_uid="outreach-private-sqlite")

        from django.contrib.admin.models import LogEntry
        from django.db.models.signals import post_save

        from outreach.core.admin_audit import on_log_entry

        # Changes through the management pages reach the audit log (outreach.core.admin_audit).
        post_save.connect(on_log_entry, sender=LogEntry, dispatch_uid="outreach-admin-audit")
