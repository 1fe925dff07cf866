"""Reporting's part of the engine's housekeeping: partner feedback follows the cases."""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from outreach.cadence.signals import housekeeping
from outreach.reporting.feedback import record_feedback


@receiver(housekeeping, dispatch_uid="reporting.feedback")
def on_housekeeping(sender: Any, now: datetime, **kwargs: Any) -> tuple[str, int]:
    return ("feedback", record_feedback(now))
