"""The few SQL expressions the figures need that PostgreSQL and SQLite spell differently.

The figures count per case over a year of cases, which Django's ORM cannot express (it cannot
group by a value that is itself an aggregate per case, such as a case's number of attempts), so
outreach.reporting.casefacts writes SQL. Each function returns (sql, params) for an expression
over other SQL expressions; the callers' SQL is otherwise common to both.
"""

from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection

Sql = tuple[str, list[Any]]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def local_date(timestamp: str) -> Sql:
    """The local date (settings.TIME_ZONE) of a stored moment, as TruncDate computes it."""
    sql, params = connection.ops.datetime_cast_date_sql(timestamp, (), settings.TIME_ZONE)
    return sql, list(params)


def days_between(later: str, earlier: str) -> str:
    """Whole days from one date to another (negative when `later` is earlier)."""
    if is_postgres():
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def whole_years(later: str, earlier: str) -> str:
    """The whole years from one date to another (an age on a day), exactly, also for a
    birthday on 29 February."""
    if is_postgres():
        # age() counts calendar years as a person does, at a third of the cost of taking the
        # dates apart with date_part (a year of cases adds up). On timestamps without a time
        # zone: a date alone would be taken at midnight in the session's zone.
        years = f"age(CAST({later} AS TIMESTAMP), CAST({earlier} AS TIMESTAMP))"
        return f"CAST(date_part('year', {years}) AS INTEGER)"
    # The dates as numbers YYYYMMDD: their difference // 10000 is the whole years.
    number = "CAST(strftime('%%Y%%m%%d', {}) AS INTEGER)"
    return f"({number.format(later)} - {number.format(earlier)}) / 10000"


def as_day(value: date | str) -> date:
    """A date column as the driver gives it back (SQLite: ISO text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)
