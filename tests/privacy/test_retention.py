"""Anonymisation after the retention period: identity goes, the figures stay."""

import json
from datetime import timedelta

import pytest

from outreach.casework.models import Case
from outreach.intake.models import Household, OptOut, Person, PhoneNumber, Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.privacy.retention import ANONYMOUS, anonymise_expired
from tests.conftest import csv_bytes, signal_row

pytestmark = pytest.mark.django_db


def deliver(rows, municipality, now):
    return import_rows(read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=now)


def close_all_cases():
    Case.objects.update(state=Case.State.CLOSED, result="Definitief geen contact kunnen krijgen")


def test_old_closed_household_is_anonymised_recent_one_kept(municipality, now):
    old = now - timedelta(days=200)
    deliver(
        [
            signal_row(
                postcode="3511AB",
                huisnummer="12A",
                bsn="111222333",
                signaaldatum="2025-10-20",
                ontstaansdatum="2025-09-01",
            )
        ],
        municipality,
        old,
    )
    deliver(
        [signal_row(postcode="3522CD", huisnummer="7", signaaldatum="2026-05-01")],
        municipality,
        now,
    )
    close_all_cases()

    report = anonymise_expired(now, retention_days=183)

    assert (report.raw_rows_cleared, report.persons_anonymised, report.households_anonymised) == (
        1,
        1,
        1,
    )
    gone = Person.objects.get(household__postcode="3511")
    assert (gone.surname, gone.bsn_encrypted, gone.bsn_index) == (ANONYMOUS, "", "")
    assert (gone.birth_date, gone.email) == (None, "")
    assert not PhoneNumber.objects.filter(person=gone).exists()
    household = gone.household
    assert (household.postcode, household.house_number, household.addition, household.street) == (
        "3511",
        0,
        "",
        "",
    )
    old_signal = Signal.objects.get(household=household)
    assert old_signal.raw == "" and old_signal.amount > 0 and old_signal.partner_type == "Energie"
    assert Case.objects.get(household=household).result == "Definitief geen contact kunnen krijgen"

    kept = Person.objects.get(household__postcode="3522CD")
    assert kept.surname == "Jansen" and kept.email
    assert json.loads(Signal.objects.get(household=kept.household).raw)["achternaam"] == "Jansen"

    again = anonymise_expired(now, retention_days=183)
    assert again.as_dict() == {
        "raw_rows_cleared": 0, "persons_anonymised": 0, "households_anonymised": 0,
        "messages_cleared": 0,
    }  # fmt: skip


def test_open_case_and_opt_out_keep_identity(municipality, now):
    old = now - timedelta(days=200)
    deliver(
        [signal_row(postcode="3511AB", signaaldatum="2025-10-20", ontstaansdatum="2025-09-01")],
        municipality,
        old,
    )
    deliver(
        [signal_row(postcode="3533EF", signaaldatum="2025-10-20", ontstaansdatum="2025-09-01")],
        municipality,
        old,
    )
    opted = Person.objects.get(household__postcode="3533EF")
    OptOut.objects.create(
        municipality=municipality, person=opted, source="caseworker", created_at=old
    )
    Case.objects.filter(household__postcode="3533EF").update(state=Case.State.CLOSED)

    report = anonymise_expired(now, retention_days=183)

    # The open case's household keeps its people; the raw rows go for both, being old.
    assert report.raw_rows_cleared == 2
    assert report.persons_anonymised == 0
    assert report.households_anonymised == 0
    assert Person.objects.filter(surname="Jansen").count() == 2
    assert Household.objects.filter(key__startswith="anon:").count() == 0


def test_a_new_signal_after_anonymisation_starts_afresh(municipality, now):
    old = now - timedelta(days=200)
    deliver(
        [signal_row(postcode="3511AB", signaaldatum="2025-10-20", ontstaansdatum="2025-09-01")],
        municipality,
        old,
    )
    close_all_cases()
    anonymise_expired(now, retention_days=183)

    deliver([signal_row(postcode="3511AB", signaaldatum="2026-05-01")], municipality, now)

    fresh = Household.objects.get(key="3511AB|12|")
    assert Person.objects.get(household=fresh).surname == "Jansen"
    assert Case.objects.get(household=fresh).state == Case.State.NEW


def test_command_prints_the_report(run_command, municipality, now):
    long_ago = now - timedelta(days=400)
    deliver(
        [signal_row(signaaldatum="2025-04-01", ontstaansdatum="2025-03-01")], municipality, long_ago
    )
    close_all_cases()
    out = run_command("anonymise", "--now", now.isoformat(), "--json")
    assert json.loads(out) == {
        "raw_rows_cleared": 1, "persons_anonymised": 1, "households_anonymised": 1,
        "messages_cleared": 0,
    }  # fmt: skip


