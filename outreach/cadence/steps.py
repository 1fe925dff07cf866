"""`PlannedStep.status`: the one module that changes it, with its transitions table.

    planned ─claim─► claimed ─► done | skipped | failed      (executed)
       │ ▲              │
       │ └─postpone/lease┘
       ├──────────────────────► cancelled                     (the case left outreach,
       └─► paused ─resume─► planned                             replaced, expired)

A claim is a lease: a claimed step whose task was lost is claimed again (claims.py, the one
set-wise SQL writer, takes `CLAIM` from here). Every other change goes through the functions
below; a change the table does not allow raises.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import QuerySet

from outreach.cadence.models import PlannedStep

Status = PlannedStep.Status

STEP_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PLANNED: frozenset({Status.CLAIMED, Status.CANCELLED, Status.PAUSED}),
    Status.CLAIMED: frozenset(
        {Status.PLANNED, Status.DONE, Status.SKIPPED, Status.FAILED, Status.CANCELLED}
        | {Status.PAUSED}
    ),
    Status.PAUSED: frozenset({Status.PLANNED, Status.CANCELLED}),
    Status.DONE: frozenset(),
    Status.SKIPPED: frozenset(),
    Status.FAILED: frozenset(),
    Status.CANCELLED: frozenset(),
}
# The claim (planned -> claimed, or a claimed step whose lease ran out), as SQL for claims.py.
CLAIM = "status = 'claimed', claimed_until = %s, claims = claims + 1"


class StepTransitionError(ValueError):
    """A change of a step's status the table does not allow."""


def check(current: str, new: str) -> None:
    if new not in STEP_TRANSITIONS[current]:
        raise StepTransitionError(f"a step that is {current} cannot become {new}")


def finish(step: PlannedStep, status: str, now: datetime, note: str = "") -> None:
    """In memory (the caller saves, set-wise for a batch): the step ends in `status` (or
    pauses)."""
    check(step.status, status)
    step.status = status
    step.note = note[:300]
    step.claimed_until = None
    if status != Status.PAUSED:
        step.done_at = now


def postpone(step: PlannedStep, due_at: datetime, note: str = "") -> None:
    """In memory: a claimed step waits until `due_at` (a window, a retry, held-back sends)."""
    check(step.status, Status.PLANNED)
    step.status = Status.PLANNED
    step.due_at = due_at
    step.claimed_until = None
    step.note = note[:300]


FIELDS = ["status", "due_at", "claimed_until", "retries", "done_at", "note"]


def cancel(steps: QuerySet[PlannedStep], now: datetime, note: str) -> int:
    """Set-wise: the open (planned, claimed, paused) steps among `steps` are cancelled."""
    return steps.filter(status__in=(*PlannedStep.OPEN, Status.PAUSED)).update(
        status=Status.CANCELLED, claimed_until=None, note=note[:300], done_at=now
    )


def cancel_cases(case_ids: Iterable[int], now: datetime, note: str) -> int:
    return cancel(PlannedStep.objects.filter(case_id__in=list(case_ids)), now, note)


def pause(case_id: int) -> int:
    """The case's planned steps wait (a claimed one in flight pauses when executed)."""
    return PlannedStep.objects.filter(case_id=case_id, status=Status.PLANNED).update(
        status=Status.PAUSED, claimed_until=None, note="gepauzeerd"
    )


def resume(case_id: int, now: datetime, shift: timedelta) -> int:
    """The paused steps are planned again, each moved on by `shift` (never into the past)."""
    steps = list(PlannedStep.objects.filter(case_id=case_id, status=Status.PAUSED))
    for step in steps:
        step.status = Status.PLANNED
        step.due_at = max(step.due_at + shift, now)
        step.note = ""
    PlannedStep.objects.bulk_update(steps, ["status", "due_at", "note"])
    return len(steps)
