"""The embedded mode's scheduler: the beat schedule in a thread of the web process.

Without a broker (no REDIS_URL) `outreach serve` starts this thread. It runs the entries of
settings.CELERY_BEAT_SCHEDULE when they are due (outreach.cadence.periodic.Beat), one after
the other; tasks run in-process, so the tick performs the due steps itself: the same engine as
with Celery workers, in one process.
"""

import logging
import threading
from datetime import datetime

from django.db import close_old_connections

from outreach.cadence.periodic import Beat, Entry, Run, describe, run_entry

log = logging.getLogger(__name__)


def run_tidily(name: str, entry: Entry, now: datetime) -> Run:
    """One entry; then the database connection is closed if it broke or is old, so that a
    failure leaves nothing behind for the next entry."""
    try:
        return run_entry(name, entry, now)
    finally:
        close_old_connections()


def run_forever(stop: threading.Event, beat: Beat | None = None) -> None:
    beat = beat or Beat(run=run_tidily)
    while not stop.is_set():
        try:
            beat.run_due()  # each task logs its report, or its failure
        except Exception as exc:  # the scheduler itself; each task's failure is caught in it
            log.error("embedded scheduler: %s", describe(exc))
        stop.wait(beat.seconds_to_next())


def start() -> threading.Event:
    """Start the scheduler thread; set the returned event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop,), name="outreach-scheduler", daemon=True
    )
    thread.start()
    return stop
