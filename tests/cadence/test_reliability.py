"""The cadence engine against real Celery workers and a real Redis: killed workers, a Redis
that restarts empty, transport errors, concurrent ticks.

The workers are `celery worker` subprocesses on the pytest test database; the broker is a
private `redis-server` (no persistence) that the tests kill and start again. The test process
enqueues through `tick_now`, as the beat does. The clock is injected (`now_iso`), so moving it
past the lease costs no real time.
"""

import json
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.models import Count

from outreach.cadence.models import PlannedStep
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.cadence.tick import tick
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality
from outreach.intake.models import Household, Person, PhoneNumber, Signal, SignalPartner
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.messaging.models import Message
from outreach.reporting.models import PartnerFeedback
from tests.cadence.workers import (
    CALLS,
    RedisServer,
    Worker,
    wait_for,
    worker_env,
)
from tests.conftest import AMSTERDAM, csv_bytes, signal_row
from tests.messaging.fake_twilio import FakeTwilio

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("campaign_dir"),
]

needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis and a Celery worker (set REDIS_URL)"
)

# Monday 18 May 2026, 10:00 in Amsterdam: inside the window of letters, SMS and calls.
T0 = datetime(2026, 5, 18, 10, 0, tzinfo=AMSTERDAM)
APP_NAME = "reltest-worker"  # the workers' application_name in pg_stat_activity

Status = PlannedStep.Status


def iso(moment: datetime) -> str:
    return moment.isoformat()


# --- data ------------------------------------------------------------------------------------


