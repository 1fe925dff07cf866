"""Which cases a report counts: the municipality's cases received in the period.

A case is received on the local date of its first signal (outreach.intake.received: the
earliest followed-up signal, or the earliest signal of a case closed at screening), the day
`outreach cases --json` gives as "received". The period runs from `start` to `end`, both
included, in local dates (settings.TIME_ZONE): a signal received at 23:30 UTC on 31 December is
received on 1 January in Amsterdam.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from outreach.casework.models import Case
from outreach.core.calendar import local_midnight
from outreach.core.models import Municipality
from outreach.intake.received import first_signals_sql
from outreach.reporting.dialect import Sql, local_date


class PeriodError(ValueError):
    """A period that cannot be reported on, in words the command prints."""


@dataclass(frozen=True, slots=True)
class Period:
    municipality: Municipality
    start: date
    end: date  # included

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise PeriodError(f"the period starts ({self.start}) after it ends ({self.end})")

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as moments: from local midnight of `start` up to (not including) local
        midnight after `end`. Comparing stored moments with them needs no time zone per row."""
        after = self.end + timedelta(days=1)
        return local_midnight(self.start), local_midnight(after)


def first_signals(period: Period) -> Sql:
    """A SELECT of the period's cases, one row a case with its first signal:
    `case_id, received_at, partner_type, person_id, followed, received_on` (the local date)."""
    sql, params = first_signals_sql(period.municipality.pk)
    day, day_params = local_date("f.received_at")
    # As the ORM binds a moment (SQLite stores them as UTC text).
    low, high = (connection.ops.adapt_datetimefield_value(m) for m in period.bounds)
    return (
        f"SELECT f.*, {day} AS received_on FROM ({sql}) f "
        "WHERE f.received_at >= %s AND f.received_at < %s",
        [*day_params, *params, low, high],
    )


def case_ids(period: Period) -> RawSQL:
    """The period's case ids as a subquery, for the figures the ORM counts well (attempts,
    tasks, partner feedback): `case_id__in=case_ids(period)`. No id list passes through
    Python."""
    sql, params = first_signals(period)
    return RawSQL(f"SELECT case_id FROM ({sql}) p", params)


def period_cases(period: Period) -> QuerySet[Case]:
    return Case.objects.filter(id__in=case_ids(period))
