"""Feedback delivered to a partner with a cursor: each record, and each change of it, once; and
again on request.

Every record carries its change number (outreach.reporting.feedback hands them out in commit
order). The server remembers per partner the last change it gave out: a fetch without `after`
returns the records changed after it and moves it on; a fetch with `after` returns those after
that number and leaves the remembered position alone (to fetch a lost page again, or to keep
one's own cursor).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from outreach.intake.models import SignalPartner
from outreach.reporting.models import PartnerCursor
from outreach.reporting.records import FeedbackRecord, of_partner, records

DEFAULT_LIMIT = 500
MAX_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class Page:
    records: list[FeedbackRecord]
    next: int  # the cursor to pass as `after` for what follows
    more: bool  # more records are waiting after `next`


def fetch(
    partner: SignalPartner, now: datetime, after: int | None = None, limit: int = DEFAULT_LIMIT
) -> Page:
    """Up to `limit` of the partner's records changed after `after`, or after its remembered
    position (which then moves to the last one returned)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be 1 to {MAX_LIMIT}")
    if after is not None and after < 0:
        raise ValueError("after must be 0 or more")
    PartnerCursor.objects.get_or_create(partner=partner)
    with transaction.atomic():
        # Locked, so two fetches at once never hand out the same page as new.
        cursor = PartnerCursor.objects.select_for_update().get(partner=partner)
        start = cursor.position if after is None else after
        page = list(records(of_partner(partner).filter(change__gt=start), limit + 1))
        more = len(page) > limit
        page = page[:limit]
        position = page[-1].change if page else start
        if after is None and page:
            cursor.position, cursor.moved_at = position, now
            cursor.save(update_fields=["position", "moved_at"])
    return Page(page, position, more)
