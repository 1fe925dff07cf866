"""The case's life cycle: the one module that changes `Case.state` and `Task.status`.

Each state machine is one table of allowed transitions (as Amsterdam Signalen's workflow.py
has). Every writer (intake, planning, replies, caseworker actions, closing, opt-out) asks this
module; a transition the table does not allow raises `TransitionError`, and closing a closed
case does nothing.

    waiting ─launch─► new ─start─► active ◄─resume/pause─► paused
       │               │             │                        │
       └───────────────┴─────────────┴──► help_offer ──► closed
                     (every open state may close)

Others react to a move through the `case_moved` signal (the engine cancels or pauses the
steps it planned): casework never reaches up into the apps that build on it.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal

from outreach.casework.models import Case, Task
from outreach.core.ddas import EndResult

State = Case.State

TRANSITIONS: dict[str, frozenset[str]] = {
    State.WAITING: frozenset({State.NEW, State.HELP_OFFER, State.CLOSED}),
    State.NEW: frozenset({State.ACTIVE, State.HELP_OFFER, State.CLOSED}),
    State.ACTIVE: frozenset({State.PAUSED, State.HELP_OFFER, State.CLOSED}),
    State.PAUSED: frozenset({State.ACTIVE, State.HELP_OFFER, State.CLOSED}),
    State.HELP_OFFER: frozenset({State.CLOSED}),
    State.CLOSED: frozenset(),
}
OPEN_STATES = frozenset(s for s in State.values if s != State.CLOSED)
# The states in which the engine's contact attempts may still be made or planned.
OUTREACH_STATES = frozenset({State.WAITING, State.NEW, State.ACTIVE, State.PAUSED})

TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    Task.Status.OPEN: frozenset({Task.Status.DONE, Task.Status.CANCELLED, Task.Status.EXPIRED}),
    Task.Status.DONE: frozenset(),
    Task.Status.CANCELLED: frozenset(),
    Task.Status.EXPIRED: frozenset(),
}

# Sent inside the transaction of every move: sender=Case, case, old, new, now, note, and since
# (when the case entered `old`: a resumed plan moves on by the length of the pause).
case_moved = Signal()


class TransitionError(ValueError):
    """A move the transitions table does not allow."""


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS[current]


def check(current: str, new: str) -> None:
    if not allowed(current, new):
        raise TransitionError(
            f"a case in state {State(current).label!r} cannot go to {State(new).label!r}"
        )


def move(case: Case, new: str, now: datetime, note: str = "", **fields: Any) -> bool:
    """Move `case` to `new`, saving `fields` with it; False when it is there already (closing a
    closed case does nothing) or when another writer moved it first to a state from which the
    move no longer holds. Compare-and-set on the row: a stale copy never undoes a later move."""
    old, since = case.state, case.state_changed_at
    if old == new:
        return False
    check(old, new)
    with transaction.atomic():
        moved = Case.objects.filter(pk=case.pk, state=old).update(
            state=new, state_changed_at=now, **fields
        )
        if moved:
            case.state, case.state_changed_at = new, now
            for name, value in fields.items():
                setattr(case, name, value)
            case_moved.send(
                sender=Case, case=case, old=old, new=new, now=now, note=note, since=since
            )
            return True
    case.refresh_from_db()  # moved meanwhile: decide again on what it is now
    if case.state == new or not allowed(case.state, new):
        return False
    return move(case, new, now, note, **fields)


def move_all(ids: Iterable[int], old: str, new: str, now: datetime, **fields: Any) -> list[int]:
    """Set-wise: move those of `ids` that are in `old` to `new`; returns the ids moved. For
    moves no one needs to react to (the engine starting the cases it planned)."""
    check(old, new)
    if new in (State.CLOSED, State.HELP_OFFER, State.PAUSED):
        raise TransitionError(f"{new} is moved case by case: others react to it")
    wanted = list(ids)
    moved = list(Case.objects.filter(id__in=wanted, state=old).values_list("id", flat=True))
    Case.objects.filter(id__in=moved, state=old).update(state=new, state_changed_at=now, **fields)
    return moved


def initial_state(*, screened_out: bool, waits_for_launch: bool) -> str:
    """The state intake gives a case it makes."""
    if screened_out:
        return State.CLOSED
    return State.WAITING if waits_for_launch else State.NEW


def close(case: Case, result: str, now: datetime, reason: str = "") -> bool:
    """Close with any DDAS end result; everything still planned for the case is cancelled (by
    the engine's receiver). Closing a closed case does nothing and returns False."""
    if result not in EndResult.values:
        raise ValueError(f"{result!r} is not a DDAS end result")
    return move(
        case,
        State.CLOSED,
        now,
        "zaak afgesloten",
        result=result,
        result_reason=reason,
        closed_at=now,
        at_risk=False,
        at_risk_reason="",
    )


def offer_help(case: Case, now: datetime, reason: str) -> bool:
    """Reached or replied: outreach stops; a caseworker offers a conversation. Only from the
    states in which outreach runs; True when the case moved."""
    if case.state not in OUTREACH_STATES:
        return False
    return move(
        case,
        State.HELP_OFFER,
        now,
        reason,
        at_risk=False,
        at_risk_reason="",
        result_reason=reason,
    )


def opt_out(case: Case, now: datetime) -> bool:
    """The person wants no contact: everything stops at once and the case closes."""
    return close(case, EndResult.NO_HELP_WANTED, now, "Inwoner wil geen contact (afgemeld).")


def move_task(task: Task, new: str, now: datetime, **fields: Any) -> bool:
    """Compare-and-set on the task's row: False when it was no longer open (a double submit, or
    the case closed meanwhile)."""
    if new not in TASK_TRANSITIONS[Task.Status.OPEN]:
        raise TransitionError(f"a task cannot go to {new}")
    updated = Task.objects.filter(pk=task.pk, status=Task.Status.OPEN).update(
        status=new, done_at=now, **fields
    )
    if updated:
        task.status = new
        task.done_at = now
        for name, value in fields.items():
            setattr(task, name, value)
    return bool(updated)


def expire_tasks(ids: Iterable[int], now: datetime) -> list[tuple[int, int]]:
    """Set-wise: these tasks, where still open, expire (not performed); returns (task, case) of
    those that did (one done meanwhile is left alone)."""
    with transaction.atomic():
        due = list(
            Task.objects.select_for_update()
            .filter(id__in=list(ids), status=Task.Status.OPEN)
            .values_list("id", "case_id")
        )
        Task.objects.filter(id__in=[pk for pk, _ in due]).update(
            status=Task.Status.EXPIRED, done_at=now
        )
    return due


def cancel_open_tasks(case_ids: Iterable[int], now: datetime) -> int:
    """Set-wise: every open task of these cases is cancelled (the case left outreach)."""
    return Task.objects.filter(case_id__in=list(case_ids), status=Task.Status.OPEN).update(
        status=Task.Status.CANCELLED, done_at=now
    )
