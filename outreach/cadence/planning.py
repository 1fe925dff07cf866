"""Turning a campaign into planned steps, and starting the campaigns of new cases."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outreach.cadence.campaigns import Campaign, Step
from outreach.cadence.library import campaign_step, get_campaign, sibling_key
from outreach.cadence.models import PlannedStep
from outreach.cadence.windows import next_slot
from outreach.casework import workflow
from outreach.casework.models import Case
from outreach.core.calendar import add_working_days
from outreach.core.contacts import ContactDirectory
from outreach.core.models import Municipality
from outreach.core.municipalities import missing_contact, missing_contact_text

log = logging.getLogger(__name__)

CLOSE = "close"
ESCALATION = "escalation"
# The start of the at-risk reason of a new case whose campaign could not be started.
NOT_STARTED = "Campagne niet gestart: "


@dataclass(frozen=True)
class Planned:
    key: str
    channel: str
    due_at: datetime


def step_day(campaign: Campaign, start: date, offset: int) -> date:
    if campaign.day_unit == "working":
        return add_working_days(start, offset)
    return start + timedelta(days=offset)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def plan_campaign(campaign: Campaign, start: datetime) -> list[Planned]:
    """Every step that is not a fallback, in its window, and the closing check after the last.

    Each step is due at the first moment of its window from its day on, and never before a
    step of an earlier day: a window that holds a step back holds back the steps of the days
    after it, so the plan keeps the campaign's order. A visit comes on a later day than its
    announcements, also when a weekend or a holiday held them back."""
    start_day = timezone.localdate(start)
    attempts = campaign.planned_attempts()
    announced: dict[str, list[str]] = {}
    for step in attempts:
        if step.announces is not None:
            announced.setdefault(step.announces, []).append(step.id)
    due: dict[str, datetime] = {}
    floor = latest = start  # the latest step of the days before, and of all so far
    day = 0
    for step in sorted(attempts, key=lambda s: campaign.days[s.id]):
        if campaign.days[step.id] > day:
            day, floor = campaign.days[step.id], latest
        earliest = start if day == 0 else _midnight(step_day(campaign, start_day, day))
        after_announcements = (
            _midnight(timezone.localdate(due[a]) + timedelta(days=1))
            for a in announced.get(step.id, ())
        )
        due[step.id] = next_slot(
            max(earliest, floor, *after_announcements), step.channel, step.window
        )
        latest = max(latest, due[step.id])
    planned = [Planned(s.id, s.channel, due[s.id]) for s in attempts]
    last = max(due.values(), default=start)
    close_day = timezone.localdate(last) + timedelta(days=campaign.close_after_days)
    # With close_after_days 0 the check is due with the last step, not at the day's start.
    close = max(_midnight(close_day), last)
    planned.append(Planned(CLOSE, CLOSE, next_slot(close, CLOSE)))
    return planned


def planned_step(case_id: int, campaign: str, planned: Planned) -> PlannedStep:
    return PlannedStep(
        case_id=case_id,
        key=planned.key,
        campaign=campaign,
        channel=planned.channel,
        due_at=planned.due_at,
    )


def fallback_for(
    case_id: int, campaign: Campaign, step: Step, key: str, now: datetime
) -> PlannedStep:
    """The step to take now that `step` (planned as `key`) failed: its `on_failure`."""
    assert step.on_failure is not None
    fallback = campaign_step(campaign, step.on_failure)
    assert fallback is not None, "validated at load"
    due = next_slot(now, fallback.channel, fallback.window)
    planned = Planned(sibling_key(key, fallback.id), fallback.channel, due)
    return planned_step(case_id, campaign.name, planned)


def start_cases(ids: Sequence[int], now: datetime) -> int:
    """Plan the campaigns of these new cases; cases already started are left alone.

    A case whose campaign is unknown, or that lacks the contact details every text needs
    (`missing_contact`: nobody to name, neither its caseworker nor the team's contact person,
    or no reply number), stays new and waits on the at-risk list with the reason;
    it is tried again when its claim runs out (at once when the details are filled in: see
    `release_waiting_cases`)."""
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, state=Case.State.NEW)
            .only("id", "campaign", "deadline", "municipality_id", "assignee_id")
        )
        places = Municipality.objects.in_bulk({c.municipality_id for c in cases})
        people = ContactDirectory.load(places, {c.assignee_id for c in cases})
        steps: list[PlannedStep] = []
        started: list[int] = []
        ends: dict[int, date] = {}
        for case in cases:
            lacking = missing_contact(places[case.municipality_id], people, case.assignee_id)
            problem = missing_contact_text(lacking) if lacking else ""
            campaign = None
            if not problem:
                try:
                    campaign = get_campaign(case.campaign)
                except LookupError as exc:
                    problem = str(exc)
            if campaign is None:
                # A configuration error holds up this case only; it is retried after the lease
                # and shown on the at-risk list meanwhile.
                log.error("case %s not started: %s", case.pk, problem)
                Case.objects.filter(pk=case.pk).update(
                    at_risk=True, at_risk_reason=f"{NOT_STARTED}{problem}"[:300]
                )
                continue
            plan = plan_campaign(campaign, now)
            steps += [planned_step(case.pk, campaign.name, p) for p in plan]
            started.append(case.pk)
            ends[case.pk] = contact_window_end(case.deadline, plan)
        PlannedStep.objects.bulk_create(steps, ignore_conflicts=True, batch_size=2000)
        workflow.move_all(
            started, Case.State.NEW, Case.State.ACTIVE, now, started_at=now,
            start_claimed_until=None,
        )  # fmt: skip
        Case.objects.bulk_update(
            [Case(pk=pk, window_ends=end) for pk, end in ends.items()], ["window_ends"]
        )
        # What held the case up is over: it leaves the at-risk list (escalation decides anew).
        Case.objects.filter(id__in=started, at_risk_reason__startswith=NOT_STARTED).update(
            at_risk=False, at_risk_reason=""
        )
    return len(started)


def contact_window_end(deadline: date, plan: Sequence[Planned]) -> date:
    """OUTREACH_WINDOW_DAYS after the deadline or the plan's last contact step, whichever is
    later: what is not done by then expires (outreach.cadence.expiry)."""
    last = max((timezone.localdate(p.due_at) for p in plan if p.key != CLOSE), default=deadline)
    return max(deadline, last) + timedelta(days=settings.OUTREACH_WINDOW_DAYS)


def release_waiting_cases(municipality: Municipality) -> int:
    """Let the next tick try again the new cases of `municipality` that wait for its contact
    details, once they are complete (rather than when their claim runs out). Complete means the
    team's contact person and the reply number: a case whose own caseworker gets a profile is
    tried again when its claim runs out."""
    if missing_contact(municipality):
        return 0
    return Case.objects.filter(
        municipality=municipality,
        state=Case.State.NEW,
        at_risk_reason__startswith=NOT_STARTED,
        start_claimed_until__isnull=False,
    ).update(start_claimed_until=None)
