"""Celery tasks of privacy (entries of settings.CELERY_BEAT_SCHEDULE)."""

import logging
from typing import Any

from celery import shared_task

from outreach.core.clock import parse_now
from outreach.privacy.retention import anonymise_expired

log = logging.getLogger(__name__)


@shared_task(name="outreach.privacy.tasks.anonymise_expired_data", ignore_result=True)
def anonymise_expired_data(now_iso: str | None = None) -> dict[str, Any]:
    """Daily: anonymise what has passed the retention period (each municipality's own)."""
    report = anonymise_expired(parse_now(now_iso)).as_dict()
    log.info("anonymised: %s", report)
    return report
