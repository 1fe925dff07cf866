"""Fractions as a supervisor may read them: the count beside every fraction, a 95% interval,
and no fraction at all for a group too small to mean anything."""

from dataclasses import dataclass
from math import sqrt

# Below this many cases a group shows its counts only: a fraction of 3 out of 5 is not a finding.
MIN_CASES = 10
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95% interval


def wilson(count: int, total: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of count/total. Written out rather than taken from a statistics
    package: it is one formula, and the web app should not carry SciPy for it. Unlike the plain
    normal interval it stays inside [0, 1] and is honest at 0 and at total."""
    if total <= 0:
        raise ValueError("an interval needs at least one case")
    if not 0 <= count <= total:
        raise ValueError(f"count {count} is not between 0 and the total {total}")
    p = count / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z * sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / (1 + z2 / total)
    # At 0 and at total the bound is exactly 0 or 1; rounding would leave 0.9999999999999999.
    low = 0.0 if count == 0 else max(0.0, centre - half)
    high = 1.0 if count == total else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True, slots=True)
class Rate:
    """count out of total cases (or attempts): reached, accepted, in time."""

    count: int
    total: int

    @property
    def shown(self) -> bool:
        """Whether the group is large enough for its fraction to be shown."""
        return self.total >= MIN_CASES

    @property
    def fraction(self) -> float | None:
        return self.count / self.total if self.shown else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.count, self.total) if self.shown else None

    def as_dict(self) -> dict[str, object]:
        """For JSON: the counts always, the fraction and interval only for a large group."""
        low_high = self.interval
        return {
            "count": self.count,
            "total": self.total,
            "fraction": self.fraction,
            "interval": list(low_high) if low_high else None,
        }
