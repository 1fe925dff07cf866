"""Stable, random assignment of households to an experiment's variants."""

import pytest

from outreach.core.variants import assign, check_shares, draw

TEXTS = [("a", 1.0), ("b", 1.0)]


def test_a_household_always_gets_the_same_variant() -> None:
    first = [assign("sms-wording", f"household-{i}", TEXTS) for i in range(500)]
    again = [assign("sms-wording", f"household-{i}", TEXTS) for i in reversed(range(500))]
    assert first == list(reversed(again))


def test_shares_are_respected_over_many_households() -> None:
    counts = {"a": 0, "b": 0, "c": 0}
    for i in range(20_000):
        counts[assign("campaign", str(i), [("a", 0.5), ("b", 0.3), ("c", 0.2)])] += 1
    # The hash is fixed, so these counts are too; a binomial spread of 3 standard deviations
    # (about 1 percentage point here) is what an even draw allows.
    assert abs(counts["a"] / 20_000 - 0.5) < 0.011
    assert abs(counts["b"] / 20_000 - 0.3) < 0.010
    assert abs(counts["c"] / 20_000 - 0.2) < 0.009


def test_another_experiment_draws_independently() -> None:
    same = sum(assign("one", str(i), TEXTS) == assign("two", str(i), TEXTS) for i in range(10_000))
    assert 4_850 < same < 5_150  # independent draws agree half the time


def test_a_draw_lies_in_the_unit_interval_and_a_share_of_zero_gets_nobody() -> None:
    assert all(0 <= draw("x", str(i)) < 1 for i in range(1_000))
    assert {assign("x", str(i), [("a", 1.0), ("b", 1e-12)]) for i in range(1_000)} == {"a"}


def test_bad_shares_are_refused_with_every_reason() -> None:
    assert check_shares([("a", 1), ("a", 0), ("b", -1)]) == [
        "variant 'a' is named twice",
        "variant 'a': share must be above 0, got 0",
        "variant 'b': share must be above 0, got -1",
    ]
    with pytest.raises(ValueError, match="at least one variant"):
        assign("x", "1", [])
