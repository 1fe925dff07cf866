"""Which variant of an experiment a household gets: random across households, yet the same for
one household every time, so that it stays in its variant across repeat signals and the
assignment can be recomputed and audited. The draw is a hash of the experiment's name and the
household's key, read as a point in [0, 1) and placed on the variants' shares."""

import hashlib
from collections.abc import Sequence


def draw(experiment: str, household_key: str) -> float:
    """The household's point in [0, 1) for this experiment; another experiment draws anew."""
    digest = hashlib.sha256(f"{experiment}\x00{household_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def check_shares(variants: Sequence[tuple[str, float]]) -> list[str]:
    """What is wrong with a list of (name, share): empty, a name twice, a share not above 0."""
    problems = []
    if not variants:
        problems.append("an experiment needs at least one variant")
    names = [name for name, _ in variants]
    for name in sorted({name for name in names if names.count(name) > 1}):
        problems.append(f"variant '{name}' is named twice")
    for name, share in variants:
        if not share > 0:
            problems.append(f"variant '{name}': share must be above 0, got {share}")
    return problems


def assign(experiment: str, household_key: str, variants: Sequence[tuple[str, float]]) -> str:
    """The name of the household's variant; shares are relative weights (50/50 = 1/1)."""
    problems = check_shares(variants)
    if problems:
        raise ValueError("; ".join(problems))
    total = sum(share for _, share in variants)
    point = draw(experiment, household_key) * total
    reached = 0.0
    for name, share in variants:
        reached += share
        if point < reached:
            return name
    return variants[-1][0]  # rounding at the very top of the range
