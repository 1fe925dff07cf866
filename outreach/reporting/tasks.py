"""Celery tasks of reporting (entries of settings.CELERY_BEAT_SCHEDULE)."""

import logging

from celery import shared_task

from outreach.core.clock import parse_now
from outreach.reporting import feedback

log = logging.getLogger(__name__)


@shared_task(name="outreach.reporting.tasks.record_feedback", ignore_result=True)
def record_feedback(now_iso: str | None = None) -> dict[str, int]:
    """Every ten minutes: partner feedback for the signals whose case closed or whose 28 days
    have passed, and changed where a case's outcome changed."""
    report = {"feedback": feedback.record_feedback(parse_now(now_iso))}
    log.info("partner feedback: %s", report)
    return report
