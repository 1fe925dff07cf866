"""Statutory windows: escalation ahead of the plan, the at-risk list, call and visit capacity."""

from datetime import date, datetime

import pytest

from outreach.cadence.escalation import at_risk_cases, escalate
from outreach.cadence.models import PlannedStep
from outreach.casework.capacity import plan_tasks
from outreach.casework.models import Case, Task
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def test_a_case_near_its_deadline_without_a_personal_attempt_escalates(municipality, engine, now):
    # Received on 23 April: the deadline is 21 May, before the campaign's call on 22 May.
    (case,) = ingest(
        [signal_row(signaaldatum="2026-04-23")], municipality, now, received=at("2026-04-23")
    )
    engine(now)
    case.refresh_from_db()
    assert case.deadline == date(2026, 5, 21)
    assert escalate(now) == 1
    case.refresh_from_db()
    assert case.at_risk and "6 dag(en)" in case.at_risk_reason
    step = PlannedStep.objects.get(case=case, key="escalation")
    assert (step.channel, step.due_at) == ("phone_task", now)
    assert list(at_risk_cases([municipality], now.date())) == [case]
    assert escalate(now) == 0  # once a case
    engine(now)
    task = Task.objects.get(case=case, step_key="escalation")
    assert task.kind == "phone" and task.priority > case.score


def test_a_case_whose_call_comes_before_the_deadline_is_on_track(municipality, engine, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-01")], municipality, now)
    engine(now)
    # Deadline 29 May; the plan calls on 22 May and visits on 27 May.
    assert escalate(at("2026-05-22", "08:00")) == 0
    assert not PlannedStep.objects.filter(case=case, key="escalation").exists()


def test_far_from_the_deadline_nothing_escalates(municipality, engine, now):
    ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    assert escalate(now) == 0


def test_a_crisis_case_escalates_one_working_day_before(municipality, engine, now):
    # A crisis signal received on Thursday 14 May (Ascension Day): 3 working days -> Tuesday
    # 19 May.
    (case,) = ingest(
        [signal_row(signaaldatum="2026-05-14", crisissignaal="ja")],
        municipality,
        now,
        received=at("2026-05-14"),
    )
    engine(now)
    case.refresh_from_db()
    assert case.crisis and case.deadline == date(2026, 5, 19)
    assert escalate(now) == 0  # Friday: two working days left
    assert escalate(at("2026-05-18")) == 1  # Monday: one working day left


def test_a_case_past_its_deadline_is_at_risk(municipality, engine, now):
    (case,) = ingest(
        [signal_row(signaaldatum="2026-05-14")], municipality, now, received=at("2026-05-14")
    )
    engine(now)
    assert list(at_risk_cases([municipality], date(2026, 6, 12))) == [case]
    assert list(at_risk_cases([municipality], date(2026, 6, 11))) == []


def make_task(case: Case, key: str, priority: int, deadline: date, crisis: bool = False) -> Task:
    return Task.objects.create(
        municipality=case.municipality,
        case=case,
        step_key=key,
        kind="phone",
        priority=priority,
        crisis=crisis,
        deadline=deadline,
        due_on=date(2026, 5, 15),
        created_at=at("2026-05-15"),
    )


def test_tasks_are_planned_against_capacity_highest_priority_first(municipality, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    municipality.capacity = {"phone": 2}
    municipality.save()
    low = make_task(case, "a", 10, date(2026, 6, 30))
    high = make_task(case, "b", 90, date(2026, 6, 30))
    urgent = make_task(case, "c", 5, date(2026, 5, 18))
    crisis = make_task(case, "d", 1, date(2026, 6, 30), crisis=True)
    squeezed = make_task(case, "e", 1, date(2026, 5, 15))
    plan = plan_tasks(municipality, "phone", date(2026, 5, 15), horizon=2)
    for task in (low, high, urgent, crisis, squeezed):
        task.refresh_from_db()
    # Friday 15 May: the crisis and the nearest deadline; Monday 18 May: the next two.
    assert crisis.planned_for == date(2026, 5, 15) and squeezed.planned_for == date(2026, 5, 15)
    assert urgent.planned_for == date(2026, 5, 18) and high.planned_for == date(2026, 5, 18)
    # No room left in the horizon: unplanned and visible, not dropped.
    assert low.planned_for is None and low.late
    assert (plan.planned, plan.unplanned, plan.late) == (4, 1, 0)
    assert plan.per_day == {"2026-05-15": 2, "2026-05-18": 2}


def test_each_municipality_plans_against_its_own_capacity(municipality, now, settings):
    from outreach.core.models import Municipality
    from tests.conftest import CONTACT

    settings.OUTREACH_DEFAULT_CAPACITY = {"phone": 3, "visit": 1}
    small = Municipality.objects.create(
        code="0307", name="Amersfoort", contact=dict(CONTACT), capacity={"phone": 1}
    )
    for place in (municipality, small):
        (case,) = ingest([signal_row(signaaldatum="2026-05-14")], place, now)
        for key in "abc":
            make_task(case, key, 50, date(2026, 6, 30))
    friday = date(2026, 5, 15)
    default_plan = plan_tasks(municipality, "phone", friday, horizon=1)
    small_plan = plan_tasks(small, "phone", friday, horizon=1)
    assert (default_plan.capacity, default_plan.planned, default_plan.unplanned) == (3, 3, 0)
    assert (small_plan.capacity, small_plan.planned, small_plan.unplanned) == (1, 1, 2)
    assert Task.objects.filter(municipality=small, planned_for=friday).count() == 1


def test_capacity_shortfall_shows_as_late_tasks(municipality, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    municipality.capacity = {"phone": 1}
    municipality.save()
    make_task(case, "a", 50, date(2026, 5, 15))
    make_task(case, "b", 40, date(2026, 5, 15))
    plan = plan_tasks(municipality, "phone", date(2026, 5, 15), horizon=5)
    assert (plan.planned, plan.late, plan.unplanned) == (2, 1, 0)
    late = Task.objects.get(step_key="b")
    assert late.planned_for == date(2026, 5, 18) and late.late


def test_calls_done_today_in_amsterdam_count_against_todays_capacity(municipality, now):
    """Today is the local day: a call made at 00:30 on Friday in Amsterdam (Thursday in UTC)
    counts against Friday, one made at 23:30 on Thursday does not."""
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    municipality.capacity = {"phone": 2}
    municipality.save()
    for key, done in (("early", at("2026-05-15", "00:30")), ("before", at("2026-05-14", "23:30"))):
        done_task = make_task(case, key, 50, date(2026, 6, 30))
        Task.objects.filter(pk=done_task.pk).update(status=Task.Status.DONE, done_at=done)
    waiting = [make_task(case, key, 50, date(2026, 6, 30)) for key in ("x", "y")]
    plan = plan_tasks(municipality, "phone", date(2026, 5, 15), horizon=2)
    # One of Friday's two places is taken by the call made after midnight.
    assert plan.per_day == {"2026-05-15": 2, "2026-05-18": 1}
    planned = sorted(Task.objects.get(pk=t.pk).planned_for for t in waiting)
    assert planned == [date(2026, 5, 15), date(2026, 5, 18)]
