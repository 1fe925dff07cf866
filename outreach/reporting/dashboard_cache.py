"""The dashboard's tables kept for a few minutes: the page and each of its CSV downloads read
the same figures, so a download is the table the supervisor just saw (not a recount a minute
later) and costs no second count of a year of cases. The figures are counts and case numbers,
never names; they live in Django's cache (per process by default, Redis where CACHES says so).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache

from outreach.core.models import Municipality
from outreach.reporting import tables as figure_tables
from outreach.reporting.tables import Table

PREFIX = "outreach:dashboard:v1"


@dataclass(frozen=True, slots=True)
class Counted:
    tables: list[Table]
    at: datetime  # when they were counted
    cached: bool  # taken from the cache


def key(municipality: Municipality, start: date, end: date) -> str:
    return f"{PREFIX}:{municipality.pk}:{start.isoformat()}:{end.isoformat()}"


def dashboard_tables(
    municipality: Municipality, start: date, end: date, now: datetime, fresh: bool = False
) -> Counted:
    """The tables of the period as counted at most OUTREACH_DASHBOARD_CACHE_SECONDS ago (0:
    always counted anew), or counted now when `fresh`."""
    seconds = settings.OUTREACH_DASHBOARD_CACHE_SECONDS
    name = key(municipality, start, end)
    if seconds > 0 and not fresh:
        kept = cache.get(name)
        if kept is not None:
            tables, at = kept
            return Counted(tables, at, cached=True)
    tables = figure_tables.dashboard_tables(municipality, start, end, now)
    if seconds > 0:
        cache.set(name, (tables, now), seconds)
    return Counted(tables, now, cached=False)
