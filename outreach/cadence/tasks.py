"""Celery tasks: thin shells that pass ids and the (injectable) time to the plain functions.

No countdown or ETA anywhere: what is due later waits as a row with `due_at`. The periodic
ones are entries of settings.CELERY_BEAT_SCHEDULE and take `now_iso` (None: the real time).
"""

import logging
from collections.abc import Sequence

from celery import shared_task

from outreach.cadence import escalation, execution, planning
from outreach.cadence.expiry import expire as expire_windows
from outreach.cadence.tick import TickReport
from outreach.cadence.tick import tick as run_tick
from outreach.cadence.upgrade import replan_upgraded
from outreach.core.clock import parse_now

log = logging.getLogger(__name__)


def tick_now(now_iso: str | None) -> TickReport:
    """One tick; with `now_iso` the workers run at that time too (tests, demos, the simulator)."""
    now = parse_now(now_iso)
    return run_tick(
        now,
        lambda ids: start_cases.delay(list(ids), now_iso),
        lambda ids: execute_steps.delay(list(ids), now_iso),
    )


@shared_task(name="outreach.cadence.tasks.tick", ignore_result=True)
def tick(now_iso: str | None = None) -> dict[str, int]:
    report = tick_now(now_iso).as_dict()
    log.info("tick: %s", report)
    return report


@shared_task(name="outreach.cadence.tasks.start_cases", ignore_result=True)
def start_cases(ids: Sequence[int], now_iso: str | None = None) -> int:
    return planning.start_cases(ids, parse_now(now_iso))


@shared_task(name="outreach.cadence.tasks.execute_steps", ignore_result=True)
def execute_steps(ids: Sequence[int], now_iso: str | None = None) -> dict[str, int]:
    counts = execution.execute_steps(ids, parse_now(now_iso))
    log.info("executed %d step ids: %s", len(ids), counts)
    return counts


@shared_task(name="outreach.cadence.tasks.escalate", ignore_result=True)
def escalate(now_iso: str | None = None) -> dict[str, int]:
    """Every ten minutes: running plans give way to a stronger campaign; cases near their
    deadline without a personal attempt get a call, held cases go on the at-risk list."""
    now = parse_now(now_iso)
    report = {
        "upgraded": replan_upgraded(now),
        "escalated": escalation.escalate(now) + escalation.flag_held(now),
    }
    log.info("escalation: %s", report)
    return report


@shared_task(name="outreach.cadence.tasks.expire", ignore_result=True)
def expire(now_iso: str | None = None) -> dict[str, int]:
    """Every ten minutes: calls and visits past their case's outreach window expire."""
    report = {"expired": expire_windows(parse_now(now_iso))}
    log.info("expiry: %s", report)
    return report
