"""The DDAS delivery (outreach.reporting.ddas_export): what it holds for the signals received in
a period, checked against the standard's own JSON schema (Draft 2020-12, formats checked)."""

import io
import json
import os
import stat
import threading
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from outreach.casework import steering, workflow
from outreach.casework.models import Case, ContactAttempt
from outreach.core.ddas import EndResult, SignalStatus
from outreach.core.models import Municipality
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.privacy.retention import ANONYMOUS, anonymise_expired
from outreach.reporting import ddas_export
from outreach.reporting.ddas_export import (
    ExportSummary,
    amount_in_euros,
    iter_delivery,
    received_between,
    supplying_organisation,
    write_delivery,
)
from tests.cadence.conftest import campaign_dir, engine  # noqa: F401  (fixtures)
from tests.casework.conftest import make_caseworker
from tests.conftest import AMSTERDAM, csv_bytes, municipality_with_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

SCHEMA_FILE = Path(ddas_export.__file__).parent / "ddas_schema" / "json_schema_Uitwisselmodel.json"
SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
APRIL = (date(2026, 4, 1), date(2026, 4, 30))


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def deliver(rows: list[dict[str, str]], municipality: Municipality, moment: datetime) -> None:
    """The rows taken in (and received) at `moment`."""
    report = import_rows(read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=moment)
    assert report.rejected == 0, report.rejections


def export(
    municipality: Municipality, now: datetime, period: tuple[date, date] = APRIL
) -> tuple[dict[str, Any], ExportSummary, str]:
    """The delivery as a document (checked against the schema), its summary and its text."""
    out = io.StringIO()
    summary = write_delivery(municipality, *period, now, out)
    text = out.getvalue()
    document = json.loads(text)
    assert_valid(document)
    return document, summary, text


def assert_valid(document: dict[str, Any]) -> None:
    """Valid by the schema, and every case's references point at signals in the document."""
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    for levering in document["leveringen"]:
        ids = {signal["ID"] for signal in levering["vroegsignalen"]}
        for case in levering["vroegsignaalzaken"]:
            assert {ref["ID"] for ref in case["vroegsignalen"]} <= ids


def levering(document: dict[str, Any]) -> dict[str, Any]:
    (only,) = document["leveringen"]
    return only


def signals_by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {signal["ID"]: signal for signal in levering(document)["vroegsignalen"]}


def case_with(document: dict[str, Any], signal_id: str) -> dict[str, Any]:
    (case,) = [
        case
        for case in levering(document)["vroegsignaalzaken"]
        if {"ID": signal_id} in case["vroegsignalen"]
    ]
    return case


def case_of(signal_id: str) -> Case:
    return Case.objects.get(signals__partner_ref=signal_id)


@pytest.fixture
def sanne(municipality):
    return make_caseworker("sanne", municipality, name="Sanne Visser", phone="030 286 1234")


@pytest.fixture
def elsewhere(db) -> Municipality:
    return municipality_with_contact("0363", "Amsterdam")


