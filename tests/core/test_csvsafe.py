"""CSV cells a spreadsheet will not run as a formula."""

import pytest

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
