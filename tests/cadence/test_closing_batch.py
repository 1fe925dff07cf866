"""The closing checks of a batch are decided together: each case closes, waits a day or is left
alone exactly as when decided one by one, and a batch of checks costs the same few queries
however many cases are still waiting for their calls (they check again every day)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.cadence.execution import execute_steps
from outreach.cadence.models import PlannedStep
from outreach.cadence.planning import CLOSE
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import EndResult
from tests.cadence.conftest import ingest
from tests.conftest import signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

Status = PlannedStep.Status


def started_cases(municipality, now, count: int) -> list[Case]:
    """`count` cases at their own addresses, started, with nothing left but the closing check."""
    rows = [signal_row(huisnummer=str(10 + i), signaaldatum="2026-05-14") for i in range(count)]
    cases = ingest(rows, municipality, now)
    assert len(cases) == count
    from outreach.cadence import planning

    planning.start_cases([c.pk for c in cases], now)
    PlannedStep.objects.filter(case__in=cases).exclude(key=CLOSE).update(
        status=Status.CANCELLED, done_at=now
    )
    return list(Case.objects.filter(pk__in=[c.pk for c in cases]).order_by("pk"))


def open_task(case: Case, now: datetime) -> None:
    Task.objects.create(
        municipality=case.municipality,
        case=case,
        step_key="call",
        kind=Task.Kind.PHONE,
        deadline=case.deadline,
        due_on=timezone.localdate(now),
        created_at=now,
    )


def run_checks(cases: list[Case], now: datetime) -> int:
    """Claim the cases' closing checks and execute them as one batch; the queries it took."""
    checks = PlannedStep.objects.filter(case__in=cases, key=CLOSE)
    checks.update(status=Status.CLAIMED, claimed_until=now + timedelta(minutes=10))
    ids = list(checks.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as queries:
        execute_steps(ids, now)
    return len(queries)


def close_step(case: Case) -> PlannedStep:
    return PlannedStep.objects.get(case=case, key=CLOSE)


def test_each_check_of_a_batch_is_decided_as_on_its_own(municipality, now):
    nobody, reached, waiting, paused = started_cases(municipality, now, 4)
    ContactAttempt.objects.create(
        case=reached, kind="Telefoon", reached=True, date=now.date(), dagdeel="Middag"
    )
    open_task(waiting, now)
    Case.objects.filter(pk=paused.pk).update(state=Case.State.PAUSED)
    later = now + timedelta(days=20)
    run_checks([nobody, reached, waiting, paused], later)
    for case in (nobody, reached, waiting, paused):
        case.refresh_from_db()
    assert (nobody.state, nobody.result) == (Case.State.CLOSED, EndResult.NO_CONTACT)
    assert (reached.state, reached.result) == (
        Case.State.CLOSED,
        EndResult.NO_RESPONSE_AFTER_CONTACT,
    )
    assert close_step(nobody).status == Status.DONE
    assert close_step(reached).status == Status.DONE
    assert waiting.state == Case.State.ACTIVE
    step = close_step(waiting)
    assert (step.status, step.due_at) == (Status.PLANNED, later + timedelta(days=1))
    assert step.note == "nog open stappen of taken"
    assert paused.state == Case.State.PAUSED and close_step(paused).status == Status.PAUSED


def test_the_checks_cost_the_same_queries_for_three_waiting_cases_as_for_twelve(municipality, now):
    cases = started_cases(municipality, now, 15)
    for case in cases:
        open_task(case, now)
    later = now + timedelta(days=20)
    few = run_checks(cases[:3], later)
    many = run_checks(cases[3:], later)
    assert many == few
    assert all(close_step(c).status == Status.PLANNED for c in cases)