@pytest.fixture
def april(municipality, elsewhere, engine, sanne):  # noqa: F811
    """Signals around and in April 2026, taken in as they came:
    - MARCH (20 March) and APRIL-JOIN (2 April, another partner, same address): one case,
      visited on 7 April;
    - BEFORE (31 March 23:30) and AFTER (1 May 00:10) just outside April, FIRST (1 April 00:10)
      and LAST (30 April 23:50) just inside, in local time;
    - SINGLE (6 April, EUR 312.50): its campaign started that day; a letter, an SMS and a call
      that reached, registered by hand; closed with advice;
    - MULTI-E and MULTI-H (7 April): energy and rent at one address, one multiple case;
    - LOW (8 April, EUR 20): under the threshold, closed at screening;
    - CRISIS (9 April): a crisis signal;
    - ELSEWHERE (10 April): the same in another municipality."""
    march = dict(signaaldatum="2026-03-18", ontstaansdatum="2026-02-01")
    deliver([signal_row(id="MARCH", postcode="3515JK", huisnummer="3", **march)], municipality,
            at("2026-03-20"))  # fmt: skip
    deliver([signal_row(id="BEFORE", postcode="3516AA", **march)], municipality,
            at("2026-03-31", "23:30"))  # fmt: skip
    deliver([signal_row(id="FIRST", postcode="3517AA", **march)], municipality,
            at("2026-04-01", "00:10"))  # fmt: skip
    deliver(
        [signal_row(id="APRIL-JOIN", postcode="3515JK", huisnummer="3", signaalpartner="Huur",
                    partner_naam="Woonstichting De Linde", signaaldatum="2026-04-01")],
        municipality, at("2026-04-02"),
    )  # fmt: skip
    deliver(
        [signal_row(id="SINGLE", bedrag="312,50", signaaldatum="2026-04-03",
                    ontstaansdatum="2026-02-01", voorvoegsel="van", achternaam="Dijk",
                    bsn="123456782", huisnummertoevoeging="A")],
        municipality, at("2026-04-06", "10:00"),
    )  # fmt: skip
    engine(at("2026-04-06", "10:00"))  # the campaigns start (their letters wait for printing)
    single = case_of("SINGLE")
    for kind, day, clock, dagdeel, reached in (
        ("Brief", date(2026, 4, 6), "10:30", "Ochtend", False),
        ("SMS/Whatsapp", date(2026, 4, 8), "14:00", "Middag", False),
        ("Telefoon", date(2026, 4, 10), "19:00", "Avond", True),
    ):
        steering.register_attempt(
            single, kind=kind, on=day, dagdeel=dagdeel, reached=reached,
            now=at(day.isoformat(), clock), user=sanne,
        )  # fmt: skip
        single.refresh_from_db()
    steering.close(single, EndResult.ADVICE_OR_QUICK_FIX, "", at("2026-04-20"), sanne)
    steering.register_attempt(
        case_of("MARCH"), kind="Huisbezoek", on=date(2026, 4, 7), dagdeel="Avond",
        reached=False, now=at("2026-04-07", "20:00"), user=sanne,
    )  # fmt: skip
    deliver(
        [signal_row(id="MULTI-E", postcode="3512CD", huisnummer="5", achternaam="Bakker"),
         signal_row(id="MULTI-H", postcode="3512CD", huisnummer="5", achternaam="Bakker",
                    signaalpartner="Huur", partner_naam="Woonstichting De Linde")],
        municipality, at("2026-04-07"),
    )  # fmt: skip
    deliver([signal_row(id="LOW", bedrag="20,00", postcode="3513EF")], municipality,
            at("2026-04-08"))  # fmt: skip
    deliver([signal_row(id="CRISIS", crisissignaal="ja", postcode="3514GH")], municipality,
            at("2026-04-09"))  # fmt: skip
    deliver([signal_row(id="LAST", postcode="3518AA")], municipality, at("2026-04-30", "23:50"))
    deliver([signal_row(id="AFTER", postcode="3519AA")], municipality, at("2026-05-01", "00:10"))
    deliver([signal_row(id="ELSEWHERE", postcode="1011AB", plaatsnaam="Amsterdam")], elsewhere,
            at("2026-04-10"))  # fmt: skip


# --- the signals of the period ----------------------------------------------------------------


def test_the_signals_received_in_the_period_by_local_date_are_exported_and_no_others(
    april, municipality, now
):
    document, summary, _ = export(municipality, now)
    assert set(signals_by_id(document)) == {
        "FIRST", "APRIL-JOIN", "SINGLE", "MULTI-E", "MULTI-H", "LOW", "CRISIS", "LAST",
    }  # fmt: skip
    # 1 May 00:10 in Amsterdam is still 30 April in UTC: the local date decides.
    assert "AFTER" not in signals_by_id(document) and "BEFORE" not in signals_by_id(document)
    assert (summary.municipality, summary.start, summary.end) == ("0344", *APRIL)


def test_a_signal_carries_what_the_schema_names_with_whole_euros_and_the_full_client(
    april, municipality, now
):
    document, _, _ = export(municipality, now)
    assert signals_by_id(document)["SINGLE"] == {
        "ID": "SINGLE",
        "crisissignaal": False,
        "bedrag": 313,  # EUR 312.50 rounded half up
        "ontstaansdatum": "2026-02-01",
        "signaaldatum": "2026-04-03",
        "status": "Nog niet opgepakt",
        "signaalpartner": {"type": "Energie"},
        "client": {
            "Voorletters": "J.",
            "Voorvoegsel": "van",
            "Achternaam": "Dijk",
            "Geboortedatum": "1980-02-03",
            "Straatnaam": "Kerkstraat",
            "Postcode": "3511AB",
            "Huisnummer": "12",
            "Huisnummertoevoeging": "A",
            "Plaatsnaam": "Utrecht",
        },
    }


