"""The embedded mode's scheduler: the beat's minute tick in a thread of the web process.

Without a broker (no REDIS_URL) tasks run in-process, so the tick performs the due steps
itself: the same engine as with Celery workers, in one process.
"""

import logging
import threading

from django.db import close_old_connections

from outreach.cadence.tasks import run_housekeeping, tick_now

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = 10  # ticks


def run_forever(stop: threading.Event, interval: float = 60.0) -> None:
    count = 0
    while not stop.is_set():
        try:
            report = tick_now(None)
            if count % HOUSEKEEPING_EVERY == 0:
                run_housekeeping(None)
            if report.cases or report.steps:
                log.info("tick: %s", report.as_dict())
        except Exception:  # keep ticking: the next tick re-claims what this one lost
            log.exception("tick failed")
        finally:
            close_old_connections()
        count += 1
        stop.wait(interval)


def start(interval: float = 60.0) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever, args=(stop, interval), name="outreach-scheduler", daemon=True
    )
    thread.start()
    return stop
