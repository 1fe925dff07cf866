"""Claiming work with a lease: due steps and new cases, in batches, never twice at once.

On PostgreSQL `FOR UPDATE SKIP LOCKED` lets two beat processes or several machines claim side
by side: each row goes to one claimant, and a row another transaction holds is passed over
rather than waited for. SQLite, the embedded default, has one writer at a time, which gives
the same guarantee. A claim is a lease: a claim whose task was lost (a killed worker, a Redis
that restarted empty) runs out and the row is claimed again.
"""

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from outreach.cadence import steps
from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case
from outreach.core import bulk

_STEPS = bulk.table(PlannedStep)
_CASES = bulk.table(Case)


def _claim(sql_select: str, sql_update: str, params: list[Any], limit: int) -> list[int]:
    if bulk.is_postgres():
        # `= ANY(ARRAY(...))` runs the selection first and then updates by primary key; with
        # `IN (...)` the planner may hash-join against a scan of the whole table, and the
        # tick's cost would grow with the waiting rows instead of the due ones.
        where = f"id = ANY(ARRAY({sql_select} LIMIT %s FOR UPDATE SKIP LOCKED))"
    else:
        where = f"id IN ({sql_select} LIMIT %s)"
    sql = f"{sql_update} WHERE {where} RETURNING id"
    # Raw SQL: times go in as the backend stores them (SQLite compares UTC text).
    values = [
        connection.ops.adapt_datetimefield_value(p) if isinstance(p, datetime) else p
        for p in params
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [*values, limit])
        return sorted(row[0] for row in cursor.fetchall())


def claim_due_steps(now: datetime, lease: timedelta, limit: int) -> list[int]:
    """Due planned steps, then claimed steps whose lease ran out; earliest due first."""
    until = now + lease
    update = f"UPDATE {_STEPS} SET {steps.CLAIM}"
    ids = _claim(
        f"SELECT id FROM {_STEPS} WHERE status = 'planned' AND due_at <= %s ORDER BY due_at",
        update,
        [until, now],
        limit,
    )
    if len(ids) < limit:
        ids += _claim(
            f"SELECT id FROM {_STEPS} WHERE status = 'claimed' AND claimed_until <= %s "
            "ORDER BY claimed_until",
            update,
            [until, now],
            limit - len(ids),
        )
    return ids


def claim_new_cases(now: datetime, lease: timedelta, limit: int) -> list[int]:
    """New cases whose campaign is to be started, crisis and highest score first."""
    return _claim(
        f"SELECT id FROM {_CASES} WHERE state = 'new' "
        "AND (start_claimed_until IS NULL OR start_claimed_until <= %s) "
        "ORDER BY crisis DESC, score DESC, id",
        f"UPDATE {_CASES} SET start_claimed_until = %s",
        [now + lease, now],
        limit,
    )