def test_personal_fields_we_do_not_hold_are_left_out_not_written_empty(april, municipality, now):
    document, _, text = export(municipality, now)
    client = signals_by_id(document)["CRISIS"]["client"]
    assert set(client) == {
        "Voorletters",
        "Achternaam",
        "Geboortedatum",
        "Straatnaam",
        "Postcode",
        "Huisnummer",
        "Plaatsnaam",
    }  # fmt: skip  (no BSN, prefix or house number addition was delivered)
    assert '""' not in text
    assert all("warmeOverdracht" not in s for s in signals_by_id(document).values())


def test_a_crisis_signal_is_flagged(april, municipality, now):
    document, _, _ = export(municipality, now)
    flags = {sid: s["crisissignaal"] for sid, s in signals_by_id(document).items()}
    assert flags["CRISIS"] is True
    assert [sid for sid, crisis in flags.items() if crisis] == ["CRISIS"]


def test_the_municipality_filter_holds(april, municipality, elsewhere, now):
    ours, _, _ = export(municipality, now)
    theirs, summary, _ = export(elsewhere, now)
    assert "ELSEWHERE" not in signals_by_id(ours)
    assert set(signals_by_id(theirs)) == {"ELSEWHERE"}
    assert levering(theirs)["gemeentecode"] == "0363" and summary.cases == 1
    assert case_with(theirs, "ELSEWHERE")["vroegsignalen"] == [{"ID": "ELSEWHERE"}]


# --- the cases ----------------------------------------------------------------------------


def test_a_single_case_has_its_letter_sms_and_call_its_result_and_its_dates(
    april, municipality, now
):
    document, _, _ = export(municipality, now)
    assert case_with(document, "SINGLE") == {
        "resultaat": "(Budget)advies en/of quick fix",
        "matchingsdatum": "2026-04-06",
        "startdatum_matchtingperiode": "2026-04-03",
        "datum_opgepakt": "2026-04-06",
        "einddatum_matchingperiode": "2026-04-03",
        "vroegsignalen": [{"ID": "SINGLE"}],
        "contactpogingen": [
            {"soort": "Brief", "bereikt": False, "datum": "2026-04-06", "dagdeel": "Ochtend"},
            {"soort": "SMS/Whatsapp", "bereikt": False, "datum": "2026-04-08", "dagdeel": "Middag"},
            {"soort": "Telefoon", "bereikt": True, "datum": "2026-04-10", "dagdeel": "Avond"},
        ],
    }


def test_a_multiple_case_refers_to_both_its_signals_once(april, municipality, now):
    assert case_of("MULTI-E").kind == Case.Kind.MULTIPLE
    document, _, _ = export(municipality, now)
    case = case_with(document, "MULTI-E")
    assert case["vroegsignalen"] == [{"ID": "MULTI-E"}, {"ID": "MULTI-H"}]
    assert case is case_with(document, "MULTI-H")
    # Open and never started: no result, no day it was taken up, no attempts.
    assert "resultaat" not in case and "datum_opgepakt" not in case
    assert case["contactpogingen"] == []


def test_a_case_closed_at_screening_has_its_result_and_no_day_taken_up(april, municipality, now):
    document, _, _ = export(municipality, now)
    assert signals_by_id(document)["LOW"]["status"] == SignalStatus.UNJUSTIFIED
    assert signals_by_id(document)["LOW"]["bedrag"] == 20
    case = case_with(document, "LOW")
    assert case["resultaat"] == "Niet opgepakt: onterecht signaal"
    assert "datum_opgepakt" not in case and case["contactpogingen"] == []


