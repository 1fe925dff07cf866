from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from outreach.privacy.retention import anonymise_expired


@shared_task
def anonymise_expired_data() -> dict[str, Any]:
    """Daily (beat): anonymise what has passed the retention period."""
    report = anonymise_expired(timezone.now(), settings.OUTREACH_RETENTION_DAYS)
    return report.as_dict()
