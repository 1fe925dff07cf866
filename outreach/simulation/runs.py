"""Simulations a supervisor starts from the dashboard: the owner of SimulationRun.status.

    queued ──► running ──► done
       │          └──────► failed
       └─────────────────► failed   (never started: interrupted while waiting)

`start` records what she asked for (one active run per municipality, by a partial unique
index, so two presses at once make one run); `dispatch` hands it to the slow queue, or on the
embedded default (no broker: tasks run in the caller) to a thread of the web process, so the
page never waits for it; `execute` (the task's body) runs it with the command's own machinery,
`simulate_in_child` for her municipality's own campaigns and settings, and writes its progress
at most once a second. A run that shows no sign of life for OUTREACH_SIMULATE_STALE_MINUTES
(its process stopped: a restart, a killed worker) is marked failed by `interrupt_stale`.

Failures are told in a plain sentence; the log gets the exception's type and place only
(outreach.core.logsafe): the simulation's own error output is not kept.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from outreach.core.logsafe import exception_summary
from outreach.core.models import Municipality
from outreach.simulation.models import SimulationRun
from outreach.simulation.play import policy_of
from outreach.simulation.policy import PolicyError, Simulated
from outreach.simulation.runner import Spec
from outreach.simulation.throwaway import simulate_in_child

log = logging.getLogger(__name__)
Status = SimulationRun.Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.QUEUED: (Status.RUNNING, Status.FAILED),
    Status.RUNNING: (Status.DONE, Status.FAILED),
    Status.DONE: (),
    Status.FAILED: (),
}
PROGRESS_SECONDS = 1.0  # at most one progress write a second

# What the supervisor reads when a run fails: plain, without the cause's text.
POLICY_FAILED = (
    "De campagnes of het afwegingskader van de gemeente konden niet voor de simulatie worden "
    "klaargezet. Misschien is een campagne intussen veranderd of verwijderd. Kies de "
    "campagnes opnieuw; lukt het dan nog niet, vraag de beheerder om de campagnebestanden te "
    "controleren."
)
RUN_FAILED = (
    "De simulatie is onverwacht gestopt. Probeer het opnieuw, eventueel met minder signalen of "
    "dagen. Lukt het dan nog niet, meld het aan de beheerder met het nummer van deze simulatie."
)
INTERRUPTED = (
    "De simulatie is onderbroken: het proces dat haar uitvoerde is gestopt (bijvoorbeeld bij "
    "een herstart). Start haar opnieuw."
)


class TransitionError(RuntimeError):
    """A status change the table does not allow."""


class AlreadyActive(Exception):
    """The municipality has a simulation queued or running."""

    def __init__(self, run: SimulationRun | None) -> None:
        super().__init__("a simulation is already queued or running")
        self.run = run


@dataclass(frozen=True)
class Choice:
    """What the supervisor asked for (checked by outreach.simulation.forms)."""

    campaigns: Sequence[str]
    signals: int
    days: int
    seed: int
    capacity: dict[str, int]  # "phone"/"visit" -> a day; empty: the municipality's own


def check_transition(old: str, new: str) -> None:
    if new not in TRANSITIONS[old]:
        raise TransitionError(f"a simulation cannot go from {old} to {new}")


def _move(run_id: int, old: str, new: str, **fields: Any) -> bool:
    """Compare-and-set: the run goes from `old` to `new` (with `fields`) if it is still `old`."""
    check_transition(old, new)
    return bool(SimulationRun.objects.filter(pk=run_id, status=old).update(status=new, **fields))


def active_run(municipality: Municipality) -> SimulationRun | None:
    return SimulationRun.objects.filter(
        municipality=municipality, status__in=SimulationRun.ACTIVE
    ).first()


def interrupt_stale(now: datetime, municipality: Municipality | None = None) -> int:
    """Mark failed the active runs without a sign of life for the stale period; how many."""
    limit = now - timedelta(minutes=settings.OUTREACH_SIMULATE_STALE_MINUTES)
    stale = SimulationRun.objects.filter(status__in=SimulationRun.ACTIVE, heartbeat_at__lt=limit)
    if municipality is not None:
        stale = stale.filter(municipality=municipality)
    moved = 0
    for run_id, status in stale.values_list("pk", "status"):
        moved += _move(run_id, status, Status.FAILED, finished_at=now, failure=INTERRUPTED)
    return moved


def start(municipality: Municipality, user: Any, choice: Choice, now: datetime) -> SimulationRun:
    """Record a queued run and hand it over once the row is committed. AlreadyActive when the
    municipality has one queued or running."""
    interrupt_stale(now, municipality)
    try:
        with transaction.atomic():
            run = SimulationRun.objects.create(
                municipality=municipality,
                requested_by=user if user is not None and user.is_authenticated else None,
                requested_by_name=user.get_username() if user is not None else "",
                created_at=now,
                heartbeat_at=now,
                campaigns=list(choice.campaigns),
                signals=choice.signals,
                days=choice.days,
                seed=choice.seed,
                capacity=dict(choice.capacity),
                progress_total=choice.days,
            )
    except IntegrityError:
        raise AlreadyActive(active_run(municipality)) from None
    transaction.on_commit(lambda: dispatch(run.pk))
    return run


def dispatch(run_id: int) -> None:
    """With a broker: the task on the slow queue. Without (the embedded default, where a task
    runs in the caller): a thread of this process, so that the request does not wait."""
    from outreach.celery import app
    from outreach.simulation.tasks import run_simulation

    if app.conf.task_always_eager:
        threading.Thread(
            target=_in_thread, args=(run_id,), name=f"outreach-simulation-{run_id}", daemon=True
        ).start()
    else:
        run_simulation.delay(run_id)


def _in_thread(run_id: int) -> None:
    try:
        execute(run_id)
    except Exception as exc:  # execute records its own failures; this is the thread's last word
        log.error("simulation %s: %s", run_id, exception_summary(exc))
    finally:
        connections.close_all()  # this thread's own connections


def spec_of(run: SimulationRun) -> Spec:
    """The run's Spec as `outreach simulate --municipality CODE` builds it: her own settings,
    the default costs and response model, the campaigns not yet placed."""
    return Spec(
        campaigns=[Simulated(name, "") for name in run.campaigns],
        signals=run.signals,
        days=run.days,
        seed=run.seed,
        capacity=dict(run.capacity),
        policy=policy_of(run.municipality.code) or {},
    )


class Progress:
    """The callback simulate_in_child calls after every simulated day: writes the run's
    progress at most every PROGRESS_SECONDS, and always the last day."""

    def __init__(
        self,
        run_id: int,
        clock: Callable[[], datetime] = timezone.now,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self.run_id, self.clock, self.timer = run_id, clock, timer
        self.last: float | None = None
        self.writes = 0

    def __call__(self, day: int, days: int) -> None:
        moment = self.timer()
        if day < days and self.last is not None and moment - self.last < PROGRESS_SECONDS:
            return
        self.last = moment
        self.writes += 1
        SimulationRun.objects.filter(pk=self.run_id, status=Status.RUNNING).update(
            progress_done=day, progress_total=days, heartbeat_at=self.clock()
        )


def execute(run_id: int, clock: Callable[[], datetime] = timezone.now) -> str:
    """Run a queued simulation to its end; its status then. A run that is not queued (done,
    failed, or taken by another delivery of the same task) is left alone."""
    run = SimulationRun.objects.select_related("municipality").filter(pk=run_id).first()
    if run is None:
        return "missing"
    if not _move(run_id, Status.QUEUED, Status.RUNNING, started_at=clock(), heartbeat_at=clock()):
        return str(SimulationRun.objects.get(pk=run_id).status)
    try:
        result = simulate_in_child(
            spec_of(run),
            Path(settings.CAMPAIGNS_DIR),
            run.municipality.code,
            settings.DATABASES["default"],
            Progress(run_id, clock),
        )
    except BaseException as exc:
        if isinstance(exc, PolicyError):
            message = POLICY_FAILED
        elif isinstance(exc, Exception):  # SimulationFailed, or a fault of our own
            message = RUN_FAILED
        else:  # SIGTERM (as SystemExit), Ctrl-C
            message = INTERRUPTED
        log.error("simulation %s failed: %s", run_id, exception_summary(exc))
        _move(run_id, Status.RUNNING, Status.FAILED, finished_at=clock(), failure=message)
        if not isinstance(exc, Exception):
            raise  # an interrupt or exit: recorded, and on its way
        return Status.FAILED
    _move(
        run_id,
        Status.RUNNING,
        Status.DONE,
        finished_at=clock(),
        heartbeat_at=clock(),
        result=result,
        progress_done=run.days,
    )
    return Status.DONE
