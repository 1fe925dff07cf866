"""Encodings: a line that is not valid UTF-8 is read as Windows-1252 and its row kept with a
warning that says so; UTF-16 is refused with what to do (issue 12: it was read without a word,
Windows-1252 silently, UTF-16 as text with NULs)."""

import pytest
from django.core.management import CommandError

from outreach.intake.pipeline import import_rows
from outreach.intake.readers import FileRejected, read_csv_file
from tests.conftest import csv_bytes, signal_row

pytestmark = pytest.mark.django_db


def write(tmp_path, data: bytes, name: str = "signals.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_row_read_as_windows_1252_is_kept_with_a_warning(tmp_path, municipality, now):
    rows = [
        signal_row(achternaam="Müller", postcode="3511AB"),
        signal_row(achternaam="Gödel", postcode="3512AB"),
        signal_row(achternaam="Smit", postcode="3513AB"),
    ]
    utf8 = csv_bytes(rows[:1])
    cp1252 = csv_bytes(rows[1:], encoding="cp1252").split(b"\r\n", 1)[1]
    path = write(tmp_path, utf8 + cp1252)
    assert [r.encoding for r in read_csv_file(path)] == ["utf-8", "cp1252", "utf-8"]
    report = import_rows(read_csv_file(path), municipality=municipality, now=now)
    assert (report.accepted, report.rejected) == (3, 0)
    ((row, field, reason),) = [(w["row"], w["field"], w["reason"]) for w in report.warnings]
    assert (row, field) == (2, "row")
    assert reason.startswith("not valid UTF-8: read as Windows-1252")


def test_the_warning_goes_to_the_row_of_a_quoted_line_break(tmp_path, municipality, now):
    # Row 1's street runs over two lines; its second line is Windows-1252.
    header = csv_bytes([signal_row()]).split(b"\r\n", 1)[0]
    first = signal_row(straatnaam="Kerkstraat\nachterom Café", postcode="3511AB")
    body = csv_bytes([first, signal_row(postcode="3512AB")], encoding="cp1252")
    path = write(tmp_path, header + b"\r\n" + body.split(b"\r\n", 1)[1])
    rows = list(read_csv_file(path))
    assert [(r.number, r.encoding) for r in rows] == [(1, "cp1252"), (2, "utf-8")]
    assert rows[0].fields["straatnaam"] == "Kerkstraat\nachterom Café"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-16", "it starts with a UTF-16 byte-order mark"),
        ("utf-16-le", "mostly NUL bytes, as in UTF-16 without a byte-order mark"),
        ("utf-16-be", "mostly NUL bytes, as in UTF-16 without a byte-order mark"),
        ("utf-32", "it starts with a UTF-16 byte-order mark"),
    ],
)
def test_utf16_is_refused_with_what_to_do(tmp_path, encoding, expected):
    path = write(tmp_path, csv_bytes([signal_row(achternaam="Müller")], encoding=encoding))
    with pytest.raises(FileRejected) as info:
        list(read_csv_file(path))
    assert expected in str(info.value)
    assert "save it as UTF-8" in str(info.value)


def test_the_command_refuses_a_utf16_file(tmp_path, run_command, municipality):
    path = write(tmp_path, csv_bytes([signal_row()], encoding="utf-16"))
    with pytest.raises(CommandError, match="UTF-16"):
        run_command("import-signals", path, "--municipality", "0344")
