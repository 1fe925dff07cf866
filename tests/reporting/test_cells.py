"""How the dashboard writes a cell: the counts beside every fraction, Dutch number style."""

from outreach.reporting.cells import cell_text, is_numeric, percent
from outreach.reporting.stats import Rate


def test_a_rate_shows_its_counts_fraction_and_interval():
    assert cell_text(Rate(12, 40)) == "12 van 40 (30%; 95%: 18\u201345%)"


def test_a_small_group_shows_its_counts_only():
    assert cell_text(Rate(3, 7)) == "3 van 7 (te weinig voor een percentage)"
    assert cell_text(Rate(0, 0)) == "0 van 0 (te weinig voor een percentage)"


def test_halves_round_up_and_other_numbers_get_a_decimal_comma():
    assert (percent(0.125), percent(0.135)) == ("13%", "14%")
    assert (cell_text(2.26), cell_text(7), cell_text(None)) == ("2,3", "7", "n.v.t.")


def test_numbers_and_rates_are_numeric_labels_are_not():
    assert [is_numeric(c) for c in (3, 2.5, Rate(1, 2), "Huur", None)] == [
        True,
        True,
        True,
        False,
        False,
    ]
