"""SMS through the Twilio transport, real Celery workers and Redis, against the fake Twilio
server in a process of its own:

    python -m bench.channels_bench STEPS CONCURRENCY THREADS SENDERS RATE NOW

1. The fake Twilio server starts (`python -m tests.messaging.fake_twilio`: asyncio, HTTP/1.1
   keep-alive, every request checked as Twilio checks it and answered in Twilio's shapes).
2. STEPS reachable cases with an SMS step due are loaded (as for the cadence benchmark), a
   worker starts (`celery -A outreach worker -c CONCURRENCY`) whose SMS transport is
   `TwilioSmsTransport` with THREADS requests in flight per process, pointed at the fake,
   with a pool of SENDERS sender numbers of RATE segments a second each, the rate shared by
   all processes through Redis.
3. One tick claims and enqueues every step; the clock runs until no step is open.

Measured from the fake's own log (when it read each request): SMS accepted per second (the
201s over the span from the first to the last), and per sender the most segments and messages
in any one-second window (a sliding window over the exact receive times, not whole clock
seconds), against the sender's RATE. Checked: a message per step carrying the SID the fake
gave, no step twice, every step done. Prints one JSON line.

Quiet hours are off in the workers (`OUTREACH_QUIET_HOURS=""`): the benchmark's engine runs at
an injected daytime clock, the transport's double check reads the real one, and the benchmark
must not depend on the hour it is run at.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections import defaultdict
from typing import Any

import django

from bench.common import ROOT, WORK, cpu_seconds, cpu_spent, start_twilio_stand_in

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"


def start_fake() -> tuple[subprocess.Popen[str], str]:
    return start_twilio_stand_in("tests.messaging.fake_twilio", ACCOUNT_SID, AUTH_TOKEN)


def start_worker(concurrency: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / "channels-worker.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "outreach", "worker", "-c", str(concurrency),
             "--pool", "prefork", "--loglevel", "WARNING", "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-n", f"channels{os.getpid()}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop(process: subprocess.Popen[Any]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# What each part of the run costs, by its command line.
CPU_LABELS = {
    "-A outreach worker": "celery worker",
    "fake_twilio": "fake Twilio",
    "bench.channels_bench": "this benchmark (polling)",
}


def busiest(moments: list[tuple[float, int]], width: float = 1.0) -> tuple[int, int]:
    """The most (segments, messages) in any half-open window [t, t + width)."""
    ordered = sorted(moments)
    most_segments = most_messages = segments = start = 0
    for end, (moment, cost) in enumerate(ordered):
        segments += cost
        while ordered[start][0] <= moment - width:
            segments -= ordered[start][1]
            start += 1
        most_segments = max(most_segments, segments)
        most_messages = max(most_messages, end - start + 1)
    return most_segments, most_messages


def main() -> None:
    steps, concurrency, threads, senders, rate = (int(a) for a in sys.argv[1:6])
    now_iso = sys.argv[6]
    pool = [f"+31970100{i:05d}" for i in range(1, senders + 1)]
    redis_url = os.environ["REDIS_URL"]
    fake, fake_url = start_fake()
    prefix = f"bench:rate:{os.getpid()}"
    worker_env = {
        **os.environ,
        "LOG_LEVEL": "WARNING",
        "OUTREACH_TRANSPORTS": json.dumps({"sms": "twilio-sms"}),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "OUTREACH_PUBLIC_BASE_URL": "https://outreach.example.nl",
        "OUTREACH_TWILIO_API_URL": fake_url,
        "OUTREACH_TWILIO_SENDERS": json.dumps(pool),
        "OUTREACH_TWILIO_THREADS": str(threads),
        "OUTREACH_SMS_RATE": str(rate),
        "OUTREACH_RATE_REDIS_URL": redis_url,
        "OUTREACH_RATE_PREFIX": prefix,
        "OUTREACH_QUIET_HOURS": "",
    }
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
    from outreach.messaging.models import Message

    assert not settings.CELERY_TASK_ALWAYS_EAGER, "REDIS_URL must name the benchmark's Redis"
    result: dict[str, Any] = {
        "steps": steps,
        "concurrency": concurrency,
        "threads_per_process": threads,
        "batch": settings.OUTREACH_STEP_BATCH,
        "senders": senders,
        "rate_per_sender": rate,
        # Segments count from their take until a second after Twilio's answer.
        "rate_window_seconds": 1.0,
    }
    table = bulk.table(PlannedStep)

    def query(sql: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    worker = None
    try:
        app.control.purge()
        began = time.perf_counter()
        case_ids = load_reachable(steps, django_now(now_iso))
        analyze()
        result["load_seconds"] = round(time.perf_counter() - began, 1)
        worker = start_worker(concurrency, worker_env)
        began = time.perf_counter()
        while not app.control.ping(timeout=0.5):
            if worker.poll() is not None or time.perf_counter() - began > 120:
                raise SystemExit(f"the worker did not start: see {WORK / 'channels-worker.log'}")

        cpu_before = cpu_seconds(CPU_LABELS)
        began = time.perf_counter()
        tick_now(now_iso)
        tick_seconds = time.perf_counter() - began
        last, progress = -1, began
        while True:
            ((open_steps,),) = query(
                f"SELECT count(*) FROM {table} WHERE status IN ('planned', 'claimed') "
                "AND case_id = ANY(%s)",
                [case_ids],
            )
            if not open_steps:
                break
            if open_steps != last:
                last, progress = open_steps, time.perf_counter()
            if time.perf_counter() - progress > 60:
                raise SystemExit(f"{open_steps} steps still open: see channels-worker.log")
            time.sleep(0.1)
        seconds = time.perf_counter() - began
        cpu_after = cpu_seconds(CPU_LABELS)
    finally:
        if worker is not None:
            stop(worker)
        app.control.purge()

    with urllib.request.urlopen(fake_url + "/_fake/requests", timeout=60) as answer:
        requests = json.loads(answer.read())
    stop(fake)

    accepted = [r for r in requests if r["status"] == 201]
    refused = [r for r in requests if r["status"] != 201]
    first, final = min(r["at"] for r in accepted), max(r["at"] for r in accepted)
    by_sender: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for r in accepted:
        by_sender[r["messaging_service_sid"] or r["from_"]].append((r["at"], r["segments"]))
    per_sender = {}
    for sender, moments in sorted(by_sender.items()):
        most_segments, most_messages = busiest(moments)
        per_sender[sender] = {
            "messages": len(moments),
            "segments": sum(cost for _, cost in moments),
            "busiest_second_segments": most_segments,
            "busiest_second_messages": most_messages,
        }
    ((messages, distinct, with_sid),) = query(
        f"SELECT count(*), count(DISTINCT step_id), count(*) FILTER (WHERE transport_id LIKE "
        f"'SM%%') FROM {bulk.table(Message)} WHERE case_id = ANY(%s)",
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
    ((retried,),) = query(
        f"SELECT count(*) FROM {table} WHERE case_id = ANY(%s) AND retries > 0", [case_ids]
    )
    sids = {r["sid"] for r in accepted}
    ((known,),) = query(
        f"SELECT count(*) FROM {bulk.table(Message)} WHERE transport_id = ANY(%s)", [list(sids)]
    )
    worst = max(s["busiest_second_segments"] for s in per_sender.values())
    spent = cpu_spent(cpu_before, cpu_after)
    cpu = {name: round(sec / steps * 1e6) for name, sec in spent.items() if sec > 0.5}
    result.update(
        {
            "seconds": round(seconds, 2),
            "tick_seconds": round(tick_seconds, 3),
            "steps_per_second": round(steps / seconds, 1),
            "accepted": len(accepted),
            "refused": len(refused),
            "sending_seconds": round(final - first, 2),
            "accepted_per_second": round(len(accepted) / (final - first), 1),
            "segments_per_message": round(
                sum(r["segments"] for r in accepted) / max(1, len(accepted)), 2
            ),
            "per_sender": per_sender,
            "busiest_second_segments": worst,
            "rate_held": worst <= rate,
            "messages": messages,
            "duplicate_step_ids": messages - distinct,
            "messages_with_twilio_sid": with_sid,
            "sids_known": known,
            "attempts": attempts,
            "statuses": statuses,
            "steps_postponed": retried,
            "cpu_us_per_sms": dict(sorted(cpu.items(), key=lambda kv: -kv[1])),
            # How busy the machine was (2.0: both cores of a two-core machine, all the time).
            "cores_busy": round(sum(spent.values()) / seconds, 2),
        }
    )
    result["ok"] = (
        messages == distinct == with_sid == known == attempts == len(accepted) == steps
        and statuses.get("done") == steps
        and result["rate_held"]
    )
    print(json.dumps(result))


def django_now(now_iso: str) -> Any:
    from outreach.core.clock import parse_now

    return parse_now(now_iso)


if __name__ == "__main__":
    main()
