"""A supervisor's simulation run for real: the simulator's own process and throw-away
database, small (300 signals, 30 days, two campaigns). In this process as the task runs it
(eagerly), and on PostgreSQL with Redis through a real Celery worker of the slow queue."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from outreach.simulation import runs
from outreach.simulation.models import SimulationRun
from outreach.simulation.tasks import run_simulation
from outreach.simulation.views import figure_text
from tests.cadence.test_reliability import worker_database_url
from tests.cadence.workers import RedisServer, Worker, publishing_to, wait_for, worker_env
from tests.simulation.dashboard_support import a_run, supervisor

Status = SimulationRun.Status
CHOICE = runs.Choice(["letters-only", "intensive"], 300, 30, 3, {"phone": 10})


class Recorded(runs.Progress):
    """The progress callback, remembering every day it was told and when."""

    told: list[tuple[int, int, float]] = []

    def __call__(self, day: int, days: int) -> None:
        Recorded.told.append((day, days, time.monotonic()))
        super().__call__(day, days)


def assert_finished(run: SimulationRun) -> None:
    assert run.status == Status.DONE, run.failure
    assert (run.progress_done, run.progress_total) == (30, 30)
    assert run.started_at is not None and run.finished_at is not None
    assert set(run.result["campaigns"]) == {"letters-only", "intensive"}
    assert run.result["signals"] == 300 and run.result["capacity"] == {"phone": 10}
    for figures in run.result["campaigns"].values():
        assert figures["signals"] == 300
        assert 0 <= figures["reach"] <= 1
        assert len(figures["reach_by_day"]) == 30


def assert_page_shows_the_figures(client, run: SimulationRun) -> None:
    page = client.get(reverse("simulation:run", args=[run.pk])).content.decode()
    for figures in run.result["campaigns"].values():
        assert figure_text("reach", figures) in page
        assert figure_text("attempts_per_signal", figures) in page
    assert "<svg" in page and 'data-campaign="intensive"' in page


@pytest.mark.django_db
def test_the_task_runs_the_simulation_with_its_progress_and_the_page_shows_the_figures(
    supervisor, municipality, monkeypatch
):
    Recorded.told = []
    monkeypatch.setattr(runs, "Progress", Recorded)
    run = a_run(municipality, campaigns=list(CHOICE.campaigns), seed=3, capacity={"phone": 10})
    assert run_simulation(run.pk) == Status.DONE
    run.refresh_from_db()
    assert_finished(run)
    assert [day for day, _, _ in Recorded.told] == list(range(1, 31))
    assert_page_shows_the_figures(supervisor, run)
    listed = supervisor.get(reverse("simulation:runs")).content.decode()
    assert f"Simulatie {run.pk}<" in listed and "Klaar" in listed


needs_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis and a Celery worker (set REDIS_URL)"
)


class SlowQueueWorker(Worker):
    """A worker of the slow queue only, as the Procfile's worker-slow."""

    def command(self) -> list[str]:
        return [*super().command(), "--queues", "slow"]


@pytest.mark.postgres
@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_of_the_slow_queue_runs_it_while_the_page_follows(
    supervisor, municipality, tmp_path: Path
):
    redis = RedisServer(tmp_path)
    redis.start()
    env = worker_env(
        worker_database_url(),
        redis.url,
        Path(settings.CAMPAIGNS_DIR),
        OUTREACH_DATA_DIR=str(tmp_path / "data"),
    )
    worker = SlowQueueWorker("slow", env, tmp_path, concurrency=1)
    try:
        worker.start()
        with publishing_to(redis.url):
            run = runs.start(municipality, None, CHOICE, timezone.now())
        seen: set[int] = set()
        progress = reverse("simulation:progress", args=[run.pk])

        def finished() -> bool:
            data = supervisor.get(progress).json()
            seen.add(data["done"])
            return data["status"] in ("done", "failed")

        wait_for(finished, 300, "the simulation to finish", every=0.5)
        run.refresh_from_db()
        assert_finished(run)
        assert len(seen - {0, 30}) >= 1, seen  # the page saw it part of the way
        assert_page_shows_the_figures(supervisor, run)
        assert f"Task {run_simulation.name}[" in worker.log()
        assert " raised unexpected" not in worker.log()
    finally:
        worker.kill()
        redis.kill()
