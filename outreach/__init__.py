"""outreach: contact sequences for early debt signals (vroegsignalering)."""

from outreach.celery import app as celery_app

__all__ = ["celery_app"]