def test_a_case_spanning_the_period_boundary_appears_in_each_period_with_its_signals_there(
    april, municipality, now
):
    """The choice the module's docstring explains: each delivery refers to its own signals
    only, and carries the whole case as it stands."""
    in_april, _, _ = export(municipality, now)
    in_march, _, _ = export(municipality, now, (date(2026, 3, 1), date(2026, 3, 31)))
    april_case, march_case = case_with(in_april, "APRIL-JOIN"), case_with(in_march, "MARCH")
    assert april_case["vroegsignalen"] == [{"ID": "APRIL-JOIN"}]
    assert march_case["vroegsignalen"] == [{"ID": "MARCH"}]
    assert "MARCH" not in signals_by_id(in_april) and "APRIL-JOIN" not in signals_by_id(in_march)
    assert april_case["contactpogingen"] == march_case["contactpogingen"] != []
    # Matched when the rent signal joined: the period spans both signal dates.
    assert (
        april_case["startdatum_matchtingperiode"],
        april_case["einddatum_matchingperiode"],
        april_case["matchingsdatum"],
    ) == ("2026-03-18", "2026-04-01", "2026-04-02")


def test_the_counts_agree_with_the_models(april, municipality, now):
    document, summary, _ = export(municipality, now)
    received = received_between(municipality, *APRIL)
    cases = Case.objects.filter(signals__in=received).distinct()
    attempts = ContactAttempt.objects.filter(case__in=cases)
    found = levering(document)
    assert summary.signals == received.count() == len(found["vroegsignalen"]) == 8
    assert summary.cases == cases.count() == len(found["vroegsignaalzaken"]) == 7
    assert (
        summary.attempts
        == attempts.count()
        == sum(len(case["contactpogingen"]) for case in found["vroegsignaalzaken"])
    )
    assert summary.attempts >= 3


def test_two_partners_with_the_same_id_in_one_case_are_referred_to_once(municipality, now):
    deliver(
        [signal_row(id="4711"),
         signal_row(id="4711", signaalpartner="Water", partner_naam="Waternet")],
        municipality, at("2026-04-07"),
    )  # fmt: skip
    document, _, _ = export(municipality, now)
    assert len(levering(document)["vroegsignalen"]) == 2
    (case,) = levering(document)["vroegsignaalzaken"]
    assert case["vroegsignalen"] == [{"ID": "4711"}]


def test_a_signal_without_the_partners_id_is_named_by_ours(municipality, now):
    deliver([signal_row(id="")], municipality, at("2026-04-07"))
    document, _, _ = export(municipality, now)
    (signal,) = levering(document)["vroegsignalen"]
    (case,) = levering(document)["vroegsignaalzaken"]
    assert signal["ID"] == f"S{case_of('').signals.get().pk}"
    assert case["vroegsignalen"] == [{"ID": signal["ID"]}]


# --- anonymised cases -------------------------------------------------------------------------


def test_an_anonymised_case_keeps_only_what_survives_and_no_placeholder(municipality, now):
    deliver(
        [signal_row(id="OLD", bsn="123456782", postcode="3511AB", huisnummer="12",
                    huisnummertoevoeging="A", signaaldatum="2026-04-01")],
        municipality, at("2026-04-02"),
    )  # fmt: skip
    case = case_of("OLD")
    workflow.close(case, EndResult.NO_CONTACT, at("2026-04-03"))
    report = anonymise_expired(now, retention_days=30)
    assert report.persons_anonymised == 1 and report.households_anonymised == 1
    assert case.signals.get().person.surname == ANONYMOUS

    document, _, text = export(municipality, now)
    (signal,) = levering(document)["vroegsignalen"]
    assert signal["client"] == {"Postcode": "3511", "Plaatsnaam": "Utrecht"}
    assert (signal["bedrag"], signal["signaaldatum"], signal["status"]) == (
        250,
        "2026-04-01",
        "Nog niet opgepakt",
    )
    assert case_with(document, "OLD")["resultaat"] == "Definitief geen contact kunnen krijgen"
    assert ANONYMOUS not in text and "geanonimiseerd" not in text
    assert "anon:" not in text


# --- the document -----------------------------------------------------------------------------


def test_the_head_names_the_period_the_moment_and_the_supplier(municipality, now, settings):
    settings.OUTREACH_DDAS_SUPPLIER_CODE = "SOFT-123"
    document, _, text = export(municipality, now)
    assert {key: document[key] for key in list(document)[:4]} == {
        "startdatumLevering": "2026-04-01",
        "einddatumLevering": "2026-04-30",
        "aanleverdatumEnTijd": "2026-05-15T07:00:00Z",  # 09:00 summer time in Amsterdam
        "codeGegevensleverancier": "SOFT-123",
    }
    assert levering(document)["teller"] == 1
    # The signals come first, then the cases (the order the document is written in).
    assert text.index('"vroegsignalen":[') < text.index('"vroegsignaalzaken":[')


