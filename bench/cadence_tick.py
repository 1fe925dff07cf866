"""One measured tick benchmark in its own process:
`python -m bench.cadence_tick WAITING DUE PER_CASE RUNS NOW LAYOUT`.

Loads WAITING active cases with PER_CASE waiting steps each and, for each of RUNS + 1 ticks an
hour apart from NOW, DUE SMS steps due in the hour before it (COPY), laid out as LAYOUT
("started" or "scattered": `bench.cadence_data.due_cases`); then VACUUM ANALYZE and a
checkpoint. Each tick claims and enqueues onto Redis (REDIS_URL) with the service's Celery app,
exactly as `outreach.cadence.tasks.tick_now` does, with the time spent in `.delay` summed
apart; the first tick is not counted. After each tick the queue is purged (no worker runs),
the claimed steps are marked done as the workers would, and the table is vacuumed (the
server's autovacuum may be off). Every tick thus finds its own due steps where planning put
them, among the waiting ones. Prints one JSON line.
"""

import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import django


def main() -> None:
    waiting, due, per_case, runs = (int(a) for a in sys.argv[1:5])
    now_iso, layout = sys.argv[5], sys.argv[6]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.cadence_data import analyze, load_waiting, tick_time
    from outreach.cadence.models import PlannedStep
    from outreach.cadence.tasks import execute_steps, start_cases
    from outreach.cadence.tick import tick
    from outreach.celery import app
    from outreach.core import bulk
    from outreach.core.clock import parse_now

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "REDIS_URL must name the benchmark's Redis"
    start_at = parse_now(now_iso)
    table = bulk.table(PlannedStep)

    def sql(statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    began = time.perf_counter()
    steps = load_waiting(waiting, per_case, due, start_at, ticks=runs + 1, layout=layout)
    loaded = time.perf_counter() - began
    analyze()
    sql("CHECKPOINT")
    analyzed = time.perf_counter() - began - loaded

    def claim_plan(now: datetime) -> list[str]:
        """The plan of the tick's claim (the UPDATE of `outreach.cadence.claims`), its nodes
        without costs: whether it finds the due rows by index or scans the whole table."""
        rows = sql(
            f"EXPLAIN UPDATE {table} SET status = 'claimed', claimed_until = %s, "
            f"claims = claims + 1 WHERE id = ANY(ARRAY(SELECT id FROM {table} WHERE status = "
            "'planned' AND due_at <= %s ORDER BY due_at LIMIT %s FOR UPDATE SKIP LOCKED)) "
            "RETURNING id",
            [now, now, settings.OUTREACH_TICK_LIMIT],
        )
        return [
            r[0].split("  (cost=")[0].replace("->", "").strip() for r in rows if "(cost=" in r[0]
        ]

    ((table_mb, index_mb),) = sql(
        "SELECT pg_relation_size(%s) / 1048576.0, pg_indexes_size(%s) / 1048576.0", [table, table]
    )
    server = {
        name: sql(f"SHOW {name}")[0][0]
        for name in ("server_version", "shared_buffers", "autovacuum", "synchronous_commit")
    }
    app.control.purge()

    enqueue_seconds = 0.0

    def enqueuer(task: Any, now_text: str) -> Callable[[Sequence[int]], None]:
        """What `tick_now` hands the tick: `task.delay(ids, now)`, timed here."""

        def enqueue(ids: Sequence[int]) -> None:
            nonlocal enqueue_seconds
            start = time.perf_counter()
            task.delay(list(ids), now_text)
            enqueue_seconds += time.perf_counter() - start

        return enqueue

    measured: list[dict[str, Any]] = []
    for number in range(runs + 1):
        now = tick_time(start_at, number)
        now_text = now.isoformat()
        enqueue_seconds = 0.0
        plan = claim_plan(now)
        ((wal_before,),) = sql("SELECT pg_current_wal_lsn()")
        start = time.perf_counter()
        report = tick(now, enqueuer(start_cases, now_text), enqueuer(execute_steps, now_text))
        seconds = time.perf_counter() - start
        ((wal_mb,),) = sql("SELECT (pg_current_wal_lsn() - %s::pg_lsn) / 1048576.0", [wal_before])
        purged = app.control.purge()
        if report.steps != due or purged != report.tasks:
            raise SystemExit(f"tick claimed {report.steps} of {due}, purged {purged}: {report}")
        measured.append(
            {
                "seconds": seconds,
                "claim_seconds": seconds - enqueue_seconds,
                "enqueue_seconds": enqueue_seconds,
                "wal_mb": float(wal_mb),
                "steps": report.steps,
                "tasks": report.tasks,
                "purged": purged,
                "claim_plan": plan,
                "scans_table": f"Seq Scan on {table}" in plan,
            }
        )
        sql(
            f"UPDATE {table} SET status = 'done', claimed_until = NULL, done_at = %s "
            "WHERE status = 'claimed'",
            [now],
        )
        sql(f"VACUUM {table}")
    first, counted = measured[0], measured[1:]

    def median(key: str) -> float:
        return statistics.median(r[key] for r in counted)

    print(
        json.dumps(
            {
                "waiting_cases": waiting,
                "layout": layout,
                "steps": steps,
                "waiting_steps": waiting * per_case,
                "due": due,
                "table_mb": float(table_mb),
                "indexes_mb": float(index_mb),
                "load_seconds": loaded,
                "analyze_seconds": analyzed,
                "seconds": median("seconds"),
                "claim_seconds": median("claim_seconds"),
                "enqueue_seconds": median("enqueue_seconds"),
                "wal_mb": median("wal_mb"),
                "batch": settings.OUTREACH_STEP_BATCH,
                "first_tick": first,
                "runs": counted,
                "ticks_scanning_table": sum(r["scans_table"] for r in counted),
                "server": server,
            }
        )
    )


if __name__ == "__main__":
    main()
