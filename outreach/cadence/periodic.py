"""The schedule (settings.CELERY_BEAT_SCHEDULE) run in this process.

With a broker, `celery beat` sends the schedule's entries to the workers. Without one (the
embedded mode of `make run`) `Beat` runs the same entries here, each when it is due: Celery's
own schedule objects decide when (`is_due`), by a clock that tests can move. A task is found by
its name in the Celery app, so the engine never imports the apps above it. A task that fails is
logged, and the others run all the same.
"""

import copy
import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from celery import Task
from celery.schedules import BaseSchedule
from celery.schedules import schedule as interval
from django.conf import settings
from django.utils import timezone

from outreach.core.clock import parse_now

log = logging.getLogger(__name__)

Entry = Mapping[str, Any]  # one entry of the schedule: task, schedule, args, kwargs
Clock = Callable[[], datetime]

_PACKAGE = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    """One run of an entry: its task's report, or the exception it raised."""

    entry: str
    task: str
    at: datetime
    result: Any = None
    error: Exception | None = None

    @property
    def failed(self) -> str:
        return describe(self.error) if self.error is not None else ""


Runner = Callable[[str, Entry, datetime], Run]


@cache
def _load_tasks() -> None:
    """Import every app's tasks module (Celery's autodiscovery, which a worker does at start)."""
    from outreach.celery import app

    app.loader.import_default_modules()


def scheduled_task(name: str) -> Task:
    """The registered task of that name; KeyError when no app defines it."""
    from outreach.celery import app

    _load_tasks()
    task: Task = app.tasks[name]
    return task


def describe(exc: BaseException) -> str:
    """The exception's type and where it was raised (in our code when it passed through it):
    enough to find the fault. Never its message, which may hold a name, a number or an
    address."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if Path(f.filename).resolve().is_relative_to(_PACKAGE)]
    kind = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if not (ours or frames):
        return kind
    where = (ours or frames)[-1]
    path = Path(where.filename).resolve()
    shown = path.relative_to(_PACKAGE.parent) if path.is_relative_to(_PACKAGE) else path.name
    return f"{kind} at {shown}:{where.lineno} in {where.name}"


def run_entry(name: str, entry: Entry, now: datetime) -> Run:
    """Run the entry's task here at `now`; a failure is logged and returned, never raised."""
    task_name = str(entry["task"])
    kwargs = {"now_iso": now.isoformat(), **entry.get("kwargs", {})}
    try:
        result = scheduled_task(task_name)(*entry.get("args", ()), **kwargs)
    except Exception as exc:  # the next entries run all the same
        run = Run(name, task_name, now, error=exc)
        log.error("scheduled task %s (%s) failed: %s", name, task_name, run.failed)
        return run
    return Run(name, task_name, now, result)


def queue_of(task_name: str) -> str:
    """The queue settings.CELERY_TASK_ROUTES sends the task to."""
    route = settings.CELERY_TASK_ROUTES.get(task_name)
    return str(route["queue"]) if route else str(settings.CELERY_TASK_DEFAULT_QUEUE)


def run_queue(queue: str, now: datetime, run: Runner = run_entry) -> list[Run]:
    """Every entry whose task goes to `queue`, once, in the schedule's order."""
    return [
        run(name, entry, now)
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        if queue_of(str(entry["task"])) == queue
    ]


def run_housekeeping(now_iso: str | None) -> dict[str, Any]:
    """The housekeeping queue's entries once, here (`outreach tick`, the demo's history, the
    tests): their reports merged. Each runs even when one before it failed; the first failure
    is raised after them."""
    runs = run_queue("housekeeping", parse_now(now_iso))
    for done in runs:
        if done.error is not None:
            raise done.error
    report: dict[str, Any] = {}
    for done in runs:
        report.update(done.result or {})
    return report


def with_clock(when: Any, clock: Clock) -> BaseSchedule:
    """A copy of an entry's schedule (a number of seconds, a timedelta or a schedule object)
    that reads the time from `clock`."""
    schedule = copy.copy(when) if isinstance(when, BaseSchedule) else interval(when)
    # celery-types calls the attribute nowfunc; Celery reads nowfun.
    schedule.nowfun = clock  # type: ignore[attr-defined]
    return schedule


class Beat:
    """The schedule run in this process, each entry when it is due by `clock`.

    An interval entry (the tick) runs at once and then every interval; a crontab entry at its
    next time. Like `celery beat` without its schedule file, a crontab time that passed while
    the process was down is not made up for.
    """

    def __init__(
        self,
        schedule: Mapping[str, Entry] | None = None,
        clock: Clock = timezone.now,
        run: Runner = run_entry,
        max_wait: float = 60.0,
    ) -> None:
        entries = settings.CELERY_BEAT_SCHEDULE if schedule is None else schedule
        self.clock = clock
        self.run = run
        self.max_wait = max_wait
        self.entries = {name: entry for name, entry in entries.items()}
        self.schedules = {name: with_clock(e["schedule"], clock) for name, e in entries.items()}
        start = clock()
        self.last_run: dict[str, datetime] = {
            name: start - timedelta(seconds=s.seconds) if isinstance(s, interval) else start
            for name, s in self.schedules.items()
        }

    def run_due(self) -> list[Run]:
        """Run every entry that is due now, in the schedule's order."""
        runs = []
        for name, schedule in self.schedules.items():
            if schedule.is_due(self.last_run[name])[0]:
                now = self.clock()
                self.last_run[name] = now
                runs.append(self.run(name, self.entries[name], now))
        return runs

    def seconds_to_next(self) -> float:
        """How long until an entry is due (0: one is due now), at most `max_wait`."""
        waits = [self.max_wait]
        for name, schedule in self.schedules.items():
            due, after = schedule.is_due(self.last_run[name])
            waits.append(0.0 if due else float(after))
        return max(min(waits), 0.0)
