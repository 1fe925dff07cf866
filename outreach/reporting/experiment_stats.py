"""Two variants of an experiment compared as a supervisor must read them: the difference in
reach (or acceptance) with its 95% interval, whether it is significant, and how many households
a decision needs at the rates seen so far.

Written out with the standard library, like `stats.wilson`: two formulas, no SciPy in the web app.
"""

from dataclasses import dataclass
from math import ceil, sqrt
from statistics import NormalDist

from outreach.reporting.stats import Z95, Rate, wilson

ALPHA = 0.05  # a two-sided test at 95%, as the intervals
POWER = 0.80  # the usual chance of finding a difference that is there


@dataclass(frozen=True, slots=True)
class Difference:
    """The fraction of variant A minus that of variant B, with its 95% interval."""

    estimate: float
    low: float
    high: float

    @property
    def significant(self) -> bool:
        """Whether the interval leaves out 0: the variants differ, at 95%."""
        return self.low > 0 or self.high < 0


def difference(a: Rate, b: Rate, z: float = Z95) -> Difference:
    """Newcombe's hybrid score interval for a difference of two proportions (Statistics in
    Medicine 17, 1998, method 10): built from the two Wilson intervals, so it stays within
    [-1, 1] and behaves at 0 and at the total, where the textbook normal interval does not."""
    p1, p2 = a.count / _total(a), b.count / _total(b)
    low1, high1 = wilson(a.count, a.total, z)
    low2, high2 = wilson(b.count, b.total, z)
    estimate = p1 - p2
    return Difference(
        estimate=estimate,
        low=estimate - sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2),
        high=estimate + sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2),
    )


def households_needed(p1: float, p2: float, alpha: float = ALPHA, power: float = POWER) -> int:
    """Households per variant for a two-sided test at `alpha` to find a true difference between
    the fractions `p1` and `p2` with chance `power` (the normal approximation without continuity
    correction, Fleiss ch. 4). Raises ValueError when the fractions are equal: then no number of
    households would decide."""
    if not (0 <= p1 <= 1 and 0 <= p2 <= 1):
        raise ValueError(f"fractions must lie between 0 and 1, got {p1} and {p2}")
    if p1 == p2:
        raise ValueError("equal fractions: no number of households tells them apart")
    normal = NormalDist()
    z_alpha = normal.inv_cdf(1 - alpha / 2)
    z_beta = normal.inv_cdf(power)
    mean = (p1 + p2) / 2
    spread = z_alpha * sqrt(2 * mean * (1 - mean)) + z_beta * sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return ceil(spread**2 / (p1 - p2) ** 2)


def more_households_needed(a: Rate, b: Rate) -> int | None:
    """How many more households, in the two variants together, a decision needs at the observed
    fractions; 0 when the difference is already significant; None when the observed fractions
    are equal (nothing yet to decide on)."""
    if difference(a, b).significant:
        return 0
    p1, p2 = a.count / _total(a), b.count / _total(b)
    if p1 == p2:
        return None
    per_variant = households_needed(p1, p2)
    return max(0, per_variant - a.total) + max(0, per_variant - b.total)


def _total(rate: Rate) -> int:
    if rate.total <= 0:
        raise ValueError("a variant without households has no fraction to compare")
    return rate.total
