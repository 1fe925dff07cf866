"""Celery tasks: thin shells that pass ids and the (injectable) time to the plain functions.

No countdown or ETA anywhere: what is due later waits as a row with `due_at`.
"""

import logging
from collections.abc import Sequence
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from outreach.cadence import escalation, execution, planning
from outreach.cadence.expiry import expire
from outreach.cadence.signals import after_housekeeping
from outreach.cadence.tick import TickReport
from outreach.cadence.tick import tick as run_tick
from outreach.cadence.upgrade import replan_upgraded
from outreach.casework.capacity import plan_all
from outreach.casework.offers import follow_up_offers
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


def run_housekeeping(now_iso: str | None) -> dict[str, Any]:
    now = parse_now(now_iso)
    offers = follow_up_offers(now)
    report: dict[str, Any] = {
        "upgraded": replan_upgraded(now),
        "escalated": escalation.escalate(now) + escalation.flag_held(now),
        "expired": expire(now),
        "offers_at_risk": offers.at_risk,
        "offers_closed": offers.closed,
        "capacity": [
            p.as_dict() for p in plan_all(timezone.localdate(now), settings.OUTREACH_PLANNING_DAYS)
        ],
    }
    # Partner feedback and whatever else builds on the engine (outreach.cadence.signals).
    report.update(after_housekeeping(now))
    return report


@shared_task(name="outreach.cadence.tasks.housekeeping", ignore_result=True)
def housekeeping(now_iso: str | None = None) -> dict[str, Any]:
    """Every ten minutes: escalations, expired tasks, offers without an answer, the call and
    visit planning, partner feedback."""
    report = run_housekeeping(now_iso)
    log.info("housekeeping: escalated %s, feedback %s", report["escalated"], report.get("feedback"))
    return report
