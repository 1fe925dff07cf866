"""The cadence engine end to end in-process: planning, ticks, execution, outcomes, closing."""

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta

import pytest

from outreach.cadence.claims import claim_due_steps
from outreach.cadence.execution import execute_steps
from outreach.cadence.library import get_campaign
from outreach.cadence.models import PlannedStep
from outreach.cadence.outcomes import record_task_outcome
from outreach.cadence.planning import plan_campaign
from outreach.casework import workflow
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import EndResult
from outreach.desk.summaries import case_summary, queue
from outreach.messaging.models import Message
from outreach.messaging.transports.base import PERMANENT, SENT, TRANSIENT, Outgoing, Result
from outreach.reporting.models import PartnerFeedback
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

LEASE = timedelta(minutes=10)


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def steps_of(case: Case) -> dict[str, PlannedStep]:
    return {s.key: s for s in PlannedStep.objects.filter(case=case)}


@pytest.fixture
def case(municipality, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return case


def test_plan_respects_windows_weekends_and_holidays(now):
    plan = {p.key: p.due_at for p in plan_campaign(get_campaign("standard"), now)}
    assert "letter2" not in plan and "card" not in plan  # fallbacks wait for a failure
    assert plan["letter1"] == now  # Friday 15 May, 09:00: inside the window, at once
    assert plan["sms1"] == at("2026-05-18")  # day 3 is Monday
    assert plan["call"] == at("2026-05-22")
    assert plan["visit"] == at("2026-05-27")
    # Two days before the visit is Whit Monday (a public holiday): the Tuesday after.
    assert plan["announce"] == at("2026-05-26")
    assert plan["close"] == at("2026-06-03", "00:00")


def test_plan_started_at_night_waits_for_the_morning():
    friday_night = at("2026-05-15", "23:30")
    plan = {p.key: p.due_at for p in plan_campaign(get_campaign("standard"), friday_night)}
    assert plan["letter1"] == at("2026-05-18")  # no letters on Saturday or Sunday
    for due in plan.values():
        assert due.astimezone(AMSTERDAM).hour >= 9 or due.astimezone(AMSTERDAM).hour == 0


def test_tick_starts_the_campaign_and_sends_the_first_letter(case, engine, now):
    report = engine(now)
    assert (report.cases, report.steps) == (1, 1)
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE and case.started_at == now
    (message,) = Message.objects.filter(case=case)
    assert message.channel == "letter" and "Jan Jansen" in message.to
    assert "gratis" in message.body
    (attempt,) = ContactAttempt.objects.filter(case=case)
    assert (attempt.kind, attempt.reached, attempt.date, attempt.dagdeel) == (
        "Brief",
        False,
        date(2026, 5, 15),
        "Ochtend",
    )
    summary = case_summary(queue([case.municipality]).get(pk=case.pk))
    assert summary["attempts"] == [
        {"kind": "Brief", "reached": False, "date": "2026-05-15", "dagdeel": "Ochtend"}
    ]
    assert summary["next_step"] == {"channel": "sms", "due": "2026-05-18T09:00:00+02:00"}


def test_a_second_tick_at_the_same_time_does_nothing(case, engine, now):
    engine(now)
    report = engine(now)
    assert (report.cases, report.steps) == (0, 0)
    assert Message.objects.count() == 1


def test_executing_the_same_batch_twice_performs_each_step_once(case, engine, now):
    engine(now)
    monday = at("2026-05-18")
    ids = claim_due_steps(monday, LEASE, 100)
    assert len(ids) == 1
    first = execute_steps(ids, monday)
    again = execute_steps(ids, monday)  # a redelivered or duplicated task
    assert first == {"done": 1} and again == {}
    assert Message.objects.filter(channel="sms").count() == 1
    assert ContactAttempt.objects.filter(kind="SMS/Whatsapp").count() == 1


def test_a_lost_claim_is_claimed_again_after_the_lease(case, engine, now):
    engine(now)
    monday = at("2026-05-18")
    ids = claim_due_steps(monday, LEASE, 100)  # claimed, but the task is lost
    assert claim_due_steps(monday + LEASE / 2, LEASE, 100) == []  # the lease still holds
    assert claim_due_steps(monday + LEASE, LEASE, 100) == ids
    execute_steps(ids, monday + LEASE)
    assert Message.objects.filter(channel="sms").count() == 1
    assert PlannedStep.objects.get(pk=ids[0]).claims == 2


def test_a_late_message_waits_for_the_morning(case, engine, now):
    engine(now)
    late = at("2026-05-18", "22:15")
    ids = claim_due_steps(late, LEASE, 100)
    assert execute_steps(ids, late) == {"planned": 1}
    step = PlannedStep.objects.get(pk=ids[0])
    assert step.due_at == at("2026-05-19") and step.note == "buiten het tijdvenster"
    assert not Message.objects.filter(channel="sms").exists()


class ScriptedTransport:
    """Answers per number: a list of outcomes to give in turn; others are sent."""

    def __init__(self, script: dict[str, list[str]]) -> None:
        self.script = script
        self.calls: list[str] = []

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        results = []
        for item in batch:
            self.calls.append(item.to)
            outcomes = self.script.get(item.to, [])
            outcome = outcomes.pop(0) if outcomes else SENT
            error = "" if outcome == SENT else f"{outcome} error for {item.to}"
            results.append(Result(outcome, "id", error))  # type: ignore[arg-type]
        return results


@pytest.fixture
def two_cases(municipality, now):
    return ingest(
        [
            signal_row(signaaldatum="2026-05-14", telefoonnummer="0612345678"),
            signal_row(
                signaaldatum="2026-05-14",
                postcode="3512CD",
                huisnummer="5",
                achternaam="Bakker",
                telefoonnummer="0687654321",
            ),
        ],
        municipality,
        now,
    )


def test_a_transient_error_is_retried_with_backoff_without_blocking_others(two_cases, engine, now):
    engine(now)
    flaky = ScriptedTransport({"+31612345678": [TRANSIENT, TRANSIENT]})
    monday = at("2026-05-18")
    engine(monday, flaky)
    first, second = two_cases
    assert Message.objects.filter(case=second, channel="sms").count() == 1
    step = steps_of(first)["sms1"]
    assert (step.status, step.retries, step.due_at) == ("planned", 1, monday + timedelta(minutes=1))
    engine(monday + timedelta(minutes=1), flaky)
    step.refresh_from_db()
    assert (step.retries, step.due_at) == (2, monday + timedelta(minutes=3))
    engine(monday + timedelta(minutes=3), flaky)
    step.refresh_from_db()
    assert step.status == "done"
    assert Message.objects.filter(case=first, channel="sms").count() == 1
    assert flaky.calls.count("+31612345678") == 3


def test_a_permanent_error_takes_the_failure_path(two_cases, engine, now):
    engine(now)
    broken = ScriptedTransport({"+31612345678": [PERMANENT]})
    monday = at("2026-05-18")
    engine(monday, broken)
    first, second = two_cases
    steps = steps_of(first)
    assert steps["sms1"].status == "failed" and "permanent" in steps["sms1"].note
    assert steps["letter2"].status == "planned" and steps["letter2"].due_at == monday
    engine(monday, broken)
    assert [m.channel for m in Message.objects.filter(case=first).order_by("pk")] == [
        "letter",
        "letter",
    ]
    assert Message.objects.filter(case=second, channel="sms").count() == 1


def test_too_many_transient_errors_take_the_failure_path(case, engine, now, settings):
    settings.OUTREACH_MAX_RETRIES = 1
    engine(now)
    flaky = ScriptedTransport({"+31612345678": [TRANSIENT] * 5})
    engine(at("2026-05-18"), flaky)
    engine(at("2026-05-18", "09:01"), flaky)
    steps = steps_of(case)
    assert steps["sms1"].status == "failed" and "letter2" in steps


def test_without_a_mobile_number_the_sms_fails_over_to_a_letter(municipality, engine, now):
    (case,) = ingest(
        [signal_row(signaaldatum="2026-05-14", telefoonnummer="030 1234567")], municipality, now
    )
    engine(now)
    engine(at("2026-05-18"))
    steps = steps_of(case)
    assert steps["sms1"].status == "failed" and steps["sms1"].note == "geen nummer"
    engine(at("2026-05-18"))
    assert Message.objects.filter(case=case, channel="letter").count() == 2


def test_a_reply_stops_the_outreach_and_moves_to_the_offer_of_help(case, engine, now):
    engine(now)
    workflow.offer_help(
        Case.objects.get(pk=case.pk), at("2026-05-16", "10:00"), "Inwoner heeft gereageerd."
    )
    case.refresh_from_db()
    assert case.state == Case.State.HELP_OFFER
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    report = engine(at("2026-06-30"))
    assert report.steps == 0 and Message.objects.filter(case=case).count() == 1
    assert case_summary(queue([case.municipality]).get(pk=case.pk))["next_step"] is None


def test_an_opt_out_stops_everything_and_closes(case, engine, now):
    engine(now)
    engine(at("2026-05-22"))  # the call task exists now
    workflow.opt_out(Case.objects.get(pk=case.pk), at("2026-05-22", "11:00"))
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.result == EndResult.NO_HELP_WANTED
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    assert not Task.objects.filter(case=case, status=Task.Status.OPEN).exists()


def test_a_reached_call_moves_to_help_offer(case, engine, now):
    engine(now)
    engine(at("2026-05-22"))
    task = Task.objects.get(case=case, kind="phone")
    record_task_outcome(task, "reached", at("2026-05-22", "19:30"))
    record_task_outcome(task, "reached", at("2026-05-22", "19:31"))  # a double submit
    (call,) = ContactAttempt.objects.filter(case=case, kind="Telefoon")
    assert call.reached and call.dagdeel == "Avond"
    case.refresh_from_db()
    assert case.state == Case.State.HELP_OFFER


def test_a_campaign_that_reaches_nobody_closes_and_tells_the_partner(case, engine, now):
    engine(now)
    for day in ("2026-05-18", "2026-05-22"):
        engine(at(day))
    record_task_outcome(Task.objects.get(case=case, kind="phone"), "not_reached", at("2026-05-22"))
    engine(at("2026-05-26"))  # the visit's announcement
    engine(at("2026-05-27"))  # the visit task
    visit = Task.objects.get(case=case, kind="visit")
    record_task_outcome(visit, "not_home", at("2026-05-27", "18:30"))
    engine(at("2026-05-27", "18:31"))  # the card, the visit's failure path
    attempts = ContactAttempt.objects.filter(case=case).order_by("pk")
    kinds = list(attempts.values_list("kind", flat=True))
    assert kinds == ["Brief", "SMS/Whatsapp", "Telefoon", "Brief", "Huisbezoek", "Kaartje"]
    engine(at("2026-06-02", "23:00"))
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE  # the closing check is due on 3 June
    engine(at("2026-06-03", "00:00"))
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.result == EndResult.NO_CONTACT
    from outreach.reporting.feedback import record_feedback

    # Closed within the 28 days: the partner hears it at the close, not on day 28.
    assert record_feedback(at("2026-06-03", "00:10")) == 1
    (feedback,) = PartnerFeedback.objects.all()
    assert feedback.outcome == "not_reached" and feedback.signal.case == case
    assert record_feedback(at("2026-06-03", "00:20")) == 0
    assert record_feedback(at("2026-06-12", "00:10")) == 0  # day 28 adds nothing


def test_the_closing_check_waits_for_open_tasks(case, engine, now):
    engine(now)
    for day in ("2026-05-18", "2026-05-22", "2026-05-26", "2026-05-27"):
        engine(at(day))
    engine(at("2026-06-03", "00:00"))  # both tasks still open
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE
    assert steps_of(case)["close"].due_at == at("2026-06-04", "00:00")


def test_a_new_signal_after_close_starts_a_new_sequence(case, engine, now, municipality):
    engine(now)
    workflow.opt_out(Case.objects.get(pk=case.pk), at("2026-05-16"))
    later = at("2026-07-01")
    ingest([signal_row(signaaldatum="2026-06-30")], municipality, later)
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.household_id == case.household_id and new.state == Case.State.NEW
    engine(later)
    new.refresh_from_db()
    assert new.state == Case.State.ACTIVE
    assert Message.objects.filter(case=new).count() == 1


def test_tick_command_runs_at_the_given_time(case, run_command):
    out = run_command("tick", "--now", "2026-05-15T09:00", "--json")
    report = json.loads(out)
    assert report["cases"] == 1 and report["steps"] == 1
    assert Message.objects.filter(case=case).count() == 1
    cases = json.loads(run_command("cases", "--json"))
    assert cases[0]["attempts"][0]["kind"] == "Brief"
    assert cases[0]["next_step"]["channel"] == "sms"


@pytest.mark.django_db(transaction=True)
def test_the_embedded_scheduler_ticks_in_process(case):
    import threading

    from django.utils import timezone

    from outreach.cadence import embedded
    from outreach.cadence.periodic import Beat

    clock = [timezone.now()]
    end = clock[0] + timedelta(minutes=11)

    class MovingClock(threading.Event):
        """Each wait moves the clock on by its timeout; eleven minutes, then stop."""

        def wait(self, timeout: float | None = None) -> bool:
            clock[0] += timedelta(seconds=timeout or 0)
            if clock[0] >= end:
                self.set()
            return self.is_set()

    embedded.run_forever(MovingClock(), Beat(clock=lambda: clock[0], run=embedded.run_tidily))
    case.refresh_from_db()
    assert case.state == Case.State.ACTIVE  # started by the first tick
    keys = set(PlannedStep.objects.filter(case=case).values_list("key", flat=True))
    assert {"letter1", "sms1", "call", "announce", "visit", "close"} <= keys
    # Housekeeping ran too, at its ten minutes: by the clock this case is long past its deadline.
    assert case.at_risk and "escalation" in keys


def test_at_risk_command(municipality, engine, now, run_command):
    (case,) = ingest([signal_row(signaaldatum="2026-04-01")], municipality, now)
    engine(now)  # the deadline (29 April) has passed
    rows = json.loads(run_command("at-risk", "--json"))
    assert [r["id"] for r in rows] == [case.pk]
    assert rows[0]["days_left"] < 0


def test_an_unknown_campaign_holds_up_only_its_own_case(two_cases, engine, now):
    first, second = two_cases
    Case.objects.filter(pk=first.pk).update(campaign="gone")
    report = engine(now)
    assert report.cases == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == Case.State.NEW and first.at_risk
    assert "gone" in first.at_risk_reason
    assert second.state == Case.State.ACTIVE
