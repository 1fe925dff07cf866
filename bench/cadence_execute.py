"""Execution through real Celery workers on Redis, in its own process:
`python -m bench.cadence_execute STEPS NAIVE_ENQUEUE NAIVE_STEPS CONCURRENCY NOW`.

1. The naive design's enqueue: NAIVE_ENQUEUE waiting steps, one countdown task each, timed
   while no worker runs; the queue is purged afterwards.
2. The engine: STEPS reachable cases with an SMS step due; a worker (`celery -A outreach worker
   -c CONCURRENCY`, the test transport) is started, one tick claims and enqueues them here, and
   the wall time runs from the tick's start until no step is open.
3. The naive design's execution: NAIVE_STEPS more such cases, one countdown task per step
   through the same worker, timed from the first enqueue until no step is open.

Both runs are checked: a message and a contact attempt per step, no step id twice, every step
done. Prints one JSON line.
"""

import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import django

from bench.common import ROOT, WORK


def start_worker(concurrency: int, name: str) -> subprocess.Popen[bytes]:
    WORK.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    with open(WORK / "cadence-worker.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "outreach", "worker", "-c", str(concurrency),
             "--pool", "prefork", "--loglevel", "WARNING", "-I", "bench.naive_cadence",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", name],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.send_signal(signal.SIGTERM)  # warm shutdown: the pool's children end with it
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def main() -> None:
    steps, naive_enqueue, naive_steps, concurrency = (int(a) for a in sys.argv[1:5])
    now_iso = sys.argv[5]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench import naive_cadence
    from bench.cadence_data import analyze, load_reachable, load_waiting
    from outreach.cadence.models import PlannedStep
    from outreach.cadence.tasks import tick_now
    from outreach.casework.models import ContactAttempt
    from outreach.celery import app
    from outreach.core import bulk
    from outreach.core.clock import parse_now
    from outreach.messaging.models import Message

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "REDIS_URL must name the benchmark's Redis"
    now = parse_now(now_iso)
    table = bulk.table(PlannedStep)
    result: dict[str, Any] = {"concurrency": concurrency, "batch": settings.OUTREACH_STEP_BATCH}
    app.control.purge()

    def query(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # Open steps: due and planned (the naive design's), or claimed (the engine's). Each part
    # is served by its partial index.
    parts = [
        f"SELECT {{}} FROM {table} WHERE status = 'planned' AND due_at <= %(now)s",
        f"SELECT {{}} FROM {table} WHERE status = 'claimed'",
    ]

    def anything_open() -> bool:
        # Asked every 50 ms: EXISTS stops at the first open step, so the polling costs the
        # database next to nothing while the workers run.
        exists = " OR ".join(f"EXISTS ({part.format(1)})" for part in parts)
        ((found,),) = query(f"SELECT {exists}", {"now": now})
        return bool(found)

    def open_steps() -> int:
        counts = " + ".join(f"({part.format('count(*)')})" for part in parts)
        ((count,),) = query(f"SELECT {counts}", {"now": now})
        return int(count)

    def wait_until_done(began: float, limit: float) -> float:
        """Seconds from `began` until no step is open; gives up after `limit` seconds, or after
        a minute without progress (the worker's log tells why)."""
        last, progress, counted = -1, began, began
        while anything_open():
            moment = time.perf_counter()
            if moment - counted > 5:
                remaining, counted = open_steps(), moment
                if remaining != last:
                    last, progress = remaining, moment
            if moment - min(began + limit, progress + 60) > 0:
                raise SystemExit(f"{last} steps still open: see {WORK / 'cadence-worker.log'}")
            time.sleep(0.05)
        return time.perf_counter() - began

    def check(case_ids: list[int]) -> dict[str, Any]:
        ((messages, distinct),) = query(
            f"SELECT count(*), count(DISTINCT step_id) FROM {bulk.table(Message)} "
            "WHERE case_id = ANY(%s)",
            [case_ids],
        )
        statuses = dict(
            query(
                f"SELECT status, count(*) FROM {table} WHERE case_id = ANY(%s) GROUP BY 1",
                [case_ids],
            )
        )
        ((attempts,),) = query(
            f"SELECT count(*) FROM {bulk.table(ContactAttempt)} WHERE case_id = ANY(%s)",
            [case_ids],
        )
        ((claims,),) = query(f"SELECT max(claims) FROM {table} WHERE case_id = ANY(%s)", [case_ids])
        return {
            "messages": messages,
            "duplicate_step_ids": messages - distinct,
            "attempts": attempts,
            "statuses": statuses,
            "max_claims": claims,
            "ok": messages == distinct == attempts == len(case_ids) == statuses.get("done"),
        }

    # 1. The naive design enqueues every step when it is planned, days before it is due.
    began = time.perf_counter()
    load_waiting(naive_enqueue, 1, 0, now, seed=7)
    engine_cases = load_reachable(steps, now)
    analyze()
    result["load_seconds"] = time.perf_counter() - began
    waiting = query(
        f"SELECT id, due_at FROM {table} WHERE status = 'planned' AND due_at > %s ORDER BY id",
        [now],
    )
    began = time.perf_counter()
    enqueued = naive_cadence.enqueue(waiting, now, now_iso)
    result["naive_enqueue"] = {
        "steps": enqueued,
        "seconds": time.perf_counter() - began,
        "purged": app.control.purge(),
    }

    name = f"bench{os.getpid()}@%h"
    worker = start_worker(concurrency, name)
    try:
        began = time.perf_counter()
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.perf_counter() - began > 120:
                raise SystemExit(f"the worker did not start: see {WORK / 'cadence-worker.log'}")
        result["worker_start_seconds"] = time.perf_counter() - began

        # 2. The engine: one tick, then the workers.
        began = time.perf_counter()
        report = tick_now(now_iso)
        tick_seconds = time.perf_counter() - began
        seconds = wait_until_done(began, limit=max(300.0, steps / 100))
        result["engine"] = {
            "steps": steps,
            "seconds": seconds,
            "tick_seconds": tick_seconds,
            "tick": report.as_dict(),
            "steps_per_second": steps / seconds,
            **check(engine_cases),
        }

        # 3. The naive design's execution, through the same worker.
        naive_cases = load_reachable(naive_steps, now, first=steps)
        analyze()
        due = query(
            f"SELECT id, due_at FROM {table} WHERE status = 'planned' AND due_at <= %s ORDER BY id",
            [now],
        )
        began = time.perf_counter()
        naive_cadence.enqueue(due, now, now_iso)
        enqueue_seconds = time.perf_counter() - began
        seconds = wait_until_done(began, limit=max(300.0, naive_steps / 5))
        result["naive"] = {
            "steps": naive_steps,
            "seconds": seconds,
            "enqueue_seconds": enqueue_seconds,
            "countdown_seconds": 1,
            "steps_per_second": naive_steps / seconds,
            **check(naive_cases),
        }
    finally:
        stop_worker(worker)
        app.control.purge()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
