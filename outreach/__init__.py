"""outreach: contact sequences for early debt signals (vroegsignalering)."""

from outreach.core.private import private_umask

# Every process of the service (web, workers, beat, the `outreach` command) imports this package
# first: what it creates from here on (SQLite and its journals, the outbox, print files) has no
# group or other permissions. outreach.core.private also sets the modes where files are made.
private_umask()

from outreach.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
