"""The cadence benchmark's Twilio path, in its own process:
`python -m bench.cadence_twilio STEPS CONCURRENCY THREADS NOW [--profile DIR]`.

1. The stand-in alone: a fresh `bench.twilio_stub` takes keep-alive requests from a load
   process for a few seconds; its requests a second and its CPU time a request.
2. STEPS reachable cases with an SMS step due (as for the outbox path); a fresh stub; a worker
   (`celery -A outreach worker -c CONCURRENCY`) whose SMS transport is `TwilioSmsTransport`
   (the `twilio` client, THREADS requests in flight per process) pointed at the stub. One tick
   claims and enqueues every step here; the wall time runs from the tick's start until no step
   is open.
3. Checked: in the database as for the outbox path (a message, an attempt, done, per step, no
   step twice), and at the stub: the messages it accepted equal the steps, no number twice (a
   step's SMS goes to its case's own number), the numbers are the steps' and the SIDs it gave
   are the messages' transport ids.

The rate limit is lifted, not switched off: a million segments a second per sender, so every
message still takes its segments from the window in Redis. The engine runs at the benchmark's
clock (NOW, a working morning); the transport checks the quiet hours again at the real clock, so
the quiet hours are moved to start two hours after the run begins (eleven hours long, as the
real ones, cut short before the engine's clock, which keeps its steps out of them too): the
check runs for every message and never depends on when the benchmark is run.

CPU time by process (the workers, PostgreSQL, Redis, the stub, this process) over the run, per
step. With --profile DIR (an empty folder) the worker's processes tell where their CPU time
goes, by the parts of a batch (`bench.worker_profile`). Prints one JSON line.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import django

from bench.common import ROOT, WORK, cpu_seconds, cpu_spent, start_twilio_stand_in
from bench.twilio_stub import summary

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "bench-auth-token-0123456789abcdef"
SENDER = "+3197010000001"
PUBLIC_BASE_URL = "https://outreach.example.nl"
LIFTED_RATE = 1_000_000  # segments a second: the window is taken, never full
CPU_LABELS = {
    "bench.twilio_stub --load": "load (the stub alone)",
    "bench.twilio_stub": "Twilio stub",
    "bench.cadence_twilio": "this benchmark (tick, polling)",
}
# PostgreSQL's backends serving the benchmark's database, told from the server's others.
DATABASE_LABEL = "postgres (the benchmark's database)"


def quiet_hours_after(
    moment: datetime, engine_clock: datetime, hours_from_now: int = 2, length: int = 11
) -> str:
    """Quiet hours of `length` hours beginning `hours_from_now` after `moment`, in the
    service's time zone (Europe/Amsterdam), cut short before the engine's clock: the engine
    keeps its steps out of the quiet hours at its own clock, the transport at the real one,
    and neither may hold the run back."""
    zone = ZoneInfo("Europe/Amsterdam")
    start = moment.astimezone(zone) + timedelta(hours=hours_from_now)
    # A clock without a zone (the benchmarks' NOW) is the service's local time.
    engine = engine_clock.astimezone(zone) if engine_clock.tzinfo else engine_clock
    # Minutes from the quiet hours' start to the engine's time of day, on the 24-hour dial.
    until_engine = ((engine.hour - start.hour) * 60 + engine.minute - start.minute) % (24 * 60)
    minutes = min(length * 60, until_engine - 1)
    if minutes < 30:  # the engine's clock lies just after the start: begin after it instead
        start = engine + timedelta(minutes=30)
        minutes = length * 60
    end = start + timedelta(minutes=minutes)
    return f"{start:%H:%M}-{end:%H:%M}"


def start_stub() -> tuple[subprocess.Popen[str], str]:
    return start_twilio_stand_in("bench.twilio_stub", ACCOUNT_SID, AUTH_TOKEN)


def stop(process: subprocess.Popen[Any]) -> None:
    process.send_signal(signal.SIGTERM)  # a worker's warm shutdown ends its pool too
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=60) as answer:
        return json.loads(answer.read())


def stub_alone(seconds: float = 5.0, connections: int = 16) -> dict[str, Any]:
    """The stub's capacity on its own: a load process keeps `connections` keep-alive
    connections busy (a request, its answer, the next) for `seconds`."""
    stub, url = start_stub()
    try:
        before = cpu_seconds(CPU_LABELS)
        done = subprocess.run(
            [sys.executable, "-m", "bench.twilio_stub", "--load", url, "--seconds",
             str(seconds), "--connections", str(connections), "--account-sid", ACCOUNT_SID,
             "--auth-token", AUTH_TOKEN],
            cwd=ROOT, capture_output=True, text=True, check=True,
        )  # fmt: skip
        spent = cpu_spent(before, cpu_seconds(CPU_LABELS))
        created = json.loads(done.stdout)["created"]
        stats = get_json(url + "/_stub/stats")
    finally:
        stop(stub)
    return {
        "seconds": seconds,
        "connections": connections,
        "created": created,
        "requests_per_second": round(created / seconds),
        "stub_cpu_us_per_request": round(spent["Twilio stub"] / max(1, created) * 1e6, 1),
        "stub_counted": stats["accepted_count"],
    }


def start_worker(concurrency: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    WORK.mkdir(parents=True, exist_ok=True)
    extra = ["-I", "bench.worker_profile"] if env.get("BENCH_PROFILE_DIR") else []
    with open(WORK / "cadence-twilio-worker.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "outreach", "worker", "-c", str(concurrency),
             "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"twilio{os.getpid()}@%h",
             *extra],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def worker_parts(folder: Path, steps: int) -> dict[str, float]:
    """The worker processes' CPU time by part (`bench.worker_profile`), in microseconds a
    step, summed over the processes."""
    total: dict[str, float] = {}
    for path in folder.glob("*.json"):
        spent = json.loads(path.read_text())
        total["whole process"] = total.get("whole process", 0.0) + spent["process"]
        for name, part in spent["parts"].items():
            total[name] = total.get(name, 0.0) + part["seconds"]
    return {name: round(seconds / steps * 1e6) for name, seconds in total.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("steps", type=int)
    parser.add_argument("concurrency", type=int)
    parser.add_argument("threads", type=int)
    parser.add_argument("now")
    parser.add_argument("--profile", help="a folder for the worker processes' cProfile stats")
    parser.add_argument("--alone-seconds", type=float, default=5.0)
    args = parser.parse_args()
    steps, now_iso = args.steps, args.now

    result: dict[str, Any] = {"stub_alone": stub_alone(args.alone_seconds)}
    quiet = quiet_hours_after(datetime.now().astimezone(), datetime.fromisoformat(now_iso))
    stub, stub_url = start_stub()
    worker_env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "OUTREACH_TRANSPORTS": json.dumps({"sms": "twilio-sms"}),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "OUTREACH_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "OUTREACH_TWILIO_API_URL": stub_url,
        "OUTREACH_TWILIO_FROM": SENDER,
        "OUTREACH_TWILIO_THREADS": str(args.threads),
        "OUTREACH_SMS_RATE": str(LIFTED_RATE),
        "OUTREACH_RATE_REDIS_URL": os.environ["REDIS_URL"],
        "OUTREACH_RATE_PREFIX": f"bench:rate:{os.getpid()}",
        "OUTREACH_QUIET_HOURS": quiet,
    }
    if args.profile:
        worker_env["BENCH_PROFILE_DIR"] = args.profile
    os.environ.update({k: v for k, v in worker_env.items() if k.startswith(("OUTREACH", "TWI"))})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    from django.conf import settings
    from django.db import connection

    from bench.cadence_data import analyze, load_reachable
    from outreach.cadence.models import PlannedStep
    from outreach.cadence.tasks import tick_now
    from outreach.casework.models import ContactAttempt
    from outreach.celery import app
    from outreach.core import bulk
    from outreach.core.clock import parse_now
    from outreach.messaging.models import Message

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "REDIS_URL must name the benchmark's Redis"
    table = bulk.table(PlannedStep)
    result.update(
        {
            "steps": steps,
            "concurrency": args.concurrency,
            "threads_per_process": args.threads,
            "batch": settings.OUTREACH_STEP_BATCH,
            "sms_rate": LIFTED_RATE,
            "quiet_hours": quiet,
        }
    )

    def query(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    # Open steps: planned and due, or claimed; each part served by its partial index.
    parts = [
        f"SELECT {{}} FROM {table} WHERE status = 'planned' AND due_at <= %(now)s",
        f"SELECT {{}} FROM {table} WHERE status = 'claimed'",
    ]
    exists = "SELECT " + " OR ".join(f"EXISTS ({part.format(1)})" for part in parts)
    counts = "SELECT " + " + ".join(f"({part.format('count(*)')})" for part in parts)
    now = parse_now(now_iso)

    worker = None
    try:
        app.control.purge()
        began = time.perf_counter()
        case_ids = load_reachable(steps, now)
        analyze()
        result["load_seconds"] = round(time.perf_counter() - began, 1)
        worker = start_worker(args.concurrency, worker_env)
        began = time.perf_counter()
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.perf_counter() - began > 120:
                raise SystemExit(f"the worker did not start: see {WORK}")

        labels = {
            **CPU_LABELS,
            f"-n twilio{os.getpid()}@": "celery worker",
            f"postgres {settings.DATABASES['default']['NAME']} ": DATABASE_LABEL,
        }
        cpu_before = cpu_seconds(labels)
        began = time.perf_counter()
        tick_now(now_iso)
        tick_seconds = time.perf_counter() - began
        last, progress, counted = -1, began, began
        # Asked every 50 ms: EXISTS stops at the first open step, next to nothing for the
        # database; the count, which tells progress, every five seconds.
        while query(exists, {"now": now})[0][0]:
            moment = time.perf_counter()
            if moment - counted > 5:
                ((remaining,),), counted = query(counts, {"now": now}), moment
                if remaining != last:
                    last, progress = remaining, moment
            if moment - progress > 60:
                raise SystemExit(f"{last} steps still open: see {WORK}")
            time.sleep(0.05)
        seconds = time.perf_counter() - began
        cpu_after = cpu_seconds(labels)
    finally:
        if worker is not None:
            stop(worker)
        app.control.purge()
    if args.profile:
        result["worker_parts_us_per_step"] = worker_parts(Path(args.profile), steps)
    received = get_json(stub_url + "/_stub/received")
    stop(stub)

    ((messages, distinct),) = query(
        f"SELECT count(*), count(DISTINCT step_id) FROM {bulk.table(Message)} "
        "WHERE case_id = ANY(%s)",
        [case_ids],
    )
    statuses = dict(
        query(
            f"SELECT status, count(*) FROM {table} WHERE case_id = ANY(%s) GROUP BY 1", [case_ids]
        )
    )
    ((attempts,),) = query(
        f"SELECT count(*) FROM {bulk.table(ContactAttempt)} WHERE case_id = ANY(%s)", [case_ids]
    )
    # What the stub received against what the database says was sent: the same number and SID.
    sent = dict(
        query(
            f'SELECT transport_id, "to" FROM {bulk.table(Message)} WHERE case_id = ANY(%s)',
            [case_ids],
        )
    )
    matching = sum(1 for to, sid in received["accepted"] if sent.get(sid) == to)
    stub_counts = summary(received)
    spent = cpu_spent(cpu_before, cpu_after)
    # The run's own processes by name; the rest of the machine (PostgreSQL's and Redis's other
    # work, other programs on a shared machine) in two sums.
    ours = {*labels.values(), "redis-server"}
    cpu = {name: round(spent[name] / steps * 1e6) for name in sorted(ours) if spent.get(name)}
    cpu["postgres (the server's other work)"] = round(spent.get("postgres", 0.0) / steps * 1e6)
    others = sum(sec for name, sec in spent.items() if name not in ours and name != "postgres")
    cpu["everything else on the machine"] = round(others / steps * 1e6)
    result.update(
        {
            "seconds": round(seconds, 2),
            "tick_seconds": round(tick_seconds, 3),
            "steps_per_second": round(steps / seconds, 1),
            "stub_received": received["requests"],
            "stub_accepted": stub_counts["accepted"],
            "stub_duplicates": stub_counts["duplicates"],
            "stub_refused": received["refused"],
            "stub_matching_messages": matching,
            "messages": messages,
            "duplicate_step_ids": messages - distinct,
            "attempts": attempts,
            "statuses": statuses,
            "cpu_us_per_step": cpu,
            "cpu_us_per_step_run": sum(
                us for name, us in cpu.items() if name != "everything else on the machine"
            ),
            # How busy the machine was (2.0: both cores of a two-core machine, all the time).
            "cores_busy": round(sum(spent.values()) / seconds, 2),
        }
    )
    result["ok"] = (
        stub_counts["accepted"] == matching == messages == distinct == attempts == steps
        and received["requests"] == steps
        and stub_counts["duplicates"] == 0
        and statuses.get("done") == steps
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
