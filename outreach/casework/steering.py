"""What a caseworker does to a case by hand: pause and resume the sequence, assign it, register
a contact attempt, note. Plain functions taking
`now`; each writes one line of the case's history (outreach.casework.events) and changes the
state only through outreach.casework.workflow. What touches the engine's plan (launch, stop,
switch, opt-out) is in outreach.cadence.steering; what corrects the partner's data (a signal
found unjustified, the people's language) in outreach.intake.corrections.

A refused action raises `SteeringError` with a message in Dutch, for the case page.
"""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from outreach.casework import workflow
from outreach.casework.assignment import display_name, may_be_assigned
from outreach.casework.events import User, record_event, user_id
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import ContactKind, Dagdeel, EndResult

State = Case.State
NOTE_MAX = 300


class SteeringError(ValueError):
    """An action the case's state or the input does not allow, in words a caseworker reads."""


def available_actions(case: Case) -> frozenset[str]:
    """The actions that fit the case's state, as the case page offers them."""
    state = case.state
    if state == State.CLOSED:
        return frozenset({"note", "answer"})
    actions = {"note", "answer", "assign", "attempt", "offer", "language", "opt_out", "signal"}
    if state == State.WAITING:
        actions.add("launch")
    if workflow.allowed(state, State.PAUSED):
        actions.add("pause")
    if state == State.PAUSED:
        actions.add("resume")
    if state in (State.ACTIVE, State.PAUSED):
        actions.add("stop")
    if state in (State.NEW, State.ACTIVE):
        actions.add("switch")
    return frozenset(actions)


def locked(case: Case) -> Case:
    """The case read again under its row lock (inside the caller's transaction)."""
    return Case.objects.select_for_update().get(pk=case.pk)


def require(case: Case, action: str, what: str) -> None:
    """Refuse `action` (described as `what`, e.g. "pauzeren") in a state it does not fit."""
    if action not in available_actions(case):
        raise SteeringError(f"Een zaak met status '{State(case.state).label}' kunt u niet {what}.")


def pause(case: Case, now: datetime, user: User) -> Case:
    """The sequence waits: the engine's steps pause until the case resumes."""
    with transaction.atomic():
        case = locked(case)
        require(case, "pause", "pauzeren")
        workflow.move(case, State.PAUSED, now, "gepauzeerd door consulent")
        record_event(case, now, user, "gepauzeerd", "Campagne gepauzeerd.")
    return case


def resume(case: Case, now: datetime, user: User) -> Case:
    """The sequence runs again; every paused step moves on by the length of the pause."""
    with transaction.atomic():
        case = locked(case)
        require(case, "resume", "hervatten")
        since = case.state_changed_at or now
        workflow.move(case, State.ACTIVE, now, "hervat door consulent")
        days = (timezone.localdate(now) - timezone.localdate(since)).days
        record_event(
            case, now, user, "hervat", f"Campagne hervat; de stappen schuiven {days} dag(en) op."
        )
    return case


def assign(case: Case, assignee: Any | None, now: datetime, user: User) -> Case:
    """The case and its open tasks go to `assignee` (a caseworker of the case's municipality),
    or to nobody. Letters then name her and her direct number."""
    with transaction.atomic():
        case = locked(case)
        require(case, "assign", "toewijzen")
        if assignee is not None and not may_be_assigned(assignee, case.municipality):
            raise SteeringError(
                f"{display_name(assignee)} is geen consulent van {case.municipality.name}."
            )
        case.assignee = assignee
        case.save(update_fields=["assignee"])
        Task.objects.filter(case=case, status=Task.Status.OPEN).update(assignee=assignee)
        detail = (
            f"Toegewezen aan {display_name(assignee)}."
            if assignee is not None
            else "Toewijzing opgeheven."
        )
        record_event(case, now, user, "toegewezen", detail)
    return case


def register_attempt(
    case: Case,
    *,
    kind: str,
    on: date,
    dagdeel: str,
    reached: bool,
    now: datetime,
    user: User,
) -> ContactAttempt:
    """A DDAS contact attempt made outside the engine (a call the person made, a visit, an
    e-mail). A reached attempt stops the outreach: the case moves to the offer of help."""
    if kind not in ContactKind.values:
        raise SteeringError(f"'{kind}' is geen DDAS-contactsoort.")
    if dagdeel not in Dagdeel.values:
        raise SteeringError(f"'{dagdeel}' is geen dagdeel; kies {', '.join(Dagdeel.values)}.")
    if on > timezone.localdate(now):
        raise SteeringError("De datum van de contactpoging ligt in de toekomst.")
    with transaction.atomic():
        case = locked(case)
        require(case, "attempt", "een contactpoging registreren")
        if on < timezone.localdate(case.created_at):
            raise SteeringError("De datum ligt vóór het ontstaan van de zaak.")
        attempt = ContactAttempt.objects.create(
            case=case,
            kind=kind,
            reached=reached,
            date=on,
            dagdeel=dagdeel,
            made_by_id=user_id(user),
        )
        outcome = "bereikt" if reached else "niet bereikt"
        record_event(
            case, now, user, "contactpoging", f"{kind} op {on:%d-%m-%Y} ({dagdeel}): {outcome}."
        )
        if reached:
            workflow.offer_help(case, now, "Inwoner bereikt.")
    return attempt


def add_note(case: Case, text: str, now: datetime, user: User) -> None:
    """A caseworker's note in the case's history."""
    text = " ".join(text.split())
    if not text:
        raise SteeringError("Een lege notitie is niet opgeslagen.")
    if len(text) > NOTE_MAX:
        raise SteeringError(f"Een notitie is hoogstens {NOTE_MAX} tekens.")
    record_event(case, now, user, "notitie", text)


def got_in_touch(case: Case, now: datetime, user: User) -> Case:
    """The person called, came by or answered: outreach stops, the offer of help starts."""
    with transaction.atomic():
        case = locked(case)
        if workflow.offer_help(case, now, "Inwoner heeft contact opgenomen."):
            record_event(case, now, user, "contact", "Inwoner heeft contact opgenomen.")
    return case


def close(case: Case, result: str, reason: str, now: datetime, user: User) -> Case:
    """A caseworker closes the case with any DDAS end result."""
    if result not in EndResult.values:
        raise SteeringError("Kies een eindresultaat uit de lijst.")
    with transaction.atomic():
        case = locked(case)
        if case.state == State.CLOSED:
            raise SteeringError("Deze zaak is al afgesloten.")
        workflow.close(case, result, now, " ".join(reason.split())[:1000])
        record_event(case, now, user, "afgesloten", f"Afgesloten: {result}.")
    return case
