"""Wilson intervals and the small-group rule."""

import pytest

from outreach.reporting.stats import MIN_CASES, Rate, wilson


def test_wilson_matches_the_published_interval() -> None:
    # Newcombe (1998), table I: 81 of 263 gives 0.2553 to 0.3662.
    low, high = wilson(81, 263)
    assert low == pytest.approx(0.2553, abs=5e-5)
    assert high == pytest.approx(0.3662, abs=5e-5)


def test_wilson_stays_inside_zero_and_one_at_the_edges() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0 and 0.25 < high < 0.35
    low, high = wilson(10, 10)
    assert high == 1.0 and 0.65 < low < 0.75


def test_wilson_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError, match="at least one case"):
        wilson(0, 0)
    with pytest.raises(ValueError, match="not between"):
        wilson(5, 4)


def test_a_small_group_shows_its_counts_but_no_fraction() -> None:
    small = Rate(3, MIN_CASES - 1)
    assert not small.shown
    assert small.fraction is None and small.interval is None
    assert small.as_dict() == {"count": 3, "total": 9, "fraction": None, "interval": None}


def test_a_group_of_ten_shows_its_fraction_and_interval() -> None:
    rate = Rate(4, MIN_CASES)
    assert rate.fraction == 0.4
    assert rate.interval is not None
    low, high = rate.interval
    assert low < 0.4 < high
