"""Turning a campaign into planned steps, and starting the campaigns of new cases."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from outreach.cadence import experiments
from outreach.cadence.campaigns import Campaign, CampaignError, Step
from outreach.cadence.library import Snapshot, campaign_step, sibling_key, snapshots_for
from outreach.cadence.models import PlannedStep
from outreach.cadence.versions import version_ids
from outreach.cadence.windows import next_slot
from outreach.casework import workflow
from outreach.casework.models import Case
from outreach.core.calendar import add_working_days, local_midnight
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
        earliest = start if day == 0 else local_midnight(step_day(campaign, start_day, day))
        after_announcements = (
            local_midnight(timezone.localdate(due[a]) + timedelta(days=1))
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
    close = max(local_midnight(close_day), last)
    planned.append(Planned(CLOSE, CLOSE, next_slot(close, CLOSE)))
    return planned


def planned_step(
    case_id: int, campaign: str, planned: Planned, version_id: int | None = None
) -> PlannedStep:
    """`version_id`: the campaign file's version the step follows (outreach.cadence.versions)."""
    return PlannedStep(
        case_id=case_id,
        key=planned.key,
        campaign=campaign,
        channel=planned.channel,
        due_at=planned.due_at,
        version_id=version_id,
    )


def fallback_for(failed: PlannedStep, campaign: Campaign, step: Step, now: datetime) -> PlannedStep:
    """The step to take now that `step` (planned as `failed`) failed: its `on_failure`, of the
    same plan and the same version of the campaign file."""
    assert step.on_failure is not None
    fallback = campaign_step(campaign, step.on_failure)
    assert fallback is not None, "validated at load"
    due = next_slot(now, fallback.channel, fallback.window)
    planned = Planned(sibling_key(failed.key, fallback.id), fallback.channel, due)
    return planned_step(failed.case_id, failed.campaign, planned, failed.version_id)


def start_cases(ids: Sequence[int], now: datetime) -> int:
    """Plan the campaigns of these new cases; cases already started are left alone.

    Each case follows the campaign files of its municipality (outreach.cadence.library); its
    steps keep the version of the file they were planned from (outreach.cadence.versions).
    A campaign that runs an experiment starts as the campaign of the household's variant,
    which the case records (outreach.cadence.experiments).
    A case whose campaign is unknown or whose municipality's files are invalid, or that lacks
    the contact details every text needs (`missing_contact`: nobody to name, neither its
    caseworker nor the team's contact person, or no reply number), stays new and waits on the
    at-risk list with the reason; it is tried again when its claim runs out (at once when the
    details are filled in: see `release_waiting_cases`)."""
    with transaction.atomic():
        cases = list(
            Case.objects.select_for_update(skip_locked=True)
            .filter(id__in=ids, state=Case.State.NEW)
            .only("id", "campaign", "deadline", "municipality_id", "assignee_id", "household_id")
        )
        places = Municipality.objects.in_bulk({c.municipality_id for c in cases})
        people = ContactDirectory.load(places, {c.assignee_id for c in cases})
        sets = {pk: _campaign_set(place.code) for pk, place in places.items()}
        # A campaign that runs an experiment gives way to the household's variant's campaign.
        drawn = experiments.arms(cases, {pk: snapshots for pk, (snapshots, _) in sets.items()})
        labels: dict[str, str] = {}
        chosen: list[tuple[Case, Snapshot]] = []
        for case in cases:
            lacking = missing_contact(places[case.municipality_id], people, case.assignee_id)
            problem = missing_contact_text(lacking) if lacking else ""
            snapshot = None
            if not problem:
                snapshots, problem = sets[case.municipality_id]
                snapshot = snapshots.get(case.campaign)
                arm = drawn.get(case.pk)
                if snapshot is not None and arm is not None:
                    assert snapshot.campaign.experiment is not None
                    labels[arm.experiment] = snapshot.campaign.experiment.label
                    snapshot = snapshots[arm.campaign]  # the set's checks ensure it is there
                if snapshot is None and not problem:
                    whose = f" voor gemeente {places[case.municipality_id].code}"
                    problem = f"geen campagne '{case.campaign}'{whose}"
            if snapshot is None:
                # A configuration error holds up this case only; it is retried after the lease
                # and shown on the at-risk list meanwhile.
                log.error("case %s not started: %s", case.pk, problem)
                Case.objects.filter(pk=case.pk).update(
                    at_risk=True, at_risk_reason=f"{NOT_STARTED}{problem}"[:300]
                )
                continue
            chosen.append((case, snapshot))
        versions = version_ids([s for _, s in chosen], now)
        steps: list[PlannedStep] = []
        started: list[int] = []
        ends: dict[int, date] = {}
        files: dict[int, str] = {}
        for case, snapshot in chosen:
            campaign, version = snapshot.campaign, versions[(snapshot.file, snapshot.digest)]
            plan = plan_campaign(campaign, now)
            steps += [planned_step(case.pk, campaign.name, p, version) for p in plan]
            started.append(case.pk)
            window_days = places[case.municipality_id].window_days_in_force()
            ends[case.pk] = contact_window_end(case.deadline, plan, window_days)
            files[case.pk] = snapshot.file
        PlannedStep.objects.bulk_create(steps, ignore_conflicts=True, batch_size=2000)
        workflow.move_all(
            started, Case.State.NEW, Case.State.ACTIVE, now, started_at=now,
            start_claimed_until=None,
        )  # fmt: skip
        Case.objects.bulk_update(
            [Case(pk=pk, window_ends=end, campaign_file=files[pk]) for pk, end in ends.items()],
            ["window_ends", "campaign_file"],
        )
        entered = {pk: arm for pk, arm in drawn.items() if pk in ends}
        Case.objects.bulk_update(
            [
                Case(
                    pk=pk,
                    campaign=arm.campaign,
                    experiment=arm.experiment,
                    variant=arm.variant,
                    variant_after_stop=arm.after_stop,
                )
                for pk, arm in entered.items()
            ],
            ["campaign", "experiment", "variant", "variant_after_stop"],
        )
        experiments.record_arms(entered, labels, now)
        # What held the case up is over: it leaves the at-risk list (escalation decides anew).
        Case.objects.filter(id__in=started, at_risk_reason__startswith=NOT_STARTED).update(
            at_risk=False, at_risk_reason=""
        )
    return len(started)


def _campaign_set(code: str) -> tuple[dict[str, Snapshot], str]:
    """The municipality's campaigns, or why there are none (its files are invalid: its cases
    wait, the other municipalities' cases start)."""
    try:
        return snapshots_for(code), ""
    except CampaignError as exc:
        first = exc.problems[0] if exc.problems else exc
        return {}, f"campagnebestanden ongeldig ({len(exc.problems)} probleem/problemen): {first}"


def contact_window_end(deadline: date, plan: Sequence[Planned], window_days: int) -> date:
    """`window_days` (the municipality's, `Municipality.window_days_in_force`) after the
    deadline or the plan's last contact step, whichever is later: what is not done by then
    expires (outreach.cadence.expiry)."""
    last = max((timezone.localdate(p.due_at) for p in plan if p.key != CLOSE), default=deadline)
    return max(deadline, last) + timedelta(days=window_days)


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
