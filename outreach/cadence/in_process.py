"""Running the engine's tasks here and now, whatever the broker: for the histories and
simulations that play days of service on a moving clock in one process (the demo's past,
`outreach simulate`)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from outreach.celery import app

# One line per task would fill the log with a hundred days of ticks.
QUIET_LOGGERS = (
    "celery.app.trace",
    "outreach.cadence.tasks",
    "outreach.casework.tasks",
    "outreach.messaging.inbound.handling",
    "outreach.reporting.tasks",
)


@contextmanager
def in_process() -> Iterator[None]:
    """Run the engine's tasks in this process (Celery eager), also where a broker is
    configured, without a log line per task; the settings are restored afterwards."""
    before = app.conf.task_always_eager
    quiet = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in quiet]
    app.conf.task_always_eager = True
    for logger in quiet:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        app.conf.task_always_eager = before
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
