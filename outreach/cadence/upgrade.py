"""A new signal joined a running case and the weighing framework now chooses a stronger
campaign (a crisis, or more personal attempts): what is left of the old plan gives way to the
new campaign, planned from now. A weaker or equal choice keeps the running plan.

The new campaign's steps are keyed "<campaign>.<step id>", so they never collide with the
steps of the campaign that ran before.
"""

import logging
from dataclasses import replace
from datetime import datetime

from django.db import transaction

from outreach.cadence import steps
from outreach.cadence.campaigns import Campaign
from outreach.cadence.library import get_campaign
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE, contact_window_end, plan_campaign, planned_step
from outreach.casework.models import Case

log = logging.getLogger(__name__)

PERSONAL = frozenset({"phone_task", "visit_task"})


def strength(campaign: Campaign) -> tuple[bool, int, int]:
    """Crisis campaigns (counted in working days) first, then personal attempts, then all."""
    attempts = campaign.planned_attempts()
    personal = sum(1 for step in attempts if step.channel in PERSONAL)
    return (campaign.day_unit == "working", personal, len(attempts))


def running_campaign(case_id: int) -> str | None:
    step = PlannedStep.objects.filter(case_id=case_id).exclude(key=CLOSE).order_by("-id").first()
    return step.campaign if step else None


def replan_upgraded(now: datetime, limit: int = 1000) -> int:
    """Switch the flagged cases to their stronger campaign; returns how many switched."""
    switched = 0
    with transaction.atomic():
        cases = list(Case.objects.select_for_update(skip_locked=True).filter(replan=True)[:limit])
        for case in cases:
            switched += _replan(case, now)
            case.replan = False
            case.save(update_fields=["campaign", "replan", "window_ends"])
    return switched


def _replan(case: Case, now: datetime) -> bool:
    running = running_campaign(case.pk)
    if case.state != Case.State.ACTIVE or running is None or running == case.campaign:
        return False
    try:
        new, old = get_campaign(case.campaign), get_campaign(running)
    except LookupError as exc:
        log.error("case %s keeps its campaign: %s", case.pk, exc)
        case.campaign = running
        return False
    if strength(new) <= strength(old):
        case.campaign = running  # the plan that runs is what the case shows
        return False
    steps.cancel(
        PlannedStep.objects.filter(case=case).exclude(key=CLOSE),
        now,
        f"vervangen door campagne {new.name}",
    )
    plan = plan_campaign(new, now)
    PlannedStep.objects.bulk_create(
        [
            planned_step(case.pk, new.name, replace(p, key=f"{new.name}.{p.key}"))
            for p in plan
            if p.key != CLOSE
        ],
        ignore_conflicts=True,
    )
    case.window_ends = contact_window_end(case.deadline, plan)
    close_due = next(p.due_at for p in plan if p.key == CLOSE)
    PlannedStep.objects.filter(case=case, key=CLOSE, status=PlannedStep.Status.PLANNED).update(
        due_at=close_due, campaign=new.name
    )
    return True
