"""A new signal joined a running case and the weighing framework now chooses a stronger
campaign (a crisis, or more personal attempts): what is left of the old plan gives way to the
new campaign, planned from now. A weaker or equal choice keeps the running plan.

The new campaign's steps are keyed "<campaign>.<step id>" ("<campaign>#2.<step id>" the second
time a case gets that campaign), so they never collide with steps planned before. A
caseworker's explicit switch (outreach.cadence.steering) uses the same `switch_plan`, without
the strength rule.
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
    switch_plan(case, new, now)
    return True


def switch_plan(case: Case, new: Campaign, now: datetime) -> None:
    """What is left of the running plan gives way to `new`, planned from `now`: the steps not
    yet performed are cancelled, the closing check moves to the new plan's end. Sets
    `case.campaign` and `case.window_ends`; the caller saves them (under the case's lock)."""
    steps.cancel(
        PlannedStep.objects.filter(case=case).exclude(key=CLOSE),
        now,
        f"vervangen door campagne {new.name}",
    )
    plan = plan_campaign(new, now)
    prefix = _plan_prefix(case.pk, new.name)
    PlannedStep.objects.bulk_create(
        [
            planned_step(case.pk, new.name, replace(p, key=f"{prefix}.{p.key}"))
            for p in plan
            if p.key != CLOSE
        ],
        ignore_conflicts=True,
    )
    case.campaign = new.name
    window_days = case.municipality.window_days_in_force()
    case.window_ends = contact_window_end(case.deadline, plan, window_days)
    close_due = next(p.due_at for p in plan if p.key == CLOSE)
    PlannedStep.objects.filter(case=case, key=CLOSE, status=PlannedStep.Status.PLANNED).update(
        due_at=close_due, campaign=new.name
    )


def _plan_prefix(case_id: int, name: str) -> str:
    """The key prefix of a new plan: the campaign's name, or "<campaign>#2" ... when the case
    ran that campaign's plan before (a caseworker switched back): a key is never reused, so no
    step of the new plan is lost."""
    used = set(
        PlannedStep.objects.filter(case_id=case_id, key__startswith=name).values_list(
            "key", flat=True
        )
    )
    prefixes = {key.rpartition(".")[0] for key in used}
    prefix, number = name, 1
    while prefix in prefixes:
        number += 1
        prefix = f"{name}#{number}"
    return prefix
