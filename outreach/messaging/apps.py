from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_shipped_texts(**kwargs: Any) -> None:
    """A fresh install (and every upgrade that ships a new text) starts from the files under
    `templates/`; versions already in the database are kept."""
    from django.utils import timezone

    from outreach.messaging.texts.versions import load_shipped

    load_shipped(timezone.now())


class MessagingConfig(AppConfig):
    name = "outreach.messaging"
    label = "messaging"

    def ready(self) -> None:
        from outreach.messaging import checks  # noqa: F401 (registers the check)

        # The transports register by name when their modules load.
        from outreach.messaging.transports import email, outbox  # noqa: F401
        from outreach.messaging.transports.twilio import transport  # noqa: F401

        post_migrate.connect(load_shipped_texts, sender=self, dispatch_uid="load_shipped_texts")
