"""Every case reaches its end: a moving clock, a daily tick, and no human action at all."""

from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from outreach.cadence.expiry import EXPIRED_NOTE, expire
from outreach.cadence.models import PlannedStep
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.casework import workflow
from outreach.casework.models import Case, CaseEvent, ContactAttempt, Task
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality
from outreach.demo.loader import DEMO_CONTACT, demo_contact_people, load_demo
from outreach.demo.sample_data import DEMO_AREA, SamplePopulation
from outreach.intake.models import Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from tests.cadence.conftest import ingest
from tests.conftest import csv_bytes, signal_row

pytestmark = pytest.mark.django_db

State = Case.State

DAYS = 60


@pytest.fixture
def case(municipality, now, campaign_dir):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return case


def test_a_move_records_when_and_the_engine_reacts(case, engine, now):
    engine(now)  # starts the campaign: new -> active
    case.refresh_from_db()
    assert case.state == State.ACTIVE and case.state_changed_at == now
    assert case.window_ends is not None and case.window_ends > case.deadline
    later = now + timedelta(hours=1)
    assert workflow.offer_help(case, later, "Inwoner bereikt.")
    case.refresh_from_db()
    assert case.state == State.HELP_OFFER and case.state_changed_at == later
    open_steps = PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN)
    assert not open_steps.exists()  # the engine's receiver cancelled the plan


def test_pausing_holds_the_plan_and_resuming_moves_it_on_by_the_pause(case, engine, now):
    engine(now)
    case.refresh_from_db()
    due_before = dict(
        PlannedStep.objects.filter(case=case, status="planned").values_list("key", "due_at")
    )
    ends_before = case.window_ends
    assert workflow.move(case, State.PAUSED, now)
    assert not PlannedStep.objects.filter(case=case, status="planned").exists()
    # Steps that fall due meanwhile are not executed.
    week = now + timedelta(days=7)
    report = engine(week)
    assert report.steps == 0
    assert workflow.move(case, State.ACTIVE, week)
    after = dict(
        PlannedStep.objects.filter(case=case, status="planned").values_list("key", "due_at")
    )
    assert set(after) == set(due_before)
    for key, due in due_before.items():
        assert after[key] == max(due + timedelta(days=7), week)
    case.refresh_from_db()
    assert case.window_ends == ends_before + timedelta(days=7)


def test_a_call_nobody_made_expires_at_the_window_end_and_the_case_closes(case, engine, now):
    day = now
    while not Task.objects.filter(case=case).exists():
        engine(day)
        day += timedelta(days=1)
    case.refresh_from_db()
    assert case.window_ends is not None
    last_day = timezone.make_aware(datetime.combine(case.window_ends, time(10)))
    assert expire(last_day) == 0  # the window's last day: still open
    for _ in range(3):  # the closing check waits for the open call meanwhile
        engine(last_day)
    assert Case.objects.get(pk=case.pk).state == State.ACTIVE
    after = last_day + timedelta(days=1)
    tasks = Task.objects.filter(case=case)
    assert {t.kind for t in tasks} == {"phone", "visit"} and {t.status for t in tasks} == {"open"}
    assert expire(after) == 2
    assert {(t.status, t.outcome) for t in tasks.all()} == {(Task.Status.EXPIRED, "")}
    assert not ContactAttempt.objects.filter(case=case, kind="Telefoon").exists()
    assert CaseEvent.objects.filter(case=case, action="taak verlopen").exists()
    engine(after + timedelta(days=1))
    case.refresh_from_db()
    assert (case.state, case.result) == (State.CLOSED, EndResult.NO_CONTACT)


def test_a_step_its_window_kept_back_is_cancelled_at_the_window_end(case, engine, now):
    engine(now)
    case.refresh_from_db()
    after = timezone.make_aware(datetime.combine(case.window_ends + timedelta(days=1), time(3)))
    expire(after)
    left = PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN)
    assert list(left.values_list("key", flat=True)) == ["close"]
    assert PlannedStep.objects.filter(case=case, note=EXPIRED_NOTE).exists()


def run_days(start: datetime, days: int) -> datetime:
    """One tick and one housekeeping a day at 10:00, the scheduler's minimum."""
    day = start
    for _ in range(days + 1):
        iso = day.isoformat()
        tick_now(iso)
        run_housekeeping(iso)
        day += timedelta(days=1)
    return day


