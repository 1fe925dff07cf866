"""The case's life cycle: one transitions table, and every move through it."""

from datetime import timedelta

import pytest

from outreach.casework import workflow
from outreach.casework.models import Case, Task
from outreach.casework.workflow import TRANSITIONS, TransitionError
from outreach.core.ddas import EndResult

pytestmark = pytest.mark.django_db

State = Case.State


def test_the_table_names_every_state_and_only_known_ones():
    assert set(TRANSITIONS) == set(State.values)
    for targets in TRANSITIONS.values():
        assert targets <= set(State.values)
    assert TRANSITIONS[State.CLOSED] == frozenset()
    # Every open state may close: nothing waits forever.
    assert all(State.CLOSED in TRANSITIONS[s] for s in State.values if s != State.CLOSED)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (State.CLOSED, State.ACTIVE),
        (State.HELP_OFFER, State.ACTIVE),
        (State.NEW, State.PAUSED),
        (State.WAITING, State.ACTIVE),
        (State.ACTIVE, State.NEW),
    ],
)
def test_a_forbidden_transition_raises_and_changes_nothing(case, now, old, new):
    Case.objects.filter(pk=case.pk).update(state=old)
    case.refresh_from_db()
    with pytest.raises(TransitionError):
        workflow.move(case, new, now)
    case.refresh_from_db()
    assert case.state == old


def test_closing_a_closed_case_does_nothing(case, now):
    assert workflow.close(case, EndResult.NO_CONTACT, now, "eerste keer")
    later = now + timedelta(days=3)
    assert not workflow.close(case, EndResult.FOLLOW_UP_FINANCIAL, later, "tweede keer")
    case.refresh_from_db()
    assert (case.result, case.result_reason, case.closed_at) == (
        EndResult.NO_CONTACT,
        "eerste keer",
        now,
    )


def test_closing_refuses_a_result_outside_ddas(case, now):
    with pytest.raises(ValueError, match="not a DDAS end result"):
        workflow.close(case, "opgelost", now)


def test_offer_help_leaves_a_closed_case_alone(case, now):
    workflow.close(case, EndResult.NO_CONTACT, now)
    assert not workflow.offer_help(case, now, "te laat")
    case.refresh_from_db()
    assert case.state == State.CLOSED


def test_the_engine_starts_cases_set_wise_through_the_table(case, now):
    assert workflow.move_all([case.pk], State.NEW, State.ACTIVE, now) == [case.pk]
    assert workflow.move_all([case.pk], State.NEW, State.ACTIVE, now) == []  # already moved
    with pytest.raises(TransitionError):
        workflow.move_all([case.pk], State.ACTIVE, State.CLOSED, now)  # closing: one by one


def test_a_task_is_done_once_and_an_ended_task_stays_ended(case, now):
    task = Task.objects.create(
        municipality=case.municipality, case=case, step_key="call", kind="phone",
        deadline=case.deadline, due_on=now.date(), created_at=now,
    )  # fmt: skip
    assert workflow.move_task(task, Task.Status.DONE, now, outcome="reached")
    assert not workflow.move_task(task, Task.Status.EXPIRED, now)
    task.refresh_from_db()
    assert (task.status, task.outcome) == (Task.Status.DONE, "reached")
    with pytest.raises(TransitionError):
        workflow.move_task(task, Task.Status.OPEN, now)


def test_a_stale_copy_never_undoes_a_later_move(case, now):
    stale = Case.objects.get(pk=case.pk)
    assert workflow.close(case, EndResult.NO_HELP_WANTED, now, "afgemeld")
    # Another writer still holds the copy from before the close.
    assert not workflow.offer_help(stale, now, "te laat")
    assert not workflow.close(stale, EndResult.FOLLOW_UP_FINANCIAL, now, "ook te laat")
    case.refresh_from_db()
    assert (case.state, case.result, case.result_reason) == (
        State.CLOSED, EndResult.NO_HELP_WANTED, "afgemeld",
    )  # fmt: skip
    assert stale.state == State.CLOSED  # the copy now knows


def test_a_stale_copy_moves_on_from_what_the_case_is_now(case, now):
    stale = Case.objects.get(pk=case.pk)
    assert workflow.move_all([case.pk], State.NEW, State.ACTIVE, now) == [case.pk]
    moves: list[tuple[str, str]] = []

    def seen(sender, old, new, **kwargs):
        moves.append((old, new))

    workflow.case_moved.connect(seen)
    try:
        assert workflow.offer_help(stale, now, "bereikt")  # the copy still says "new"
    finally:
        workflow.case_moved.disconnect(seen)
    case.refresh_from_db()
    assert case.state == State.HELP_OFFER
    assert moves == [(State.ACTIVE, State.HELP_OFFER)]  # what others hear: from what it was
