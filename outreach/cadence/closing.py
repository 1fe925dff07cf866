"""Stopping outreach and closing cases: by the campaign running out, or by a caseworker."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from outreach.cadence import steps
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework import workflow
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core import bulk
from outreach.core.ddas import EndResult

Status = PlannedStep.Status


# The note on the steps a caseworker stopped: escalation leaves such a case alone.
STOPPED = "gestopt door consulent"


def stop_outreach(
    case_ids: Iterable[int], now: datetime, note: str, *, keep_close_check: bool = False
) -> int:
    """Cancel every open step and open task of these cases; returns the steps cancelled. With
    `keep_close_check` the closing check stays planned: the case still ends by itself."""
    ids = list(case_ids)
    stopping = PlannedStep.objects.filter(case_id__in=ids)
    if keep_close_check:
        stopping = stopping.exclude(key=CLOSE)
    cancelled = steps.cancel(stopping, now, note)
    workflow.cancel_open_tasks(ids, now)
    return cancelled


def _exhausted(reached: bool) -> str:
    """Nobody was ever reached: no contact; someone was, but then nothing: no response."""
    if reached:
        return EndResult.NO_RESPONSE_AFTER_CONTACT.value
    return EndResult.NO_CONTACT.value


def close_all_exhausted(checks: Sequence[PlannedStep], now: datetime) -> None:
    """The closing checks of a batch (claimed steps, locked by the caller): close each case
    when nothing is left to try.

    Calls and visits still open (or a fallback still planned) put the check off by a day. The
    cases are read under lock: whatever closed one meanwhile (an opt-out in the same batch, a
    reply) is what counts. A case waiting for its calls checks again every day, so the checks
    are decided set-wise: a few queries for the batch, not a few for each case.
    """
    if not checks:
        return
    case_ids = sorted({step.case_id for step in checks})
    cases = Case.objects.select_for_update().in_bulk(case_ids)
    # Per case, its other open steps: a check never waits for itself.
    open_steps: dict[int, set[int]] = defaultdict(set)
    for case_id, pk in PlannedStep.objects.filter(
        case_id__in=case_ids, status__in=PlannedStep.OPEN
    ).values_list("case_id", "pk"):
        open_steps[case_id].add(pk)
    open_tasks = set(
        Task.objects.filter(case_id__in=case_ids, status=Task.Status.OPEN).values_list(
            "case_id", flat=True
        )
    )
    reached = set(
        ContactAttempt.objects.filter(case_id__in=case_ids, reached=True).values_list(
            "case_id", flat=True
        )
    )
    written: list[PlannedStep] = []
    for step in checks:
        case = cases[step.case_id]
        written.append(step)
        if case.state == Case.State.PAUSED:
            steps.finish(step, Status.PAUSED, now, "gepauzeerd")
        elif case.state != Case.State.ACTIVE:
            steps.finish(step, Status.CANCELLED, now, "zaak niet meer actief")
        elif open_steps[case.pk] - {step.pk} or case.pk in open_tasks:
            steps.postpone(step, now + timedelta(days=1), "nog open stappen of taken")
        else:
            result = _exhausted(case.pk in reached)
            workflow.close(case, result, now, "Alle stappen van de campagne zijn gedaan.")
            steps.finish(step, Status.DONE, now, result)
    bulk.update_objects(written, steps.FIELDS)
