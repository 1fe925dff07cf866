"""A new signal joined a running case and the weighing framework now chooses a stronger
campaign (a crisis, or more personal attempts): what is left of the old plan gives way to the
new campaign, planned from now. A weaker or equal choice keeps the running plan.

The new campaign's steps are keyed "<campaign>.<step id>" ("<campaign>#2.<step id>" the second
time a case gets that campaign), so they never collide with steps planned before. A
caseworker's explicit switch (outreach.cadence.steering) uses the same `switch_plan`, without
the strength rule.

This is the one way a running plan changes: the new campaign comes from the municipality's
files as they are now; the running one is judged as it was planned (its version,
outreach.cadence.versions).
"""

import logging
from dataclasses import replace
from datetime import datetime

from django.db import transaction

from outreach.cadence import steps
from outreach.cadence.campaigns import Campaign, CampaignError
from outreach.cadence.library import Snapshot, get_snapshot
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE, contact_window_end, plan_campaign, planned_step
from outreach.cadence.versions import campaign_of, version_ids
from outreach.casework.models import Case

log = logging.getLogger(__name__)

PERSONAL = frozenset({"phone_task", "visit_task"})


def strength(campaign: Campaign) -> tuple[bool, int, int]:
    """Crisis campaigns (counted in working days) first, then personal attempts, then all."""
    attempts = campaign.planned_attempts()
    personal = sum(1 for step in attempts if step.channel in PERSONAL)
    return (campaign.day_unit == "working", personal, len(attempts))


def running_step(case_id: int) -> PlannedStep | None:
    """The latest step of the running plan (not the closing check, which moves on a switch)."""
    return PlannedStep.objects.filter(case_id=case_id).exclude(key=CLOSE).order_by("-id").first()


def running_campaign(case_id: int) -> str | None:
    step = running_step(case_id)
    return step.campaign if step else None


def replan_upgraded(now: datetime, limit: int = 1000) -> int:
    """Switch the flagged cases to their stronger campaign; returns how many switched."""
    switched = 0
    with transaction.atomic():
        cases = list(Case.objects.select_for_update(skip_locked=True).filter(replan=True)[:limit])
        for case in cases:
            switched += _replan(case, now)
            case.replan = False
            case.save(update_fields=["campaign", "campaign_file", "replan", "window_ends"])
    return switched


def _replan(case: Case, now: datetime) -> bool:
    step = running_step(case.pk)
    if case.state != Case.State.ACTIVE or step is None or step.campaign == case.campaign:
        return False
    old = campaign_of(step)  # as it was planned
    try:
        new = get_snapshot(case.campaign, case.municipality.code)
        if old is None:
            raise LookupError(f"the running campaign {step.campaign!r} is known nowhere")
    except (LookupError, CampaignError) as exc:
        log.error("case %s keeps its campaign: %s", case.pk, exc)
        case.campaign = step.campaign
        return False
    if strength(new.campaign) <= strength(old):
        case.campaign = step.campaign  # the plan that runs is what the case shows
        return False
    switch_plan(case, new, now)
    return True


def switch_plan(case: Case, snapshot: Snapshot, now: datetime) -> None:
    """What is left of the running plan gives way to the campaign of `snapshot` (a file as it
    is now), planned from `now`: the steps not yet performed are cancelled, the closing check
    moves to the new plan's end. Sets `case.campaign`, `case.campaign_file` and
    `case.window_ends`; the caller saves them (under the case's lock)."""
    new = snapshot.campaign
    version = version_ids([snapshot], now)[(snapshot.file, snapshot.digest)]
    steps.cancel(
        PlannedStep.objects.filter(case=case).exclude(key=CLOSE),
        now,
        f"vervangen door campagne {new.name}",
    )
    plan = plan_campaign(new, now)
    prefix = _plan_prefix(case.pk, new.name)
    PlannedStep.objects.bulk_create(
        [
            planned_step(case.pk, new.name, replace(p, key=f"{prefix}.{p.key}"), version)
            for p in plan
            if p.key != CLOSE
        ],
        ignore_conflicts=True,
    )
    case.campaign = new.name
    case.campaign_file = snapshot.file
    window_days = case.municipality.window_days_in_force()
    case.window_ends = contact_window_end(case.deadline, plan, window_days)
    close_due = next(p.due_at for p in plan if p.key == CLOSE)
    PlannedStep.objects.filter(case=case, key=CLOSE, status=PlannedStep.Status.PLANNED).update(
        due_at=close_due, campaign=new.name, version_id=version
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