def assert_every_case_ended(municipality: Municipality, received: datetime) -> None:
    cases = Case.objects.filter(municipality=municipality)
    assert cases.exists()
    still_open = Counter(cases.exclude(state=Case.State.CLOSED).values_list("state", flat=True))
    assert not still_open, f"open after {DAYS} days: {dict(still_open)}"
    assert not cases.filter(result=None).exists()
    assert set(cases.values_list("result", flat=True)) <= set(EndResult.values)
    latest = max(cases.values_list("closed_at", flat=True))
    assert latest <= received + timedelta(days=DAYS)
    # Nobody performed the calls and visits: they expired, and none counts as an attempt.
    assert not Task.objects.filter(case__municipality=municipality, status="open").exists()
    personal = ContactAttempt.objects.filter(
        case__municipality=municipality, kind__in=["Telefoon", "Huisbezoek"]
    )
    assert not personal.exists()
    assert not PlannedStep.objects.filter(
        case__municipality=municipality, status__in=PlannedStep.OPEN
    ).exists()
    # Every signal's partner has heard back (housekeeping ran every day).
    assert not Signal.objects.filter(municipality=municipality, feedback__isnull=True).exists()


def test_every_demo_case_closes_within_sixty_days_without_anyone_acting(tmp_path):
    received = timezone.make_aware(datetime(2026, 9, 1, 10, 0))
    demo = load_demo(now=received, folder=tmp_path)
    assert demo.report.accepted > 250
    run_days(received, DAYS)
    assert_every_case_ended(demo.municipality, received)
    tasks = Task.objects.filter(case__municipality=demo.municipality)
    assert tasks.filter(status="expired").exists()  # the campaigns did plan calls and visits
    results = Counter(Case.objects.values_list("result", flat=True))
    assert results[EndResult.NO_CONTACT] > 0


def test_every_case_of_another_population_closes_too():
    """A population the demo was not built from (another seed and time of year)."""
    municipality = Municipality.objects.create(code="0307", name="Elders", contact=DEMO_CONTACT)
    demo_contact_people(municipality)
    received = timezone.make_aware(datetime(2026, 12, 14, 10, 0))  # into the Christmas days
    population = SamplePopulation(DEMO_AREA, households=120, seed=42)
    rows = list(population.signal_rows(150, received.date() - timedelta(days=20), received.date()))
    report = import_rows(read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=received)
    assert report.accepted > 100, report.rejections[:3]
    run_days(received, DAYS)
    assert_every_case_ended(municipality, received)


def test_a_paused_case_keeps_its_plan_past_the_window_and_goes_on_the_at_risk_list(
    case, engine, now
):
    engine(now)
    case.refresh_from_db()
    planned = set(
        PlannedStep.objects.filter(case=case, status="planned").values_list("key", flat=True)
    )
    assert workflow.move(case, State.PAUSED, now)
    after = timezone.make_aware(datetime.combine(case.window_ends + timedelta(days=1), time(10)))
    run_housekeeping(after.isoformat())
    paused = set(
        PlannedStep.objects.filter(case=case, status="paused").values_list("key", flat=True)
    )
    assert paused == planned  # nothing expired while paused
    case.refresh_from_db()
    assert case.state == State.PAUSED
    assert case.at_risk and "Gepauzeerd" in case.at_risk_reason
    assert workflow.move(case, State.ACTIVE, after)
    resumed = set(
        PlannedStep.objects.filter(case=case, status="planned").values_list("key", flat=True)
    )
    assert resumed == planned


def test_a_call_promised_to_a_late_reply_does_not_expire(case, engine, now):
    engine(now)
    case.refresh_from_db()
    after = timezone.make_aware(datetime.combine(case.window_ends + timedelta(days=1), time(10)))
    workflow.offer_help(case, after, "Inwoner vroeg om gebeld te worden.")
    task = Task.objects.create(
        municipality=case.municipality, case=case, step_key="reply_call_9", kind="phone",
        deadline=case.deadline, due_on=after.date(), planned_for=after.date(), created_at=after,
    )  # fmt: skip
    assert expire(after + timedelta(minutes=10)) == 0
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
