"""The daily print batch (beat: working days at 15:00 Europe/Amsterdam, CELERY_BEAT_SCHEDULE
"print-batches"). Running it twice, or in two workers at once, prints every letter once."""

import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from outreach.core.calendar import is_working_day
from outreach.core.clock import parse_now
from outreach.messaging.printing.batches import batch_summary, run_print_batches

log = logging.getLogger(__name__)


def print_batches_now(now_iso: str | None) -> dict[str, Any]:
    now = parse_now(now_iso)
    if not is_working_day(timezone.localdate(now)):
        # Weekends and public holidays: the print house is closed; the letters wait.
        return {"batches": [], "failed": 0, "withdrawn": 0, "skipped": "no working day"}
    run = run_print_batches(now)
    return {
        "batches": [batch_summary(b) for b in run.batches],
        "failed": len(run.failed),
        "withdrawn": len(run.withdrawn),
    }


@shared_task(name="outreach.messaging.printing.tasks.print_batches", ignore_result=True)
def print_batches(now_iso: str | None = None) -> dict[str, Any]:
    report = print_batches_now(now_iso)
    log.info(
        "print batches: %d, letters %d, failed %d, withdrawn %d",
        len(report["batches"]),
        sum(b["letters"] for b in report["batches"]),
        report["failed"],
        report["withdrawn"],
    )
    return report
