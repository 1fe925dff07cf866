"""Scale: 10,000 due steps through two `celery beat` processes and two workers, each step
handed to the transport exactly once.

The processes are real and run as the Procfile and the routes put them: a worker on the `tick`
queue claims due steps (at most OUTREACH_TICK_LIMIT a tick, so the ticks of both beats share
the work) and hands them to a worker on the `engine` queue, which sends them. Two beats send the
tick every half second (OUTREACH_TICK_SECONDS), each with its own schedule file: one stands in
for a second machine that runs a beat too. The tick is sent for a fixed moment
(tests/cadence/scale_settings.py), so the test does not depend on the time of day. What the
transport received is counted from its own record: every hand-over appends its step ids to a
file (O_APPEND), as a provider would have received them.
"""

import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db.models import Count

from outreach.cadence.models import PlannedStep
from outreach.messaging.models import Message
from tests.cadence.test_reliability import T0, make_cases, plan_steps, worker_database_url
from tests.cadence.workers import (
    BeatProcess,
    ProcfileWorker,
    RedisServer,
    wait_for,
    worker_env,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("campaign_dir"),
]

STEPS = 10_000
TICK_SECONDS = "0.5"
TICK_LIMIT = "500"  # steps a tick claims at most: twenty ticks, from both beats
DONE = PlannedStep.Status.DONE


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


def claimed_per_tick(worker: ProcfileWorker) -> list[int]:
    """The steps each tick claimed, from the tick worker's log ("tick: {... 'steps': 500 ...}")."""
    return [int(n) for n in re.findall(r"tick: \{[^}]*'steps': (\d+)", worker.log())]


def test_two_beats_and_two_workers_hand_over_ten_thousand_due_steps_each_exactly_once(
    municipality, campaign_dir, private_redis, tmp_path
):
    started = time.monotonic()
    case_ids = make_cases(municipality, [f"+3161{i:07d}" for i in range(STEPS)])
    keys = {c: "sms1" if i % 2 else "letter1" for i, c in enumerate(case_ids)}
    step_ids = set(plan_steps(keys, T0))
    setup_seconds = time.monotonic() - started
    sends = tmp_path / "sends.txt"
    env = worker_env(
        worker_database_url(),
        private_redis.url,
        campaign_dir,
        OUTREACH_DATA_DIR=str(tmp_path / "data"),
        OUTREACH_TRANSPORT="tests.cadence.workers.SlowOutbox",
        RELTEST_SENDS_FILE=str(sends),
        OUTREACH_TICK_SECONDS=TICK_SECONDS,
        OUTREACH_TICK_LIMIT=TICK_LIMIT,
    )
    beat_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "tests.cadence.scale_settings",
        "SCALETEST_NOW": T0.isoformat(),
    }
    tick_worker = ProcfileWorker("worker-tick", env, tmp_path)
    engine_worker = ProcfileWorker("worker-engine", env, tmp_path)
    beats = [BeatProcess(name, beat_env, tmp_path) for name in ("here", "second-machine")]
    try:
        for worker in (tick_worker, engine_worker):
            worker.start(wait=False)
        for worker in (tick_worker, engine_worker):
            worker.wait_ready()
        run_started = time.monotonic()
        for beat in beats:
            beat.start(wait=False)
        for beat in beats:
            beat.wait_started()
        wait_for(
            lambda: PlannedStep.objects.filter(status=DONE).count() == STEPS,
            90,
            f"{STEPS} steps done",
            every=0.5,
        )
        run_seconds = time.monotonic() - run_started
        # The beats tick on with nothing left to claim: still nothing is handed over twice.
        ticks_at_end = [beat.sent("cadence-tick") for beat in beats]
        wait_for(
            lambda: all(
                b.sent("cadence-tick") >= n + 3 for b, n in zip(beats, ticks_at_end, strict=True)
            ),
            30,
            "three more ticks from each beat",
            every=0.2,
        )
        time.sleep(1)  # the last ticks' work, if any, is done
    finally:
        for beat in beats:
            beat.kill()
        for worker in (tick_worker, engine_worker):
            worker.kill()

    sent = Counter(int(line.split()[1]) for line in sends.read_text().splitlines())
    twice = sum(1 for n in sent.values() if n > 1)
    statuses = Counter(PlannedStep.objects.values_list("status", flat=True))
    doubled = Message.objects.values("step_id").annotate(n=Count("id")).filter(n__gt=1).count()
    claims = claimed_per_tick(tick_worker)
    summary = (
        f"{STEPS} steps: setup {setup_seconds:.1f} s, run {run_seconds:.1f} s "
        f"({STEPS / run_seconds:.0f} steps/s); handed over {sum(sent.values())} times for "
        f"{len(sent)} steps, {twice} more than once; statuses {dict(statuses)}; "
        f"{len(claims)} ticks claimed {sum(claims)} steps ({sum(1 for n in claims if n)} with "
        f"work); ticks sent by the beats: {[b.sent('cadence-tick') for b in beats]}"
    )
    print(summary)
    assert set(sent) == step_ids and twice == 0, summary
    assert statuses == {DONE: STEPS}, summary
    assert Message.objects.count() == STEPS and doubled == 0, summary
    # Each step was claimed by one tick only; the tick and the sends ran on their own workers.
    assert sum(claims) == STEPS, summary
    assert all(beat.sent("cadence-tick") > 3 for beat in beats), summary
    assert tick_worker.succeeded("outreach.cadence.tasks.tick") >= len(claims) > 0
    assert tick_worker.succeeded("outreach.cadence.tasks.execute_steps") == 0
    assert engine_worker.succeeded("outreach.cadence.tasks.execute_steps") >= STEPS // 200
    assert engine_worker.succeeded("outreach.cadence.tasks.tick") == 0
    for worker in (tick_worker, engine_worker):
        assert "raised unexpected" not in worker.log() and "IntegrityError" not in worker.log()
