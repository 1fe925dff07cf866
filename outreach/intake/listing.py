"""Reports list the first rejections and warnings and count them all: a delivery of a million
bad rows gives a report of a few KB, which the partner can act on all the same."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings

from outreach.intake.validation import Finding


def listed_limit() -> int:
    """How many rejections and warnings a report lists (each is counted in full)."""
    return int(settings.OUTREACH_REPORT_MAX_LISTED)


def add_listed(items: list[dict[str, Any]], findings: Iterable[Finding], limit: int) -> int:
    """Append findings to `items` while it is shorter than `limit`; returns how many there were."""
    count = 0
    for finding in findings:
        count += 1
        if len(items) < limit:
            items.append(finding.as_dict())
    return count


def listing_note(limit: int, **counts: tuple[int, int]) -> str:
    """'only the first 100 of 300000 rejections are listed', for each list cut short."""
    cut = [f"{shown} of {total} {name}" for name, (shown, total) in counts.items() if total > shown]
    if not cut:
        return ""
    return f"only the first {' and the first '.join(cut)} are listed (at most {limit} each)"
