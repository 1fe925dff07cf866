"""Settings of the scale test's `celery beat` processes: the service's own, with the tick sent
for the test's fixed moment (SCALETEST_NOW), so that what is due does not depend on the wall
clock (no letter goes out at night)."""

import os

from outreach.settings import *  # noqa: F403
from outreach.settings import CELERY_BEAT_SCHEDULE as SERVICE_SCHEDULE

CELERY_BEAT_SCHEDULE = {
    name: {**entry, "kwargs": {"now_iso": os.environ["SCALETEST_NOW"]}}
    if entry["task"] == "outreach.cadence.tasks.tick"
    else entry
    for name, entry in SERVICE_SCHEDULE.items()
}
