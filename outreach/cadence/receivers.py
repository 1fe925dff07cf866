"""The engine's answers to what happens below it. A case's move
(outreach.casework.workflow.case_moved): a case that leaves outreach has everything planned
cancelled; a paused case's steps wait, and move on by the length of the pause when it resumes.
A municipality or a contact person saved with the contact details complete: the new cases
that waited for them start at the next tick."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from outreach.cadence import steps
from outreach.cadence.closing import stop_outreach
from outreach.cadence.delivery import message_failed as message_failed_path
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import release_waiting_cases
from outreach.casework.models import Case
from outreach.casework.workflow import case_moved
from outreach.core.models import ContactPerson, Municipality
from outreach.messaging.signals import message_failed

State = Case.State


@receiver(case_moved, dispatch_uid="cadence.case_moved")
def on_case_moved(
    sender: Any, case: Case, old: str, new: str, now: datetime, note: str, **kwargs: Any
) -> None:
    if new in (State.CLOSED, State.HELP_OFFER):
        stop_outreach([case.pk], now, note or "zaak niet meer actief")
    elif new == State.PAUSED:
        steps.pause(case.pk)
    elif old == State.PAUSED and new == State.ACTIVE:
        resume_steps(case, now, kwargs.get("since") or now)


def resume_steps(case: Case, now: datetime, paused_at: datetime) -> int:
    """The paused steps and the outreach window move on by the length of the pause."""
    shift = max(now - paused_at, timedelta(0))
    resumed = steps.resume(case.pk, now, shift)
    if case.window_ends is not None and shift:
        case.window_ends += timedelta(days=shift.days + (1 if shift.seconds else 0))
        case.save(update_fields=["window_ends"])
    return resumed


@receiver(post_save, sender=Municipality, dispatch_uid="cadence.contact_saved")
def on_municipality_saved(
    sender: Any, instance: Municipality, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        release_waiting_cases(instance)


@receiver(post_save, sender=ContactPerson, dispatch_uid="cadence.contact_person_saved")
def on_contact_person_saved(
    sender: Any, instance: ContactPerson, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:
        release_waiting_cases(instance.municipality)


@receiver(message_failed, dispatch_uid="cadence.message_failed")
def on_message_failed(
    sender: Any,
    step_id: int | None,
    case_id: int,
    to: str,
    code: str,
    now: datetime,
    reason: str,
    **kwargs: Any,
) -> PlannedStep | None:
    """A message failed after it left: the code's consequences, then its step's failure path."""
    return message_failed_path(step_id, case_id, to, code, now, reason)
