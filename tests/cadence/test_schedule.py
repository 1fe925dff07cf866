"""The one beat schedule (settings.CELERY_BEAT_SCHEDULE) runs every task in both modes: in the
embedded scheduler at the entries' times, and through `celery beat` to the Procfile's workers,
each task on the queue its route names. One failing task stops none of the others."""

import ast
import logging
import os
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from celery.beat import Scheduler
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from outreach.cadence import periodic
from outreach.cadence.periodic import Beat, Entry, Run, queue_of, run_housekeeping, run_queue
from outreach.casework import capacity
from outreach.celery import app
from tests.cadence.conftest import ingest
from tests.cadence.test_reliability import worker_database_url
from tests.cadence.workers import (
    BASE_DIR,
    ProcfileWorker,
    RedisServer,
    procfile_workers,
    publishing_to,
    wait_for,
    worker_env,
)
from tests.conftest import AMSTERDAM, signal_row

SCHEDULE: dict[str, Entry] = settings.CELERY_BEAT_SCHEDULE
# Sunday 17 May 2026, just before midnight: the week that follows has five working days.
START = datetime(2026, 5, 17, 23, 58, 30, tzinfo=AMSTERDAM)
WEEK = timedelta(days=7)


def is_crontab_time(when: crontab, moment: datetime) -> bool:
    """Whether the crontab names this minute (local time)."""
    local = timezone.localtime(moment, AMSTERDAM)
    return (
        local.minute in when.minute
        and local.hour in when.hour
        and local.isoweekday() % 7 in when.day_of_week  # Sunday is 0
        and local.day in when.day_of_month
        and local.month in when.month_of_year
    )


class MovingClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


# --- the schedule's shape ----------------------------------------------------------------------


def test_the_schedule_is_one_literal_in_the_settings():
    tree = ast.parse((BASE_DIR / "outreach" / "settings.py").read_text())
    touched = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Name | ast.Attribute)
        and "CELERY_BEAT_SCHEDULE" in ast.unparse(node)
    ]
    assignments = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(ast.unparse(t) == "CELERY_BEAT_SCHEDULE" for t in node.targets)
    ]
    assert len(assignments) == 1 and isinstance(assignments[0].value, ast.Dict)
    assert len(touched) == 1  # named once: no update(), no item assigned later