def test_an_empty_period_is_a_valid_delivery(municipality, now):
    document, summary, _ = export(municipality, now)
    assert levering(document)["vroegsignalen"] == levering(document)["vroegsignaalzaken"] == []
    assert (summary.signals, summary.cases, summary.attempts) == (0, 0, 0)


def test_a_period_that_ends_before_it_starts_is_refused(municipality, now):
    with pytest.raises(ValueError, match="ends"):
        write_delivery(municipality, date(2026, 4, 30), date(2026, 4, 1), now, io.StringIO())


def test_the_organisation_has_what_the_contact_holds_and_nothing_made_up(municipality, now):
    assert supplying_organisation(municipality) == {
        "naam": "Utrecht",
        "contactpersoonen": [{"naam": "Sanne de Vries", "telefoonnummer": "030 286 1000"}],
    }
    municipality.contact_people.update(email="s.devries@utrecht.nl")
    municipality.contact = {"team": "Team Geldzaken", "phone": "14 030", "email": "geld@utrecht.nl"}
    assert supplying_organisation(municipality) == {
        "naam": "Team Geldzaken",
        "contactpersoonen": [
            {"naam": "Sanne de Vries", "telefoonnummer": "030 286 1000",
             "email": "s.devries@utrecht.nl"}
        ],
    }  # fmt: skip
    municipality.contact_people.all().delete()  # no contact person: the team's own details
    assert supplying_organisation(municipality) == {
        "naam": "Team Geldzaken",
        "contactpersoonen": [{"telefoonnummer": "14 030", "email": "geld@utrecht.nl"}],
    }
    municipality.contact = {"email": "geen adres"}
    assert supplying_organisation(municipality) == {"naam": "Utrecht"}
    municipality.save()
    document, _, _ = export(municipality, now)  # and the schema takes it
    assert levering(document)["aanleverende_organisatie"] == {"naam": "Utrecht"}


@pytest.mark.parametrize(
    ("amount", "euros"),
    [("312.50", 313), ("312.49", 312), ("0.50", 1), ("100.00", 100), ("99.99", 100)],
)
def test_amounts_are_whole_euros_rounded_half_up(amount, euros):
    assert amount_in_euros(Decimal(amount)) == euros


def test_the_schema_check_is_live_for_types_and_formats(municipality, now):
    """The validator the tests use rejects a fractional bedrag and a bad date-time: a passing
    export is not a validator that checks nothing."""
    deliver([signal_row()], municipality, at("2026-04-07"))
    document, _, _ = export(municipality, now)
    levering(document)["vroegsignalen"][0]["bedrag"] = 312.5
    document["aanleverdatumEnTijd"] = "15-05-2026 09:00"
    problems = {e.message for e in VALIDATOR.iter_errors(document)}
    assert problems == {
        "312.5 is not of type 'integer'",
        "'15-05-2026 09:00' is not a 'date-time'",
    }
    with pytest.raises(ValidationError):
        VALIDATOR.validate({**document, "extra": 1})


# --- streaming -----------------------------------------------------------------------------


def test_the_document_is_written_in_pieces_and_reads_the_same_whatever_the_chunk_size(
    april, municipality, now, monkeypatch
):
    whole, _, whole_text = export(municipality, now)
    monkeypatch.setattr(ddas_export, "CHUNK_SIZE", 2)
    pieces: list[str] = []

    class Recorder:
        def write(self, text: str) -> None:
            pieces.append(text)

    summary = write_delivery(municipality, *APRIL, now, Recorder())
    assert "".join(pieces) == whole_text
    # 8 signals and 7 cases two at a time: one piece per chunk, beside the head and joints.
    assert len(pieces) == 1 + 4 + 1 + 4 + 1
    assert summary.signals == 8 and json.loads("".join(pieces)) == whole
    assert "".join(iter_delivery(municipality, *APRIL, now)) == whole_text