def make_cases(municipality: Municipality, phones: Sequence[str]) -> list[int]:
    """Active cases on the standard campaign, one household, person, mobile and signal each."""
    n = len(phones)
    partner = SignalPartner.objects.create(type="Energie", name="Stroom BV")
    homes = Household.objects.bulk_create(
        [
            Household(
                municipality=municipality,
                key=f"3511AB|{i + 1}|",
                postcode="3511AB",
                house_number=i + 1,
                street="Kerkstraat",
                town="Utrecht",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    persons = Person.objects.bulk_create(
        [
            Person(
                municipality=municipality,
                household=home,
                key=f"{home.key}|jansen|j",
                initials="J.",
                first_name="Jan",
                surname=f"Jansen{i}",
                preferred_language="nl",
            )
            for i, home in enumerate(homes)
        ],
        batch_size=2000,
    )
    PhoneNumber.objects.bulk_create(
        [
            PhoneNumber(person=p, e164=phone, kind="mobile")
            for p, phone in zip(persons, phones, strict=True)
        ],
        batch_size=2000,
    )
    cases = Case.objects.bulk_create(
        [
            Case(
                municipality=municipality,
                household=home,
                matching_start=date(2026, 4, 1),
                matching_end=date(2026, 4, 1),
                deadline=date(2026, 7, 1),
                campaign="standard",
                state=Case.State.ACTIVE,
                created_at=T0 - timedelta(days=3),
                started_at=T0 - timedelta(days=3),
            )
            for home in homes
        ],
        batch_size=2000,
    )
    Signal.objects.bulk_create(
        [
            Signal(
                municipality=municipality,
                partner=partner,
                partner_type="Energie",
                partner_ref=f"REF-{i}",
                dedupe_key=f"Energie|REF-{i}",
                amount=250,
                signal_date=date(2026, 4, 1),
                person=person,
                household=person.household,
                case=case,
                received_at=T0 - timedelta(days=3),
            )
            for i, (person, case) in enumerate(zip(persons, cases, strict=True))
        ],
        batch_size=2000,
    )
    return [c.pk for c in cases]


CHANNELS = {"letter1": "letter", "sms1": "sms", "call": "phone_task"}


def plan_steps(keys: dict[int, str], due: datetime) -> list[int]:
    """One planned step per case, due at `due`; returns the step ids."""
    steps = PlannedStep.objects.bulk_create(
        [
            PlannedStep(
                case_id=case, key=key, campaign="standard", channel=CHANNELS[key], due_at=due
            )
            for case, key in keys.items()
        ],
        batch_size=2000,
    )
    return [s.pk for s in steps]


def statuses(ids: Sequence[int] | None = None) -> dict[str, int]:
    rows = PlannedStep.objects.all() if ids is None else PlannedStep.objects.filter(id__in=ids)
    return dict(Counter(rows.values_list("status", flat=True)))


def open_batches() -> set[int]:
    """The client ports of worker connections inside a batch: their transaction holds row
    locks (it has an xid)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_port FROM pg_stat_activity WHERE application_name = %s "
            "AND backend_xid IS NOT NULL",
            [APP_NAME],
        )
        return {port for (port,) in cursor.fetchall()}


# --- processes -------------------------------------------------------------------------------


def worker_database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}?application_name={APP_NAME}"


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def _reset_producers(app: Any) -> None:
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(private_redis: RedisServer) -> Iterator[RedisServer]:
    """The test process's Celery app publishes to the private Redis, never eagerly."""
    from outreach.celery import app

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    _reset_producers(app)
    app.conf.update(broker_url=private_redis.url, task_always_eager=False)
    yield private_redis
    _reset_producers(app)
    app.conf.update(saved)


@pytest.fixture
def start_worker(
    broker: RedisServer, campaign_dir: Path, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """start_worker(name, **env): a `celery worker` on the test database and the private Redis."""
    started: list[Worker] = []

    def start(name: str, **extra: str) -> Worker:
        env = worker_env(worker_database_url(), broker.url, campaign_dir, **extra)
        worker = Worker(name, env, tmp_path)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.kill()


def logs(workers: Sequence[Worker]) -> str:
    return "\n".join(f"--- worker {w.name}:\n{w.log_tail()}" for w in workers)


# --- 1. exactly once through kills and a Redis restart ----------------------------------------

STEPS = 10_000
SEND_SECONDS = "0.15"
REDIS_DOWN_SECONDS = 1.0


def twilio_env(fake: FakeTwilio) -> dict[str, str]:
    """The workers send SMS through Twilio's transport against the local fake of its API, as
    fast as it goes (no rate limit, no quiet hours: the test runs at any hour)."""
    return {
        "OUTREACH_TRANSPORTS": json.dumps({"sms": "tests.cadence.workers.MarkedTwilioSms"}),
        "TWILIO_ACCOUNT_SID": fake.account_sid,
        "TWILIO_AUTH_TOKEN": fake.auth_token,
        "OUTREACH_PUBLIC_BASE_URL": "https://outreach.example.nl",
        "OUTREACH_TWILIO_API_URL": fake.url,
        "OUTREACH_TWILIO_FROM": "+3197010203040",
        "OUTREACH_SMS_RATE": "100000",
        "OUTREACH_RATE_REDIS_URL": "",
        "OUTREACH_QUIET_HOURS": "",
    }


@needs_redis
@pytest.mark.parametrize("gateway", ["outbox", "twilio"])
def test_every_message_is_handed_over_exactly_once_through_kills_and_a_redis_restart(
    municipality, start_worker, broker, tmp_path, gateway
):
    started = time.monotonic()
    phones = [f"+3161{i:07d}" for i in range(STEPS)]
    case_ids = make_cases(municipality, phones)
    # Letters and SMS alternate; every 20th case has a call task instead (no message).
    keys = {
        c: "call" if i % 20 == 0 else ("sms1" if i % 2 else "letter1")
        for i, c in enumerate(case_ids)
    }
    step_ids = plan_steps(keys, T0)
    message_ids = {s for s, k in zip(step_ids, keys.values(), strict=True) if k != "call"}
    calls = STEPS - len(message_ids)
    setup_seconds = time.monotonic() - started
    sends, lookups, busy = tmp_path / "sends.txt", tmp_path / "lookups.txt", tmp_path / "busy"
    busy.mkdir()
    env = {
        "OUTREACH_TRANSPORT": "tests.cadence.workers.SlowOutbox",
        "RELTEST_SEND_SECONDS": SEND_SECONDS,
        "RELTEST_SENDS_FILE": str(sends),
        "RELTEST_LOOKUPS_FILE": str(lookups),
        "RELTEST_BUSY_DIR": str(busy),
    }
    fake = FakeTwilio().start() if gateway == "twilio" else None
    if fake is not None:
        env.update(twilio_env(fake))
    first = start_worker("a", **env)
    workers = [first]

    report = tick_now(iso(T0))
    batches = -(-STEPS // django_settings.OUTREACH_STEP_BATCH)
    assert (report.steps, report.tasks) == (STEPS, batches)
    events = [f"tick {T0:%H:%M:%S}: claimed {report.steps}, {report.tasks} tasks"]

    # A pool process dies inside a hand-over: the gateway has the batch, the database does not
    # know yet. Its parent lives on and puts the task back in the queue (acks_late,
    # reject_on_worker_lost).
    wait_for(lambda: sent_count() >= 400, 60, "400 messages")
    child = inside_a_hand_over(first, busy)
    os.kill(child, signal.SIGKILL)
    events.append(f"SIGKILL pool process {child} in a hand-over at {sent_count()} messages")
    wait_for(lambda: "WorkerLostError" in first.log(), 30, f"worker a to notice\n{logs(workers)}")

    # The whole worker dies inside a hand-over: its tasks in flight and prefetched are lost.
    at = sent_count()
    wait_for(lambda: sent_count() >= at + 1000, 60, "1000 more messages")
    inside_a_hand_over(first, busy)
    first.kill()
    at, queued = sent_count(), broker.queued("engine")
    events.append(f"SIGKILL worker a in a hand-over at {at} messages, {queued} tasks still queued")
    assert queued > 0, logs(workers)
    workers.append(start_worker("b", **env))

    # Redis dies with tasks still queued and comes back empty.
    wait_for(lambda: sent_count() >= at + 1000, 60, "worker b to send 1000 messages")
    queued = broker.queued("engine")
    broker.restart(down_seconds=REDIS_DOWN_SECONDS)
    at = sent_count()
    events.append(
        f"Redis down {REDIS_DOWN_SECONDS:.0f} s, back empty at {at} messages: {queued} queued "
        "tasks lost"
    )
    assert queued > 0, logs(workers)
    settle(broker, workers, events)
    lost = statuses(step_ids).get(Status.CLAIMED, 0)
    events.append(f"settled at {Message.objects.count()} messages, {lost} steps left claimed")

    # The beat goes on: each tick after the lease claims the lost steps again.
    clock = T0
    lease = timedelta(seconds=django_settings.OUTREACH_STEP_LEASE_SECONDS + 1)
    deadline = time.monotonic() + 90
    while statuses(step_ids).get(Status.DONE, 0) < STEPS and time.monotonic() < deadline:
        clock += lease
        report = tick_now(iso(clock))
        events.append(f"tick {clock:%H:%M:%S}: claimed {report.steps}, {report.tasks} tasks")
        settle(broker, workers, events)

    counts = statuses(step_ids)
    messages = Message.objects.count()
    distinct = Message.objects.values("step_id").distinct().count()
    doubled = Message.objects.values("step_id").annotate(n=Count("id")).filter(n__gt=1).count()
    attempts = ContactAttempt.objects.count()
    tasks = Task.objects.count()
    reclaimed = PlannedStep.objects.filter(id__in=step_ids, claims__gt=1).count()
    # What the gateways received, by step: the outbox's record, and Twilio's requests.
    sent = Counter(int(line.split()[1]) for line in sends.read_text().splitlines())
    if fake is not None:
        fake.stop()
        step_of = dict(zip(phones, step_ids, strict=True))
        sent.update(step_of[request.to] for request in fake.requests)
    resent = sum(1 for n in sent.values() if n > 1)
    found = Counter(line.split()[2] for line in lookups.read_text().splitlines())
    run_seconds = time.monotonic() - started - setup_seconds
    summary = "\n".join(
        [
            f"{STEPS} steps ({gateway}): {len(message_ids)} messages, {calls} calls; "
            f"setup {setup_seconds:.1f} s, run {run_seconds:.1f} s",
            f"statuses {dict(counts)}",
            f"messages {messages} for {distinct} steps ({doubled} steps with more than one), "
            f"contact attempts {attempts}, call tasks {tasks}",
            f"{lost} steps left claimed by the faults, {reclaimed} steps claimed more than once",
            f"{sum(sent.values())} hand-overs for {len(sent)} steps: {resent} steps handed to the "
            "transport twice",
            f"looked up after the faults: {found['handed_over']} had been handed over (recorded, "
            f"not sent again), {found['absent']} had not (handed over then), {found['wait']} not "
            "yet known (asked again later)",
            *events,
        ]
    )
    print(summary)
    assert counts == {Status.DONE: STEPS}, summary + "\n" + logs(workers)
    assert messages == len(message_ids), summary
    assert distinct == messages and doubled == 0, summary
    assert set(Message.objects.values_list("step_id", flat=True)) == message_ids, summary
    assert attempts == len(message_ids), summary
    assert tasks == calls, summary
    # The faults hit work in flight, and the leases brought it back.
    assert lost > 0 and reclaimed >= lost, summary
    assert set(sent) == message_ids, summary
    # What a citizen sees: every message once, whatever was killed when.
    assert resent == 0, summary
    # The kills hit hand-overs whose result was never recorded, and the look-ups found them.
    assert found["handed_over"] > 0, summary
    assert Message.objects.exclude(status=Message.Status.SENT).count() == 0, summary
    for worker in workers:
        log = worker.log()
        assert "IntegrityError" not in log and "raised unexpected" not in log, logs(workers)


def sent_count() -> int:
    return Message.objects.filter(status=Message.Status.SENT).count()


def inside_a_hand_over(worker: Worker, busy: Path) -> int:
    """Wait until one of the worker's pool processes has handed a batch over and not yet
    recorded the result (the test transports mark that window); its pid."""
    found: list[int] = []

    def handing_over() -> bool:
        marked = {int(p.name) for p in busy.iterdir()}
        found[:] = [pid for pid in worker.pool_pids() if pid in marked]
        return bool(found)

    wait_for(handing_over, 30, f"a pool process of worker {worker.name} in a hand-over")
    return found[0]


def supervise(workers: Sequence[Worker], events: list[str]) -> None:
    """Start a worker again that ended by itself, as systemd or the platform does.

    A Celery worker can end when Redis goes away under it: kombu's Redis transport may raise
    an AttributeError while it closes the lost channel ("Unrecoverable error"). Production
    runs workers under a supervisor; so does this test, and it records each restart.
    """
    for worker in workers:
        if worker.exited:
            critical = [line for line in worker.log().splitlines() if "CRITICAL" in line]
            reason = critical[-1].split("] ", 1)[-1][:120] if critical else "no reason logged"
            events.append(f"worker {worker.name} ended by itself ({reason}); started again")
            worker.kill()  # what is left of its pool
            worker.start()


def settle(
    broker: RedisServer,
    workers: Sequence[Worker],
    events: list[str],
    quiet: float = 1.5,
    timeout: float = 60,
) -> None:
    """Wait until the workers are idle: nothing queued, no batch open, no new message."""
    deadline = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        supervise(workers, events)
        count = sent_count()
        busy = broker.queued("engine") > 0 or bool(open_batches())
        if count != last or busy:
            last, since = count, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.1)


# --- 2. transient and permanent transport errors through the worker ---------------------------

DIGITS = 10
PER_DIGIT = 4


@needs_redis
def test_transport_errors_are_retried_or_fail_over_without_blocking_others(
    municipality, start_worker, broker
):
    """Numbers ending in 1 fail twice, then go; in 7 always fail; in 9 fail permanently."""
    phones = [f"+316200000{i:02d}" for i in range(DIGITS * PER_DIGIT)]
    case_ids = make_cases(municipality, phones)
    plan_steps(dict.fromkeys(case_ids, "sms1"), T0)
    by_digit = {
        d: [c for c, p in zip(case_ids, phones, strict=True) if p.endswith(d)] for d in "179"
    }
    others = [c for c, p in zip(case_ids, phones, strict=True) if p[-1] not in "179"]
    workers = [
        start_worker(
            "flaky",
            OUTREACH_TRANSPORT="tests.cadence.workers.FlakyTransport",
            OUTREACH_MAX_RETRIES="3",
            OUTREACH_STEP_BATCH="8",
        )
    ]

    def run(clock: datetime) -> None:
        tick_now(iso(clock))
        wait_for(
            lambda: not PlannedStep.objects.filter(status=Status.CLAIMED).exists(),
            30,
            f"the worker to finish the tick of {clock:%H:%M}\n{logs(workers)}",
        )

    def sms(case_ids: Sequence[int]) -> list[tuple[str, int, datetime]]:
        return sorted(
            PlannedStep.objects.filter(case_id__in=case_ids, key="sms1").values_list(
                "status", "retries", "due_at"
            )
        )

    def sent(case_ids: Sequence[int], channel: str) -> int:
        return Message.objects.filter(case_id__in=case_ids, channel=channel).count()

    minute = timedelta(minutes=1)
    run(T0)
    # The others went out in the same batches as the failures, at once.
    assert sent(others, "sms") == len(others), logs(workers)
    postponed = [(Status.PLANNED, 1, T0 + minute)] * PER_DIGIT
    assert sms(by_digit["1"]) == sms(by_digit["7"]) == postponed
    assert {s[0] for s in sms(by_digit["9"])} == {Status.FAILED}
    fallback = PlannedStep.objects.filter(case_id__in=by_digit["9"], key="letter2")
    assert list(fallback.values_list("status", "due_at")) == [(Status.PLANNED, T0)] * PER_DIGIT

    run(T0)  # the failure path: letter2 at once, while the transient ones wait for their backoff
    assert sent(by_digit["9"], "letter") == PER_DIGIT
    assert sms(by_digit["1"]) == postponed

    run(T0 + minute)  # backoff 1, 2, 4 minutes
    again = [(Status.PLANNED, 2, T0 + 3 * minute)] * PER_DIGIT
    assert sms(by_digit["1"]) == sms(by_digit["7"]) == again
    run(T0 + 3 * minute)
    assert sms(by_digit["1"]) == [(Status.DONE, 2, T0 + 3 * minute)] * PER_DIGIT
    assert sms(by_digit["7"]) == [(Status.PLANNED, 3, T0 + 7 * minute)] * PER_DIGIT
    run(T0 + 7 * minute)  # the retries are used up: the failure path
    assert {s[0] for s in sms(by_digit["7"])} == {Status.FAILED}
    run(T0 + 7 * minute)
    assert sent(by_digit["7"], "letter") == PER_DIGIT

    # Every attempt the transport saw, as the worker counted them in Redis.
    calls = {p: int(broker.client().get(CALLS + p) or 0) for p in phones}
    expected = {p: {"1": 3, "7": 4, "9": 1}.get(p[-1], 1) for p in phones}
    assert calls == expected
    assert statuses() == {
        Status.DONE: len(others) + PER_DIGIT * 3,  # the sms, and letter2 for 7 and 9
        Status.FAILED: PER_DIGIT * 2,
    }
    assert Message.objects.count() == ContactAttempt.objects.count() == len(phones)
    assert not PlannedStep.objects.filter(status__in=PlannedStep.OPEN).exists()


# --- 3. concurrent ticks ---------------------------------------------------------------------


def test_concurrent_ticks_claim_disjoint_sets(municipality, settings):
    """Two beats tick at the same moment, each in its own thread and database connection."""
    n = 4000
    case_ids = make_cases(municipality, [f"+3163{i:07d}" for i in range(n)])
    step_ids = plan_steps(dict.fromkeys(case_ids, "letter1"), T0)
    settings.OUTREACH_TICK_LIMIT = 100  # forty ticks each: the two beats overlap
    settings.OUTREACH_STEP_BATCH = 50
    barrier = threading.Barrier(2)
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    errors: list[BaseException] = []

    def beat(name: str) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(10)
            while True:
                report = tick(T0, lambda ids: None, claimed[name].extend)
                if report.steps == 0:
                    break
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat, args=(name,)) for name in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    a, b = set(claimed["a"]), set(claimed["b"])
    summary = f"beat a claimed {len(a)}, beat b {len(b)} of {n}"
    assert len(a) == len(claimed["a"]) and len(b) == len(claimed["b"]), summary
    assert not a & b, summary
    assert a | b == set(step_ids), summary
    assert a and b, summary
    assert set(PlannedStep.objects.values_list("claims", flat=True)) == {1}, summary


# --- 4. every case ends: the life cycle through real workers ----------------------------------


@needs_redis
def test_every_case_ends_within_sixty_days_through_real_workers(
    municipality, start_worker, tmp_path
):
    """The issue's walk-through: a partner file of 13 households, a daily tick whose work the
    Celery workers do, housekeeping every day, and nobody acting on the calls and visits."""
    rows = [
        signal_row(id=f"H-{i}", postcode=f"35{10 + i}AB", huisnummer=str(i + 1),
                   telefoonnummer=f"061234{i:04d}" if i % 2 else "")
        for i in range(13)
    ]  # fmt: skip
    report = import_rows(read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=T0)
    assert report.accepted == 13, report.rejections
    worker = start_worker(
        "life",
        OUTREACH_OUTBOX_FILE=str(tmp_path / "outbox.jsonl"),
        OUTREACH_PRINT_DIR=str(tmp_path / "print"),
    )

    def idle() -> bool:
        return not (
            PlannedStep.objects.filter(status=Status.CLAIMED).exists()
            or Case.objects.filter(state=Case.State.NEW).exists()
        )

    day = T0
    for _ in range(61):
        tick_now(iso(day))
        wait_for(idle, 60, f"the workers to finish {day:%d %b}\n{worker.log_tail()}")
        run_housekeeping(iso(day))
        day += timedelta(days=1)

    cases = Case.objects.filter(municipality=municipality)
    assert cases.count() == 13
    assert Counter(cases.values_list("state", flat=True)) == {Case.State.CLOSED: 13}
    assert set(cases.values_list("result", flat=True)) <= {
        EndResult.NO_CONTACT,
        EndResult.NO_RESPONSE_AFTER_CONTACT,
    }
    assert max(cases.values_list("closed_at", flat=True)) <= T0 + timedelta(days=60)
    tasks = Task.objects.filter(case__municipality=municipality)
    assert tasks.exists() and not tasks.filter(status=Task.Status.OPEN).exists()
    assert not ContactAttempt.objects.filter(kind__in=["Telefoon", "Huisbezoek"]).exists()
    assert Message.objects.filter(case__municipality=municipality).exists()  # the workers sent
    assert PartnerFeedback.objects.count() == 13  # and the partner heard back about each
