from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


def contact_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A municipality saved with its contact details complete: its new cases that waited for
    them start at the next tick."""
    if raw:
        return
    from outreach.cadence.planning import release_waiting_cases

    release_waiting_cases(instance)


class CadenceConfig(AppConfig):
    name = "outreach.cadence"
    label = "cadence"

    def ready(self) -> None:
        from outreach.core.models import Municipality

        post_save.connect(contact_saved, sender=Municipality, dispatch_uid="cadence_contact_saved")
