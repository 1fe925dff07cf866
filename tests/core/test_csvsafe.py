"""CSV cells a spreadsheet will not run as a formula."""

import csv
import io

import pytest

from outreach.core import csvsafe
from outreach.core.csvsafe import safe_cell, safe_row


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+31612345678", "'+31612345678"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("H-1", "H-1"),
        ("", ""),
        (None, ""),
        (17, "17"),
    ],
)
def test_a_leading_formula_character_is_escaped(value, cell):
    assert safe_cell(value) == cell


def test_a_row():
    assert safe_row(["=1+1", "ok", 3]) == ["'=1+1", "ok", "3"]


def test_the_writer_escapes_every_row_and_cell():
    out = io.StringIO()
    writer = csvsafe.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["=1+1", "ok"])
    writer.writerows([["\tTab", "+31"], ["\rReturn", "@x"], ["'=already", "-"]])
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""), delimiter=";")) == [
        ["'=1+1", "ok"],
        ["'\tTab", "'+31"],
        ["'\rReturn", "'@x"],
        ["'=already", "'-"],
    ]
