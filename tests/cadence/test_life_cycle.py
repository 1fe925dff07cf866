"""Every case reaches its end: a moving clock, a daily tick, and no human action at all."""

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from outreach.cadence.models import PlannedStep
from outreach.cadence.tasks import run_housekeeping, tick_now
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import EndResult
from outreach.core.demo import DEMO_CONTACT, load_demo
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.intake.sample_data import DEMO_AREA, SamplePopulation
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db

DAYS = 60


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
    received = timezone.make_aware(datetime(2026, 12, 14, 10, 0))  # into the Christmas days
    population = SamplePopulation(DEMO_AREA, households=120, seed=42)
    rows = list(population.signal_rows(150, received.date() - timedelta(days=20), received.date()))
    report = import_rows(read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=received)
    assert report.accepted > 100, report.rejections[:3]
    run_days(received, DAYS)
    assert_every_case_ended(municipality, received)
