"""Celery tasks of casework (entries of settings.CELERY_BEAT_SCHEDULE): thin shells around the
plain functions, at `now_iso` (None: the real time)."""

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from outreach.casework import capacity, offers
from outreach.core.clock import parse_now

log = logging.getLogger(__name__)


@shared_task(name="outreach.casework.tasks.follow_up_offers", ignore_result=True)
def follow_up_offers(now_iso: str | None = None) -> dict[str, int]:
    """Every ten minutes: offers of help without an answer go on the at-risk list, then close."""
    sweep = offers.follow_up_offers(parse_now(now_iso))
    report = {"offers_at_risk": sweep.at_risk, "offers_closed": sweep.closed}
    log.info("offers: %s", report)
    return report


@shared_task(name="outreach.casework.tasks.plan_capacity", ignore_result=True)
def plan_capacity(now_iso: str | None = None) -> dict[str, Any]:
    """Every ten minutes: calls and visits laid out over the coming working days against each
    team's daily capacity."""
    today = timezone.localdate(parse_now(now_iso))
    plans = [p.as_dict() for p in capacity.plan_all(today, settings.OUTREACH_PLANNING_DAYS)]
    log.info("capacity: %d plans, short %d", len(plans), shortfall(plans))
    return {"capacity": plans}


def shortfall(plans: list[dict[str, Any]]) -> int:
    """Calls and visits that do not fit before their deadline or not at all."""
    return sum(p["late"] + p["unplanned"] for p in plans)
