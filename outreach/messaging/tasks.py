"""Every minute: settle the lost hand-overs of messages without a campaign step (answers to
replies, resends). The engine settles a campaign's own when the tick claims their steps again
(`outreach.cadence.execution`)."""

import logging

from celery import shared_task

from outreach.core.clock import parse_now
from outreach.messaging.sending import reconcile_stepless
from outreach.messaging.transports.registry import default_transport

log = logging.getLogger(__name__)


def reconcile_now(now_iso: str | None) -> dict[str, int]:
    return reconcile_stepless(parse_now(now_iso), default_transport())


@shared_task(name="outreach.messaging.tasks.reconcile", ignore_result=True)
def reconcile(now_iso: str | None = None) -> dict[str, int]:
    counts = reconcile_now(now_iso)
    if counts:
        log.info("reconciled lost hand-overs: %s", counts)
    return counts
