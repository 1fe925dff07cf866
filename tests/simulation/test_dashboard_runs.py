"""A simulation's life (outreach.simulation.runs): started once per municipality, handed to
the slow queue or to a thread, its progress written at most once a second, its end or its
failure recorded in plain words, and an interrupted one marked as such."""

import logging
import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from outreach.celery import app
from outreach.simulation import runs
from outreach.simulation.models import SimulationRun
from outreach.simulation.policy import PolicyError
from outreach.simulation.tasks import run_simulation
from outreach.simulation.throwaway import SimulationFailed
from tests.simulation.dashboard_support import NOW, a_run

pytestmark = pytest.mark.django_db
Status = SimulationRun.Status
CHOICE = runs.Choice(["letters-only", "intensive"], 300, 30, 5, {"phone": 20})


@pytest.fixture
def dispatched(monkeypatch) -> list[int]:
    handed: list[int] = []
    monkeypatch.setattr(runs, "dispatch", handed.append)
    return handed


def test_starting_records_the_options_and_hands_the_run_over_once_committed(
    municipality, dispatched, django_capture_on_commit_callbacks
):
    user = User.objects.create_user("teamleider")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = runs.start(municipality, user, CHOICE, NOW)
        assert dispatched == []  # not before the row is committed
    assert len(callbacks) == 1 and dispatched == [run.pk]
    run.refresh_from_db()
    assert (run.status, run.campaigns, run.signals, run.days, run.seed, run.capacity) == (
        Status.QUEUED, ["letters-only", "intensive"], 300, 30, 5, {"phone": 20},
    )  # fmt: skip
    assert (run.requested_by, run.requested_by_name, run.created_at) == (user, "teamleider", NOW)
    assert (run.progress_done, run.progress_total) == (0, 30)
    assert run.command_line() == (
        "outreach simulate --municipality 0344 --campaigns letters-only,intensive --signals 300 "
        "--days 30 --capacity calls=20 --seed 5"
    )


def test_a_second_run_is_refused_while_one_is_queued_or_running(municipality, dispatched):
    first = runs.start(municipality, None, CHOICE, NOW)
    with pytest.raises(runs.AlreadyActive) as refused:
        runs.start(municipality, None, CHOICE, NOW + timedelta(minutes=1))
    assert refused.value.run == first
    SimulationRun.objects.filter(pk=first.pk).update(status=Status.RUNNING)
    with pytest.raises(runs.AlreadyActive):
        runs.start(municipality, None, CHOICE, NOW + timedelta(minutes=1))
    assert SimulationRun.objects.count() == 1


def test_after_a_run_ends_a_new_one_may_start(municipality, dispatched):
    first = runs.start(municipality, None, CHOICE, NOW)
    SimulationRun.objects.filter(pk=first.pk).update(status=Status.DONE)
    second = runs.start(municipality, None, CHOICE, NOW)
    assert second.pk != first.pk


def test_another_municipality_runs_beside_it(municipality, dispatched):
    from tests.conftest import municipality_with_contact

    runs.start(municipality, None, CHOICE, NOW)
    runs.start(municipality_with_contact("0307", "Amersfoort"), None, CHOICE, NOW)
    assert SimulationRun.objects.filter(status=Status.QUEUED).count() == 2


def test_a_run_without_a_sign_of_life_is_interrupted_and_no_longer_blocks(
    municipality, dispatched, settings
):
    settings.OUTREACH_SIMULATE_STALE_MINUTES = 30
    stuck = a_run(municipality, status=Status.RUNNING, heartbeat_at=NOW)
    assert runs.interrupt_stale(NOW + timedelta(minutes=29)) == 0
    fresh = runs.start(municipality, None, CHOICE, NOW + timedelta(minutes=31))
    stuck.refresh_from_db()
    assert (stuck.status, stuck.failure) == (Status.FAILED, runs.INTERRUPTED)
    assert fresh.status == Status.QUEUED


def test_the_status_table_refuses_what_it_does_not_name():
    runs.check_transition(Status.QUEUED, Status.RUNNING)
    for old, new in [(Status.DONE, Status.RUNNING), (Status.FAILED, Status.QUEUED),
                     (Status.QUEUED, Status.DONE)]:  # fmt: skip
        with pytest.raises(runs.TransitionError):
            runs.check_transition(old, new)


# --- handing over --------------------------------------------------------------------------


def test_with_a_broker_the_run_goes_to_the_task_on_the_slow_queue(monkeypatch, settings):
    sent: list[tuple] = []
    app.conf.task_always_eager = False  # the celery_in_process fixture puts it back
    monkeypatch.setattr(run_simulation, "delay", lambda *args: sent.append(args))
    runs.dispatch(41)
    assert sent == [(41,)]
    assert settings.CELERY_TASK_ROUTES[run_simulation.name] == {"queue": "slow"}


