"""Stopping outreach and closing cases: by the campaign running out, or by a caseworker."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from outreach.cadence import steps
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework import workflow
from outreach.casework.models import Case, ContactAttempt, Task
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
        steps.postpone(step, now + timedelta(days=1), "nog open stappen of taken")
        step.save(update_fields=["status", "due_at", "claimed_until", "note"])
        return
    result = exhausted_result(case.pk)
    workflow.close(case, result, now, "Alle stappen van de campagne zijn gedaan.")
    _finish(step, Status.DONE, now, result)


def _finish(step: PlannedStep, status: str, now: datetime, note: str) -> None:
    steps.finish(step, status, now, note)
    step.save(update_fields=["status", "done_at", "claimed_until", "note"])
