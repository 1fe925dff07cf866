"""The feedback sweep: a record at the earlier of the close and 28 days after receipt, kept true
when the case closes or help is accepted later; only the fact, never the reason."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.cadence.periodic import run_housekeeping
from outreach.casework import workflow
from outreach.casework.models import Case
from outreach.casework.offers import record_answer, register_offer
from outreach.core.bsn import bsn_fields
from outreach.core.ddas import EndResult
from outreach.intake.models import DebtHelpClient, OptOut
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.reporting.facts import OUTCOME_BY_RESULT
from outreach.reporting.feedback import record_feedback
from outreach.reporting.models import PartnerFeedback
from tests.conftest import csv_bytes, signal_row
from tests.reporting.conftest import at, ingest

pytestmark = pytest.mark.django_db

Outcome = PartnerFeedback.Outcome


def fact_of(signal) -> str:
    return PartnerFeedback.objects.get(signal=signal).outcome


def change_of(signal) -> int:
    return PartnerFeedback.objects.get(signal=signal).change


@pytest.fixture
def open_signal(municipality):
    """Received Friday 15 May 2026 (signal date 1 April): its 28 days end on 12 June."""
    (signal,) = ingest([signal_row(id="H-1")], municipality, at("2026-05-15"))
    assert signal.case.state in workflow.OPEN_STATES
    return signal


def test_an_open_case_gets_its_record_on_day_28_not_day_27(open_signal):
    assert record_feedback(at("2026-06-11", "23:59")) == 0  # day 27 since receipt
    assert not PartnerFeedback.objects.exists()
    assert record_feedback(at("2026-06-12", "00:00")) == 1  # day 28
    assert fact_of(open_signal) == Outcome.NOT_REACHED
    assert record_feedback(at("2026-06-12", "00:10")) == 0
    assert record_feedback(at("2026-06-13", "09:00")) == 0


def test_the_28_days_count_from_receipt_not_from_the_signal_date(municipality):
    (signal,) = ingest([signal_row(signaaldatum="2026-05-01")], municipality, at("2026-05-20"))
    assert record_feedback(at("2026-05-30")) == 0  # 28 days after the signal date
    assert record_feedback(at("2026-06-16")) == 0
    assert record_feedback(at("2026-06-17")) == 1
    assert PartnerFeedback.objects.get().signal == signal


def test_a_first_sweep_after_a_long_pause_catches_up(open_signal, municipality):
    (later,) = ingest([signal_row(postcode="3512AA")], municipality, at("2026-06-01"))
    assert record_feedback(at("2026-07-15")) == 2
    assert {fact_of(open_signal), fact_of(later)} == {Outcome.NOT_REACHED}


def test_a_case_closed_before_28_days_gets_its_record_at_the_close(open_signal):
    case = open_signal.case
    workflow.close(case, EndResult.NO_CONTACT, at("2026-05-25"))
    assert record_feedback(at("2026-05-25", "09:10")) == 1
    assert fact_of(open_signal) == Outcome.NOT_REACHED
    assert record_feedback(at("2026-06-12")) == 0  # the 28 days add nothing


def test_a_later_close_changes_the_record(open_signal):
    record_feedback(at("2026-06-12"))
    first = change_of(open_signal)
    workflow.close(open_signal.case, EndResult.ADVICE_OR_QUICK_FIX, at("2026-06-20"))
    assert record_feedback(at("2026-06-20", "09:10")) == 1
    feedback = PartnerFeedback.objects.get(signal=open_signal)
    assert feedback.outcome == Outcome.HELPED
    assert feedback.change > first
    assert feedback.changed_at == at("2026-06-20", "09:10")
    assert record_feedback(at("2026-06-20", "09:20")) == 0


def test_a_later_close_with_the_same_fact_changes_nothing(open_signal):
    record_feedback(at("2026-06-12"))
    first = change_of(open_signal)
    workflow.close(open_signal.case, EndResult.NO_CONTACT, at("2026-06-20"))
    assert record_feedback(at("2026-06-20", "09:10")) == 0
    assert change_of(open_signal) == first


def test_an_offer_accepted_after_28_days_makes_wants_help(open_signal):
    case = open_signal.case
    record_feedback(at("2026-06-12"))
    register_offer(case, made_on=date(2026, 6, 15), kind="Telefoon", answer="pending",
                   now=at("2026-06-15"))  # fmt: skip
    assert Case.objects.get(pk=case.pk).state == Case.State.HELP_OFFER
    assert record_feedback(at("2026-06-15", "09:10")) == 0
    assert fact_of(open_signal) == Outcome.NOT_REACHED
    record_answer(case, "accepted", at("2026-06-17"))
    assert record_feedback(at("2026-06-17", "09:10")) == 1
    assert fact_of(open_signal) == Outcome.HELPED


def test_an_offer_accepted_before_28_days_makes_wants_help_on_day_28(open_signal):
    register_offer(open_signal.case, made_on=date(2026, 5, 20), kind="Telefoon",
                   answer="accepted", now=at("2026-05-20"))  # fmt: skip
    assert record_feedback(at("2026-05-20", "09:10")) == 0  # not due, not closed
    assert record_feedback(at("2026-06-12")) == 1
    assert fact_of(open_signal) == Outcome.HELPED


def test_an_offer_accepted_after_the_case_closed_counts(open_signal):
    case = open_signal.case
    register_offer(case, made_on=date(2026, 5, 20), kind="Telefoon", answer="pending",
                   now=at("2026-05-20"))  # fmt: skip
    case.refresh_from_db()
    workflow.close(case, EndResult.NO_RESPONSE_AFTER_CONTACT, at("2026-06-05"))
    record_feedback(at("2026-06-05", "09:10"))
    assert fact_of(open_signal) == Outcome.NOT_REACHED
    record_answer(case, "accepted", at("2026-07-01"))  # a late success
    assert record_feedback(at("2026-07-01", "09:10")) == 1
    assert fact_of(open_signal) == Outcome.HELPED
    assert record_feedback(at("2026-07-01", "09:20")) == 0


def test_screened_out_signals_tell_not_picked_up_or_already_known(municipality, now):
    DebtHelpClient.objects.create(
        municipality=municipality, **bsn_fields("111222333"), address_key="-", surname="Jansen"
    )
    low, known = ingest(
        [
            signal_row(id="LOW", bedrag="10,00", postcode="3511AA"),
            signal_row(id="KNOWN", bsn="111222333", postcode="3511AB"),
        ],
        municipality,
        now,
    )
    assert record_feedback(now) == 2  # screened out: closed at intake, told at once
    assert fact_of(low) == Outcome.NOT_PICKED_UP
    assert fact_of(known) == Outcome.ALREADY_KNOWN


def test_an_opted_out_signal_tells_not_reached_or_no_help_wanted(open_signal, municipality):
    # The opt-out closed the person's open case (as a STOP does); a later signal is screened out.
    workflow.close(open_signal.case, EndResult.NO_HELP_WANTED, at("2026-05-16"))
    OptOut.objects.create(
        municipality=municipality,
        person=open_signal.person,
        source="test",
        created_at=at("2026-05-16"),
    )
    (opted,) = ingest(
        [signal_row(id="H-2", signaalpartner="Water")], municipality, at("2026-05-18")
    )
    assert opted.case != open_signal.case and opted.case.state == Case.State.CLOSED
    assert record_feedback(at("2026-05-18", "09:10")) == 2  # the closed case's signal too
    assert fact_of(opted) == Outcome.NOT_REACHED


def test_every_end_result_has_a_fact_and_tells_no_reason():
    assert set(OUTCOME_BY_RESULT) == set(EndResult.values)
    assert set(OUTCOME_BY_RESULT.values()) == set(Outcome.values)


def test_a_sweep_with_nothing_due_reads_no_signals(open_signal):
    record_feedback(at("2026-05-20"))
    with CaptureQueriesContext(connection) as queries:
        assert record_feedback(at("2026-05-20", "09:10")) == 0
    assert not [q for q in queries.captured_queries if "intake_signal" in q["sql"]]


def test_housekeeping_counts_the_records_made(open_signal):
    assert run_housekeeping(at("2026-06-11", "10:00").isoformat())["feedback"] == 0
    assert run_housekeeping(at("2026-06-12", "10:00").isoformat())["feedback"] == 1


def test_change_numbers_rise_with_every_create_and_change(open_signal, municipality):
    (other,) = ingest([signal_row(postcode="3512AA")], municipality, at("2026-05-16"))
    record_feedback(at("2026-06-13"))
    made = sorted(PartnerFeedback.objects.values_list("change", flat=True))
    assert len(made) == 2 and made[1] == made[0] + 1
    workflow.close(other.case, EndResult.FOLLOW_UP_FINANCIAL, at("2026-06-14"))
    record_feedback(at("2026-06-14", "09:10"))
    assert change_of(other) == made[1] + 1


def test_daily_sweeps_make_each_record_on_its_28th_day(municipality):
    received = ["2026-05-01", "2026-05-10", "2026-05-11", "2026-05-30", "2026-06-20"]
    day = at("2026-04-28", "00:05")
    signals = {}
    while day < at("2026-07-31"):
        for n, when in enumerate(received):
            if day.date().isoformat() == when:
                rows = [signal_row(id=f"R-{n}", postcode=f"35{n}1AA")]
                (signals[when],) = ingest(rows, municipality, day.replace(hour=11))
        record_feedback(day)
        record_feedback(day.replace(hour=14))
        day += timedelta(days=1)
    for when, signal in signals.items():
        made = PartnerFeedback.objects.get(signal=signal).created_at
        assert timezone.localdate(made) == date.fromisoformat(when) + timedelta(days=28)


def test_the_daily_pass_reads_only_the_ids_of_its_window(municipality):
    (old,) = ingest(
        [signal_row(id="OLD", signaaldatum="2026-03-01")], municipality, at("2026-03-02")
    )
    day = at("2026-03-01", "00:05")
    while day < at("2026-05-01"):
        record_feedback(day)
        day += timedelta(days=1)
    assert PartnerFeedback.objects.filter(signal=old).exists()
    with CaptureQueriesContext(connection) as queries:
        record_feedback(day)
    (due,) = [q["sql"] for q in queries.captured_queries if "received_at" in q["sql"]]
    assert '"intake_signal"."id" >' in due


def test_a_file_taken_over_with_an_earlier_receipt_is_due_at_the_next_daily_pass(
    open_signal, municipality
):
    # Sweeps ran for weeks before the file came in.
    for day in ("2026-06-12", "2026-06-13", "2026-06-14"):
        record_feedback(at(day))
    rows = [signal_row(id="OLD-1", postcode="1234AB", signaaldatum="2026-04-20")]
    report = import_rows(
        read_csv_bytes(csv_bytes(rows)),
        municipality=municipality,
        now=at("2026-06-14", "12:00"),
        received=at("2026-05-01"),  # 28 days ran out on 29 May
    )
    assert report.accepted == 1
    record_feedback(at("2026-06-15"))
    old = PartnerFeedback.objects.get(signal__partner_ref="OLD-1")
    assert old.outcome == Outcome.NOT_REACHED
