"""Rejection and warning reasons say what is wrong with a BSN, phone number, e-mail address,
address or date of birth without repeating it (issue 12: reports go back to partners and into
logs); amounts and signal dates keep their value, which the partner needs to find it."""

import pytest

from outreach.intake.pipeline import import_rows
from outreach.intake.readers import FileRejected, read_csv_file
from outreach.intake.source_files import load_register
from tests.conftest import signal_row

pytestmark = pytest.mark.django_db

PERSONAL = {
    "bsn": "111222334",  # fails the eleven-test
    "telefoonnummer": "06-1234567",  # one digit short
    "email": "j.jansen.example.nl",
    "postcode": "0123XY",
    "huisnummer": "Pietersen",  # a name in the wrong column
    "geboortedatum": "31-02-1980",
}


def reasons_by_field(report):
    return {item["field"]: (item["row"], item["reason"]) for item in report.rejections} | {
        item["field"]: (item["row"], item["reason"]) for item in report.warnings
    }


def test_reasons_for_personal_fields_do_not_repeat_the_value(write_csv, municipality, now):
    path = write_csv([signal_row(), signal_row(**PERSONAL)])
    report = import_rows(read_csv_file(path), municipality=municipality, now=now)
    found = reasons_by_field(report)
    assert found == {
        "bsn": (2, "not a BSN: it fails the eleven-test"),
        "telefoonnummer": (2, "not a valid phone number; dropped"),
        "email": (2, "not an e-mail address: it has no @; dropped"),
        "postcode": (2, "not a postcode: it cannot start with 0"),
        "huisnummer": (2, "not a house number: it must start with digits"),
        "geboortedatum": (2, "not a date: February 1980 has 29 days"),
    }
    for field, value in PERSONAL.items():
        assert value not in str(report.as_dict()), field


def test_an_implausible_birth_date_is_not_repeated(write_csv, municipality, now):
    path = write_csv([signal_row(geboortedatum="1850-05-05")])
    report = import_rows(read_csv_file(path), municipality=municipality, now=now)
    assert report.rejections == [
        {"row": 1, "field": "geboortedatum", "reason": "not plausible: before 1900 or after today"}
    ]


def test_amounts_and_signal_dates_keep_their_value(write_csv, municipality, now):
    path = write_csv([signal_row(bedrag="veel", signaaldatum="2026-02-31")])
    report = import_rows(read_csv_file(path), municipality=municipality, now=now)
    reasons = [item["reason"] for item in report.rejections]
    assert reasons == [
        "'veel' is not an amount: use 1234,56 or 1234.56",
        "'2026-02-31' is not a date: February 2026 has 28 days",
    ]


def test_the_command_prints_row_field_and_reason_without_the_bsn(
    write_csv, run_command, municipality
):
    path = write_csv([signal_row(bsn="111222334")])
    out = run_command("import-signals", path, "--municipality", "0344")
    assert "rejected row 1, bsn: not a BSN: it fails the eleven-test" in out
    assert "111222334" not in out


def test_a_file_without_a_header_is_rejected_without_its_first_signal(tmp_path):
    path = tmp_path / "no-header.csv"
    path.write_text("Pietersen;111222334;0612345678;3511AB;12\n")
    with pytest.raises(FileRejected) as info:
        list(read_csv_file(path))
    message = str(info.value)
    assert message.startswith("no header row with the expected columns")
    for value in ("Pietersen", "111222334", "0612345678", "3511AB"):
        assert value not in message


def test_register_reasons_do_not_repeat_bsn_or_dates(write_csv, municipality):
    path = write_csv(
        [
            {
                "bsn": "111222334",
                "achternaam": "Jansen",
                "geboortedatum": "30-02-1970",
                "overlijdensdatum": "31-04-2025",
                "postcode": "3511AB",
                "huisnummer": "12",
            }
        ],
        "brp.csv",
    )
    report = load_register(path, municipality)
    assert report.rejections == [
        {"row": 1, "field": "bsn", "reason": "not a BSN: it fails the eleven-test"},
        {"row": 1, "field": "geboortedatum", "reason": "not a date: February 1970 has 28 days"},
        {"row": 1, "field": "overlijdensdatum", "reason": "not a date: April 2025 has 30 days"},
    ]
