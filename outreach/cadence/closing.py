"""Stopping outreach and closing cases: by the campaign running out, or by a caseworker."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework import workflow
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import EndResult

Status = PlannedStep.Status


def stop_outreach(
    case_ids: Iterable[int], now: datetime, note: str, *, keep_close_check: bool = False
) -> int:
    """Cancel every open step and open task of these cases; returns the steps cancelled. With
    `keep_close_check` the closing check stays planned: the case still ends by itself."""
    ids = list(case_ids)
    steps = PlannedStep.objects.filter(case_id__in=ids, status__in=PlannedStep.OPEN)
    if keep_close_check:
        steps = steps.exclude(key=CLOSE)
    cancelled = steps.update(
        status=Status.CANCELLED, claimed_until=None, note=note[:300], done_at=now
    )
    workflow.end_open_tasks(ids, Task.Status.CANCELLED, now)
    return cancelled


def close_case(case: Case, result: str, now: datetime, reason: str = "") -> bool:
    """Close with any DDAS end result (the workflow's close; the receiver cancels the plan)."""
    return workflow.close(case, result, now, reason)


def exhausted_result(case_id: int) -> str:
    """Nobody was ever reached: no contact; someone was, but then nothing: no response."""
    reached = ContactAttempt.objects.filter(case_id=case_id, reached=True).exists()
    if reached:
        return EndResult.NO_RESPONSE_AFTER_CONTACT.value
    return EndResult.NO_CONTACT.value


def close_exhausted(step: PlannedStep, now: datetime) -> None:
    """The closing check at the end of a campaign: close when nothing is left to try.

    Calls and visits still open (or a fallback still planned) put the check off by a day. The
    case is read under lock: whatever closed it meanwhile (an opt-out in the same batch, a
    reply) is what counts.
    """
    case = Case.objects.select_for_update().get(pk=step.case_id)
    if case.state == Case.State.PAUSED:
        _finish(step, Status.PAUSED, now, "gepauzeerd")
        return
    if case.state != Case.State.ACTIVE:
        _finish(step, Status.CANCELLED, now, "zaak niet meer actief")
        return
    pending = (
        PlannedStep.objects.filter(case_id=step.case_id, status__in=PlannedStep.OPEN)
        .exclude(pk=step.pk)
        .exists()
        or Task.objects.filter(case_id=step.case_id, status=Task.Status.OPEN).exists()
    )
    if pending:
        step.status = Status.PLANNED
        step.due_at = now + timedelta(days=1)
        step.claimed_until = None
        step.note = "nog open stappen of taken"
        step.save(update_fields=["status", "due_at", "claimed_until", "note"])
        return
    result = exhausted_result(case.pk)
    close_case(case, result, now, "Alle stappen van de campagne zijn gedaan.")
    _finish(step, Status.DONE, now, result)


def _finish(step: PlannedStep, status: str, now: datetime, note: str) -> None:
    step.status = status
    step.done_at = now
    step.claimed_until = None
    step.note = note[:300]
    step.save(update_fields=["status", "done_at", "claimed_until", "note"])
