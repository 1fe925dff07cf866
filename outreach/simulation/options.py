"""Reading the simulator's options (`outreach simulate`, the dashboard's form): each mistake
is a ValueError that says which part is wrong and what would be right."""

import re

from outreach.core.models import CAPACITY_KINDS

# The option's words for the engine's task kinds (Municipality.capacity's keys).
CAPACITY_WORDS = {"calls": "phone", "visits": "visit"}
MAX_SIGNALS = 1_000_000
MAX_DAYS = 730
MIN_DAYS = 7
MAX_CAPACITY = 10_000
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def campaign_names(text: str) -> list[str]:
    """ "letters-only,intensive" -> ["letters-only", "intensive"]."""
    names = [part.strip() for part in text.split(",")]
    if not any(names):
        raise ValueError("--campaigns names no campaign; e.g. --campaigns letters-only,intensive")
    for name in names:
        if not name:
            raise ValueError(f"--campaigns {text!r} has an empty name between its commas")
        if not _NAME.match(name):
            raise ValueError(f"--campaigns: {name!r} is not a campaign name (a file's name)")
    return names


def capacity(text: str) -> dict[str, int]:
    """ "calls=40,visits=12" -> {"phone": 40, "visit": 12} (the engine's task kinds)."""
    found: dict[str, int] = {}
    for part in text.split(","):
        word, equals, number = (s.strip() for s in part.partition("="))
        if not equals or not word:
            raise ValueError(
                f"--capacity: {part.strip()!r} is not KIND=NUMBER; "
                "e.g. --capacity calls=40,visits=12"
            )
        kind = CAPACITY_WORDS.get(word)
        if kind is None:
            raise ValueError(
                f"--capacity: unknown kind {word!r}; use {' or '.join(CAPACITY_WORDS)}"
            )
        if not number.isdigit() or not 0 <= int(number) <= MAX_CAPACITY:
            raise ValueError(
                f"--capacity: {word}={number!r} is not a whole number from 0 to {MAX_CAPACITY}"
            )
        if kind in found:
            raise ValueError(f"--capacity: {word} is given twice")
        found[kind] = int(number)
    assert set(found) <= set(CAPACITY_KINDS)
    return found


def count(name: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low:,} to {high:,}, not {value:,}")
    return value


def amount(name: str, value: float) -> float:
    if not value >= 0 or value == float("inf"):
        raise ValueError(f"{name} must be a number of 0 or more, not {value}")
    return value