def test_the_queries_do_not_grow_with_the_cases_and_attempts(municipality, now, monkeypatch):
    deliver([signal_row(id="A", postcode="3511AA")], municipality, at("2026-04-07"))
    with CaptureQueriesContext(connection) as few:
        export(municipality, now)
    rows = [signal_row(id=f"B{i}", postcode=f"35{i:02d}BB") for i in range(12)]
    deliver(rows, municipality, at("2026-04-08"))
    for case in Case.objects.all():
        for day in (8, 9):
            ContactAttempt.objects.create(
                case=case, kind="Brief", reached=False, date=date(2026, 4, day), dagdeel="Middag"
            )
    with CaptureQueriesContext(connection) as many:
        _, summary, _ = export(municipality, now)
    assert (summary.signals, summary.cases, summary.attempts) == (13, 13, 26)
    assert len(many) == len(few)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_signal_taken_in_while_the_export_runs_is_in_neither_of_its_lists(municipality, now):
    """The export reads one snapshot: a signal that joins a case after the signals were read
    is not referred to by the case either (a reference to a signal not in the list)."""
    deliver([signal_row(id="EARLY")], municipality, at("2026-04-07"))
    joined: list[int] = []

    def late_delivery() -> None:  # another connection, as a partner's API call would have
        rent = signal_row(id="LATE", signaalpartner="Huur", partner_naam="Woonstichting")
        deliver([rent], municipality, at("2026-04-08"))
        joined.append(case_of("EARLY").signals.count())
        connection.close()

    pieces = iter_delivery(municipality, *APRIL, now)
    try:
        text = next(pieces) + next(pieces)  # the head, then the signals as read
        thread = threading.Thread(target=late_delivery)
        thread.start()
        thread.join()
        text += "".join(pieces)
    finally:
        pieces.close()
    assert joined == [2]  # the late signal joined the case and was committed meanwhile
    document = json.loads(text)
    assert_valid(document)
    assert set(signals_by_id(document)) == {"EARLY"}
    assert case_with(document, "EARLY")["vroegsignalen"] == [{"ID": "EARLY"}]


# --- the command -----------------------------------------------------------------------------


def test_the_command_writes_a_file_for_its_owner_only_and_sums_up_on_stderr(
    april, municipality, run_command, tmp_path
):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "ddas.json"
    target.write_text("old")
    target.chmod(0o644)
    errors = io.StringIO()
    printed = run_command(
        "export-ddas", "--municipality", "0344", "--from", "2026-04-01", "--to", "2026-04-30",
        "--output", target, "--now", "2026-05-15T09:00", stderr=errors,
    )  # fmt: skip
    assert printed == ""
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    document = json.loads(target.read_text(encoding="utf-8"))
    assert_valid(document)
    assert document["aanleverdatumEnTijd"] == "2026-05-15T07:00:00Z"
    assert len(levering(document)["vroegsignalen"]) == 8
    line = errors.getvalue().strip()
    assert line.startswith("DDAS delivery 0344 2026-04-01..2026-04-30: 8 signal(s), 7 case(s),")
    assert line.endswith("contact attempt(s)")
    assert [p.name for p in target.parent.iterdir()] == ["ddas.json"]  # no part left beside it


def test_the_command_prints_the_document_without_an_output_file(april, municipality, run_command):
    printed = run_command(
        "export-ddas", "--municipality", "0344", "--from", "2026-04-01", "--to", "2026-04-30",
        stderr=io.StringIO(),
    )  # fmt: skip
    document = json.loads(printed)
    assert_valid(document)
    assert "SINGLE" in signals_by_id(document)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--municipality", "9998"], "no municipality with code '9998'"),
        (["--from", "2026-04-31"], "'2026-04-31' is not a date"),
        (["--from", "2026-05-01"], r"starts \(2026-05-01\) after it ends \(2026-04-30\)"),
        (["--output", "{tmp}/missing/ddas.json"], "there is no folder"),
        (["--now", "morgen"], "--now 'morgen'"),
    ],
)
def test_the_command_says_clearly_what_is_wrong(
    municipality, run_command, tmp_path, arguments, message
):
    options = {"--municipality": "0344", "--from": "2026-04-01", "--to": "2026-04-30"}
    extra: list[str] = []
    for name, value in zip(arguments[::2], arguments[1::2], strict=True):
        value = value.replace("{tmp}", str(tmp_path))
        if name in options:
            options[name] = value
        else:
            extra += [name, value]
    flat = [part for pair in options.items() for part in pair] + extra
    with pytest.raises(CommandError, match=message):
        run_command("export-ddas", *flat, stderr=io.StringIO())
