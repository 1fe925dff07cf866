"""The day a case was received: the statutory clock, the queue and the figures all count from it.

One rule, written twice because it is read in two shapes (and tested to agree):

    A case's first signal is its earliest followed-up signal (core.ddas.FOLLOWED_UP), or, for
    a case closed at screening (no followed-up signal), its earliest signal; ties go to the
    lower id. The case was received on the local date (settings.TIME_ZONE) of that signal's
    `received_at`.

`received_on` reads a case's signals already in memory (the queue, `outreach cases --json`);
`first_signals_sql` selects every case's first signal in the database, for the figures
(outreach.reporting.period), which count a year of cases at once.
"""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from outreach.core.ddas import FOLLOWED_UP
from outreach.intake.models import Signal


def received_on(case_signals: Iterable[Signal]) -> date | None:
    """The day the municipality received the case's earliest followed-up signal (for a case
    closed at screening, its earliest signal); the statutory clock runs from it."""
    signals = list(case_signals)
    counted = [s for s in signals if s.status in FOLLOWED_UP] or signals
    if not counted:
        return None
    return min(timezone.localdate(s.received_at) for s in counted)


def first_signals_sql(municipality_id: int) -> tuple[str, list[Any]]:
    """A SELECT of every case's first signal in the municipality, one row a case:
    `case_id, received_at, partner_type, person_id, followed` (1 when the case has a
    followed-up signal, else 0). `received_at` is a timestamp: compare it with bounds as the
    ORM binds them, or take its local date (outreach.reporting.dialect.local_date)."""
    table = Signal._meta.db_table
    marks = ", ".join(["%s"] * len(FOLLOWED_UP))
    followed = f"CASE WHEN status IN ({marks}) THEN 1 ELSE 0 END"
    order = f"{followed} DESC, received_at, id"
    where = "municipality_id = %s AND case_id IS NOT NULL"
    if connection.vendor == "postgresql":
        # DISTINCT ON reads the signals once in case order: a third of a window's time.
        return (
            "SELECT DISTINCT ON (case_id) case_id, received_at, partner_type, person_id, "
            f"{followed} AS followed FROM {table} WHERE {where} ORDER BY case_id, {order}",
            [*FOLLOWED_UP, municipality_id, *FOLLOWED_UP],
        )
    return (
        "SELECT case_id, received_at, partner_type, person_id, followed FROM ("
        f"SELECT case_id, received_at, partner_type, person_id, {followed} AS followed, "
        f"ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY {order}) AS nth "
        f"FROM {table} WHERE {where}) ranked WHERE nth = 1",
        [*FOLLOWED_UP, *FOLLOWED_UP, municipality_id],
    )
