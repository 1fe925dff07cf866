"""The statutory windows: contact and an offer of a conversation within 28 days of receipt (a
crisis: 3 working days), as Case.deadline holds them; a first attempt within 1 working day.

The rates count the followed-up cases whose deadline has passed by today or that already had
what is measured (outreach.reporting.casefacts): a case still inside its window without an
attempt is neither in time nor late yet.
"""

from dataclasses import dataclass
from datetime import date

from django.db import connection

from outreach.casework.models import case_reference
from outreach.reporting.casefacts import CaseFacts, CaseGroups, Counts
from outreach.reporting.dialect import as_day
from outreach.reporting.stats import Rate

# The dashboard lists at most this many late cases (the earliest deadlines first); the count
# beside the list is always complete.
LATE_LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class DeadlineFigures:
    first_attempt_in_time: Rate  # first attempt on or before Case.deadline
    offer_in_time: Rate  # offer of help made on or before Case.deadline
    first_working_day: Rate  # first attempt within 1 working day of receipt
    median_days_to_first_attempt: float | None
    median_days_to_contact: float | None

    @property
    def late(self) -> int:
        """Followed-up cases whose first attempt came after the deadline, or not at all while
        the deadline passed."""
        return self.first_attempt_in_time.total - self.first_attempt_in_time.count


def deadline_figures(groups: CaseGroups) -> DeadlineFigures:
    total: Counts = groups.total
    return DeadlineFigures(
        first_attempt_in_time=Rate(total.deadline_met, total.deadline_due),
        offer_in_time=Rate(total.offer_met, total.offer_due),
        first_working_day=Rate(total.first_day_met, total.first_day_due),
        median_days_to_first_attempt=median(groups.histogram("days_to_first")),
        median_days_to_contact=median(groups.histogram("days_to_contact")),
    )


def median(counts: dict[int, int]) -> float | None:
    """The median of a multiset given as value -> how often; None when it is empty."""
    size = sum(counts.values())
    if size == 0:
        return None
    ordered = sorted(counts.items())

    def nth(index: int) -> int:  # the index-th smallest value, from 0
        seen = 0
        for value, count in ordered:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    middle = size // 2
    if size % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


@dataclass(frozen=True, slots=True)
class LateCase:
    reference: str  # the case's number ("0344-000123"): no names on the dashboard
    received: date
    deadline: date
    first_attempt: date | None  # None: none yet
    state: str


def late_cases(facts: CaseFacts, limit: int = LATE_LIST_LIMIT) -> list[LateCase]:
    """The followed-up cases not approached in time, the earliest deadline first."""
    sql = (
        f"SELECT id, received_on, deadline, first_on, state FROM {facts.table} "
        "WHERE deadline_due = 1 AND deadline_met = 0 ORDER BY deadline, id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        rows = cursor.fetchall()
    code = facts.period.municipality.code
    return [
        LateCase(
            reference=case_reference(code, pk),
            received=as_day(received),
            deadline=as_day(deadline),
            first_attempt=as_day(first) if first is not None else None,
            state=state,
        )
        for pk, received, deadline, first, state in rows
    ]