def test_daily_beat_job_names_a_registered_task(settings):
    from outreach.celery import app

    app.loader.import_default_modules()
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if "anonymise" in e["task"]]
    assert entry["task"] in app.tasks


def test_task_uses_the_retention_setting(municipality, now, settings):
    from outreach.privacy.tasks import anonymise_expired_data

    deliver([signal_row(signaaldatum="2025-04-01", ontstaansdatum="2025-03-01")], municipality, now)
    close_all_cases()
    settings.OUTREACH_RETENTION_DAYS = 100_000  # nothing has expired yet
    assert anonymise_expired_data() == {
        "raw_rows_cleared": 0, "persons_anonymised": 0, "households_anonymised": 0,
        "messages_cleared": 0,
    }  # fmt: skip
    settings.OUTREACH_RETENTION_DAYS = 0  # the task uses the real clock, past the fixture time
    assert anonymise_expired_data()["persons_anonymised"] == 1


def test_sent_messages_lose_names_and_numbers(municipality, now):
    from outreach.messaging.models import Message

    old = now - timedelta(days=200)
    deliver(
        [signal_row(postcode="3511AB", signaaldatum="2025-10-20", ontstaansdatum="2025-09-01")],
        municipality,
        old,
    )
    deliver([signal_row(postcode="3522CD", signaaldatum="2026-05-01")], municipality, now)
    for case in Case.objects.all():
        Message.objects.create(
            case=case, channel="sms", to="+31612345678", body="Beste Jan Jansen", created_at=old
        )
    close_all_cases()
    Case.objects.update(result_reason="Jan belde zelf")
    report = anonymise_expired(now, retention_days=183)
    assert report.messages_cleared == 1
    gone = Message.objects.get(case__household__postcode="3511")
    assert (gone.to, gone.body, gone.channel, gone.status) == (ANONYMOUS, "", "sms", "queued")
    assert Case.objects.get(household__postcode="3511").result_reason == ""
    kept = Message.objects.get(case__household__postcode="3522CD")
    assert kept.body == "Beste Jan Jansen"


# --- each municipality's own retention period -------------------------------------------------


@pytest.fixture
def two_places(municipality, now, settings):
    """Utrecht keeps the default period (183 days); Amersfoort keeps data 90 days. Both had a
    closed case 120 days ago."""
    from outreach.core.models import Municipality
    from tests.conftest import CONTACT

    settings.OUTREACH_RETENTION_DAYS = 183
    short = Municipality.objects.create(
        code="0307", name="Amersfoort", contact=dict(CONTACT), retention_days=90
    )
    old = now - timedelta(days=120)
    for place, postcode in ((municipality, "3511AB"), (short, "3811AB")):
        row = signal_row(postcode=postcode, signaaldatum="2026-01-10", ontstaansdatum="2025-12-01")
        deliver([row], place, old)
    close_all_cases()
    return municipality, short


def test_each_municipality_s_data_goes_after_its_own_period(two_places, now):
    default, short = two_places
    report = anonymise_expired(now)
    assert (report.raw_rows_cleared, report.persons_anonymised, report.households_anonymised) == (
        1,
        1,
        1,
    )
    gone = Person.objects.get(municipality=short)
    assert (gone.surname, gone.bsn_encrypted, gone.household.postcode) == (ANONYMOUS, "", "3811")
    assert Signal.objects.get(municipality=short).raw == ""
    kept = Person.objects.get(municipality=default)
    assert (kept.surname, kept.household.postcode) == ("Jansen", "3511AB")
    assert Signal.objects.get(municipality=default).raw != ""
    # The default period ends later for the other municipality's data.
    assert anonymise_expired(now + timedelta(days=64)).persons_anonymised == 1
    assert Person.objects.get(municipality=default).surname == ANONYMOUS


def test_the_daily_task_keeps_each_municipality_s_period(two_places, now):
    from outreach.privacy.tasks import anonymise_expired_data

    default, short = two_places
    assert anonymise_expired_data(now.isoformat())["persons_anonymised"] == 1
    assert Person.objects.get(municipality=short).surname == ANONYMOUS
    assert Person.objects.get(municipality=default).surname == "Jansen"


def test_command_days_sets_one_period_for_every_municipality(two_places, now, run_command):
    out = run_command("anonymise", "--now", now.isoformat(), "--days", "100", "--json")
    assert json.loads(out)["persons_anonymised"] == 2
    assert set(Person.objects.values_list("surname", flat=True)) == {ANONYMOUS}


def test_command_refuses_a_period_under_a_day(municipality, run_command):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--days 0: the retention period is at least 1 day"):
        run_command("anonymise", "--days", "0")