def test_without_a_broker_the_run_goes_to_a_thread_and_the_caller_does_not_wait(monkeypatch):
    """The embedded default runs tasks in the caller: the request would wait for the whole
    simulation. A thread of the process runs it instead."""
    assert app.conf.task_always_eager
    release, ran = threading.Event(), []

    def slow_execute(run_id: int) -> str:
        release.wait(10)
        ran.append((run_id, threading.current_thread().name))
        return "done"

    monkeypatch.setattr(runs, "execute", slow_execute)
    monkeypatch.setattr(runs.connections, "close_all", lambda: None)
    runs.dispatch(42)  # returns while the run is still going
    assert ran == []
    release.set()
    thread = next(t for t in threading.enumerate() if t.name == "outreach-simulation-42")
    thread.join(10)
    assert ran == [(42, "outreach-simulation-42")]


# --- running -------------------------------------------------------------------------------


def test_progress_is_written_at_most_once_a_second_and_always_the_last_day(municipality):
    run = a_run(municipality, status=Status.RUNNING)
    seconds = iter([0.0, 0.3, 0.9, 1.2, 1.5, 2.4, 2.5])
    progress = runs.Progress(
        run.pk, clock=lambda: NOW + timedelta(minutes=5), timer=lambda: next(seconds)
    )
    seen = []
    for day in range(1, 8):
        progress(day, 7)
        run.refresh_from_db()
        seen.append(run.progress_done)
    assert seen == [1, 1, 1, 4, 4, 6, 7]
    assert progress.writes == 4
    assert run.heartbeat_at == NOW + timedelta(minutes=5)


def test_a_failed_simulation_is_told_plainly_and_logged_without_its_text(
    municipality, monkeypatch, caplog
):
    run = a_run(municipality)
    secret = "Jan Jansen, +31612345678, Dorpsstraat 1"

    def fails(*args, **kwargs):
        raise SimulationFailed(f"the simulation stopped (exit 1):\nTraceback ... {secret}")

    monkeypatch.setattr(runs, "simulate_in_child", fails)
    with caplog.at_level(logging.ERROR, logger="outreach.simulation.runs"):
        assert run_simulation(run.pk) == Status.FAILED
    run.refresh_from_db()
    assert (run.status, run.failure, run.result) == (Status.FAILED, runs.RUN_FAILED, None)
    assert run.finished_at is not None
    assert "SimulationFailed" in caplog.text
    assert secret not in caplog.text and "Traceback" not in caplog.text


def test_a_campaign_that_cannot_be_placed_is_told_as_such(municipality, monkeypatch):
    run = a_run(municipality)

    def refuses(*args, **kwargs):
        raise PolicyError("unknown campaign 'intensive' for municipality 0344")

    monkeypatch.setattr(runs, "simulate_in_child", refuses)
    run_simulation(run.pk)
    run.refresh_from_db()
    assert (run.status, run.failure) == (Status.FAILED, runs.POLICY_FAILED)


def test_an_interrupt_is_recorded_and_passed_on(municipality, monkeypatch):
    run = a_run(municipality)

    def terminated(*args, **kwargs):
        raise SystemExit(143)

    monkeypatch.setattr(runs, "simulate_in_child", terminated)
    with pytest.raises(SystemExit):
        runs.execute(run.pk)
    run.refresh_from_db()
    assert (run.status, run.failure) == (Status.FAILED, runs.INTERRUPTED)


def test_a_run_that_is_not_queued_is_left_alone(municipality, monkeypatch):
    """A second delivery of the task (a redelivery after the visibility timeout) finds the
    run taken and does not run it again."""
    monkeypatch.setattr(runs, "simulate_in_child", lambda *a, **k: pytest.fail("ran twice"))
    for status in (Status.RUNNING, Status.DONE, Status.FAILED):
        run = a_run(municipality, status=status)
        assert runs.execute(run.pk) == status
        SimulationRun.objects.filter(pk=run.pk).update(status=Status.DONE)
    assert runs.execute(10**9) == "missing"


def test_the_run_is_simulated_as_the_command_does_for_her_municipality(municipality, monkeypatch):
    """simulate_in_child gets the command's --municipality CODE: her code, her settings, her
    campaigns folder and the service's database settings."""
    municipality.capacity = {"phone": 33, "visit": 4}
    municipality.save()
    run = a_run(municipality, capacity={"visit": 9})
    asked = {}

    def simulate(spec, source, code, database, progress):
        asked.update(spec=spec, source=source, code=code, database=database)
        progress(30, 30)
        return {"campaigns": {}, "signals": 300}

    monkeypatch.setattr(runs, "simulate_in_child", simulate)
    assert runs.execute(run.pk) == Status.DONE
    spec = asked["spec"]
    assert [s.campaign for s in spec.campaigns] == ["letters-only", "intensive"]
    assert (spec.signals, spec.days, spec.seed, spec.capacity) == (300, 30, 1, {"visit": 9})
    assert spec.policy["capacity"] == {"phone": 33, "visit": 4}
    assert asked["code"] == "0344"
    from django.conf import settings

    assert asked["source"] == settings.CAMPAIGNS_DIR
    assert asked["database"] is settings.DATABASES["default"]
    run.refresh_from_db()
    assert (run.status, run.progress_done, run.result) == (
        Status.DONE, 30, {"campaigns": {}, "signals": 300},
    )  # fmt: skip
