"""The experiment arithmetic against published values."""

import pytest

from outreach.reporting.experiment_stats import (
    difference,
    households_needed,
    more_households_needed,
)
from outreach.reporting.stats import Rate


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        # Newcombe (1998), Table II, method 10: the four worked examples.
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
        ((6, 7), (2, 7), 0.0582, 0.8062),
        ((5, 56), (0, 29), -0.0381, 0.1926),
    ],
)
def test_difference_interval_is_newcombes_hybrid_score(a, b, low, high) -> None:
    found = difference(Rate(*a), Rate(*b))
    assert found.estimate == pytest.approx(a[0] / a[1] - b[0] / b[1])
    assert (round(found.low, 4), round(found.high, 4)) == (low, high)


def test_a_difference_is_significant_only_when_its_interval_leaves_out_zero() -> None:
    assert difference(Rate(56, 70), Rate(48, 80)).significant
    assert not difference(Rate(5, 56), Rate(0, 29)).significant
    # The other way round: the interval is mirrored and still says so.
    reverse = difference(Rate(48, 80), Rate(56, 70))
    assert reverse.significant and reverse.high < 0
    assert (round(reverse.low, 4), round(reverse.high, 4)) == (-0.3339, -0.0524)


def test_households_needed_matches_the_textbook_value() -> None:
    # 20% against 30%, two-sided 5%, power 80%: 293.1 per group (Fleiss), so 294.
    assert households_needed(0.20, 0.30) == 294
    assert households_needed(0.30, 0.20) == 294
    # A smaller difference needs many more: reach of 6% against 8%, by hand
    # (1.95996 * sqrt(2 * 0.07 * 0.93) + 0.84162 * sqrt(0.06 * 0.94 + 0.08 * 0.92))^2 / 0.02^2
    # = 1.01066^2 / 0.0004 = 2553.6.
    assert households_needed(0.06, 0.08) == 2_554
    with pytest.raises(ValueError, match="equal fractions"):
        households_needed(0.2, 0.2)


def test_more_households_needed_counts_what_is_missing_at_the_observed_rates() -> None:
    # 20 of 100 against 30 of 100: not significant yet; 294 a variant are needed.
    a, b = Rate(20, 100), Rate(30, 100)
    assert not difference(a, b).significant
    assert more_households_needed(a, b) == (294 - 100) * 2
    # Already decided: nothing more is needed.
    assert more_households_needed(Rate(56, 70), Rate(48, 80)) == 0
    # Equal so far: no number can be given.
    assert more_households_needed(Rate(10, 50), Rate(10, 50)) is None


def test_a_variant_without_households_is_refused() -> None:
    with pytest.raises(ValueError):
        difference(Rate(0, 0), Rate(3, 10))