def test_every_task_is_named_after_its_module_and_function():
    unnamed = []
    for path in sorted((BASE_DIR / "outreach").rglob("*.py")):
        module = ".".join(path.relative_to(BASE_DIR).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if "shared_task" not in ast.unparse(decorator):
                    continue
                names = [
                    k.value.value
                    for k in getattr(decorator, "keywords", [])
                    if k.arg == "name" and isinstance(k.value, ast.Constant)
                ]
                if names != [f"{module}.{node.name}"]:
                    unnamed.append(f"{module}.{node.name}: {names}")
    assert not unnamed


def test_every_task_is_routed_to_a_queue_that_one_procfile_worker_consumes():
    periodic.scheduled_task("outreach.cadence.tasks.tick")  # loads every app's tasks
    ours = sorted(name for name in app.tasks if name.startswith("outreach."))
    queues = [q.name for q in settings.CELERY_TASK_QUEUES]
    assert set(ours) == set(settings.CELERY_TASK_ROUTES)
    assert {queue_of(name) for name in ours} == set(queues)
    consumed = [q for names in procfile_workers().values() for q in names]
    assert sorted(consumed) == sorted(queues)  # each queue has exactly one worker
    for entry in SCHEDULE.values():
        assert entry["task"] in app.tasks


def test_slow_work_never_shares_a_queue_with_the_tick_or_the_sends():
    engine = {queue_of("outreach.cadence.tasks.execute_steps")}
    engine.add(queue_of("outreach.cadence.tasks.start_cases"))
    engine.add(queue_of("outreach.messaging.tasks.reconcile"))
    tick = queue_of("outreach.cadence.tasks.tick")
    slow = {
        queue_of("outreach.messaging.printing.tasks.print_batches"),
        queue_of("outreach.privacy.tasks.anonymise_expired_data"),
    }
    assert tick not in engine
    assert not slow & (engine | {tick})
    housekeeping = {queue_of(e["task"]) for e in SCHEDULE.values() if e["task"] not in (
        "outreach.cadence.tasks.tick",
        "outreach.messaging.tasks.reconcile",
        "outreach.messaging.printing.tasks.print_batches",
        "outreach.privacy.tasks.anonymise_expired_data",
    )}  # fmt: skip
    assert housekeeping == {"housekeeping"}


# --- the embedded mode -------------------------------------------------------------------------


def run_week(clock: MovingClock) -> dict[str, list[datetime]]:
    """The embedded scheduler over a week, its clock moved on as the thread sleeps; which entry
    ran when (the tasks themselves are not run)."""
    runs: dict[str, list[datetime]] = defaultdict(list)

    def record(name: str, entry: Entry, now: datetime) -> Run:
        runs[name].append(now)
        return Run(name, entry["task"], now, {})

    beat = Beat(clock=clock, run=record)
    while clock.now < START + WEEK:
        beat.run_due()
        wait = beat.seconds_to_next()
        assert 0 < wait <= 60  # it never spins, and never sleeps past the next tick
        clock.now += timedelta(seconds=wait)
    return runs


def test_over_a_week_the_embedded_scheduler_runs_every_entry_at_its_times():
    runs = run_week(MovingClock(START))
    assert set(runs) == set(SCHEDULE)
    minutes = [START.replace(second=0) + timedelta(minutes=m) for m in range(1, 7 * 24 * 60 + 1)]
    for name, entry in SCHEDULE.items():
        when = entry["schedule"]
        if isinstance(when, crontab):
            # Every minute the crontab names, once, at its first second; no other minute.
            expected = [m for m in minutes if is_crontab_time(when, m)]
            assert runs[name] == expected, name
        else:
            gaps = {
                later - earlier for earlier, later in zip(runs[name], runs[name][1:], strict=False)
            }
            assert gaps == {timedelta(seconds=float(when))}, name
            assert runs[name][0] == START  # the tick starts with the process
    # The ones people rely on, spelled out.
    assert len(runs["cadence-tick"]) == 7 * 24 * 60
    assert len(runs["reporting-feedback"]) == 7 * 24 * 6
    anonymised = [timezone.localtime(t, AMSTERDAM) for t in runs["anonymise-expired-data"]]
    assert [(t.day, t.hour, t.minute) for t in anonymised] == [(d, 2, 30) for d in range(18, 25)]
    printed = [timezone.localtime(t, AMSTERDAM) for t in runs["print-batches"]]
    assert [(t.isoweekday(), t.hour, t.minute) for t in printed] == [
        (day, 15, 0) for day in range(1, 6)
    ]


@pytest.fixture
def case(municipality, campaign_dir):
    received = datetime(2026, 5, 15, 9, 0, tzinfo=AMSTERDAM)
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, received)
    return case


@pytest.mark.django_db
def test_the_embedded_scheduler_runs_every_scheduled_task_in_process(case):
    # From Monday 02:29:50 to 02:30 (anonymisation, housekeeping) and on to 15:00 (print).
    clock = MovingClock(datetime(2026, 5, 18, 2, 29, 50, tzinfo=AMSTERDAM))
    beat = Beat(clock=clock)
    runs = beat.run_due()
    for moment in ("02:30", "15:00"):
        hour, minute = map(int, moment.split(":"))
        clock.now = clock.now.replace(hour=hour, minute=minute, second=0)
        runs += beat.run_due()
    assert {r.entry for r in runs} == set(SCHEDULE)
    assert [r.failed for r in runs if r.error] == []
    assert all(isinstance(r.result, dict) for r in runs)
    by_entry = {r.entry: r.result for r in runs}
    ticks = [r.result for r in runs if r.entry == "cadence-tick"]
    # The first tick started the case's campaign; at 15:00 the next sent its first letter.
    assert [(t["cases"], t["steps"]) for t in ticks] == [(1, 0), (0, 1)]
    assert "persons_anonymised" in by_entry["anonymise-expired-data"]
    assert "batches" in by_entry["print-batches"]


