"""A dashboard table as CSV: a Rate as five columns, small groups without a fraction, decimal
commas, and no cell a spreadsheet would run as a formula."""

import csv
import io

from outreach.reporting.stats import Rate
from outreach.reporting.table_csv import write_table_csv
from outreach.reporting.tables import Column, Table

FORMULA = '=HYPERLINK("http://example.org/x","klik")'


def as_rows(table: Table) -> list[list[str]]:
    out = io.StringIO()
    write_table_csv(table, out)
    return list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))


TABLE = Table(
    slug="bereik",
    title="Bereik",
    columns=(Column("partner", "Partner"), Column("signals", "Signalen"), Column("r", "Bereikt")),
    rows=(
        ("Energie", 40, Rate(12, 40)),
        ("Water", 7, Rate(3, 7)),
        (FORMULA, None, None),
    ),
)


def test_a_rate_column_becomes_count_total_fraction_and_interval():
    header, energie, *_ = as_rows(TABLE)
    assert header == [
        "Partner",
        "Signalen",
        "Bereikt aantal",
        "Bereikt totaal",
        "Bereikt fractie",
        "Bereikt 95% laag",
        "Bereikt 95% hoog",
    ]
    low, high = Rate(12, 40).interval or (0.0, 0.0)
    assert energie == [
        "Energie",
        "40",
        "12",
        "40",
        "0,3000",
        f"{low:.4f}".replace(".", ","),
        f"{high:.4f}".replace(".", ","),
    ]


def test_a_small_group_keeps_its_counts_but_has_no_fraction_or_interval():
    water = as_rows(TABLE)[2]
    assert water == ["Water", "7", "3", "7", "", "", ""]


def test_a_formula_in_a_cell_is_escaped_and_an_empty_cell_stays_empty():
    last = as_rows(TABLE)[3]
    assert last == ["'" + FORMULA, "", "", "", "", "", ""]


def test_a_formula_in_a_heading_is_escaped_and_floats_get_a_decimal_comma():
    table = Table(
        slug="x",
        title="X",
        columns=(Column("a", "-a"), Column("b", "Gemiddeld")),
        rows=(("x", 2.5),),
    )
    assert as_rows(table) == [["'-a", "Gemiddeld"], ["x", "2,5"]]