@pytest.mark.django_db
def test_one_failing_task_stops_none_of_the_others_and_its_log_holds_no_personal_data(
    monkeypatch, caplog
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValueError("J. Jansen, Kerkstraat 1, +31612345678")

    monkeypatch.setattr(capacity, "plan_all", broken)
    now = datetime(2026, 5, 18, 10, 0, tzinfo=AMSTERDAM)
    clock = MovingClock(now - timedelta(seconds=5))
    beat = Beat(clock=clock)
    beat.run_due()  # the tick
    clock.now = now
    with caplog.at_level(logging.INFO):
        runs = beat.run_due()
    failed = [r.entry for r in runs if r.error]
    assert failed == ["casework-capacity"]
    # Partner feedback comes after it in the schedule, and ran.
    ok = {r.entry: r.result for r in runs if r.error is None}
    expected = {n for n, e in SCHEDULE.items() if queue_of(e["task"]) == "housekeeping"}
    assert set(ok) | set(failed) == expected
    assert ok["reporting-feedback"] == {"feedback": 0}
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "casework-capacity" in errors[0] and "ValueError" in errors[0]
    assert "outreach/casework/tasks.py" in errors[0]  # where it came through our code
    assert not any(word in caplog.text for word in ("Jansen", "Kerkstraat", "+316"))
    # The tick goes on a minute later.
    clock.now = now + timedelta(minutes=1)
    assert [r.entry for r in beat.run_due()] == ["cadence-tick", "messaging-reconcile"]
    # In-process housekeeping (`outreach tick`, the demo) runs the rest, then raises.
    with pytest.raises(ValueError):
        run_housekeeping(now.isoformat())
    reports = run_queue("housekeeping", now)
    assert [r.entry for r in reports if r.error] == ["casework-capacity"]
    assert reports[-1].entry == "reporting-feedback" and reports[-1].error is None


# --- Celery beat and the Procfile's workers ----------------------------------------------------

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis and a Celery worker (set REDIS_URL)"
)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    with publishing_to(server.url):
        yield server
    server.kill()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@needs_redis
def test_celery_beat_sends_every_entry_to_the_procfile_worker_of_its_queue(
    private_redis, tmp_path, campaign_dir
):
    env = worker_env(
        worker_database_url(),
        private_redis.url,
        campaign_dir,
        OUTREACH_DATA_DIR=str(tmp_path / "data"),
    )
    workers = {name: ProcfileWorker(name, env, tmp_path) for name in procfile_workers()}
    try:
        for worker in workers.values():
            worker.start(wait=False)
        for worker in workers.values():
            worker.wait_ready()
        scheduler = Scheduler(app, lazy=False)
        with app.producer_or_acquire() as producer:
            for name in SCHEDULE:
                scheduler.apply_async(scheduler.schedule[name], producer=producer, advance=False)
        consumer = {
            queue: worker
            for worker in workers.values()
            for queue in procfile_workers()[worker.name]
        }

        def all_done() -> bool:
            return all(
                consumer[queue_of(e["task"])].succeeded(e["task"]) >= 1 for e in SCHEDULE.values()
            )

        wait_for(all_done, 60, "every scheduled task to succeed", every=0.2)
        for entry in SCHEDULE.values():
            runs = {w.name: w.succeeded(entry["task"]) for w in workers.values()}
            assert runs == {
                w.name: 1 if w is consumer[queue_of(entry["task"])] else 0 for w in workers.values()
            }, entry["task"]
        for worker in workers.values():
            assert "unregistered task" not in worker.log()
            assert " raised unexpected" not in worker.log()
    finally:
        for worker in workers.values():
            worker.kill()
