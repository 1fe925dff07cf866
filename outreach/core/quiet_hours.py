"""Quiet hours: the hours of the night in which no message of our own goes to a phone.

Written "HH:MM-HH:MM" in local time (Europe/Amsterdam): "21:00-08:00" crosses midnight,
"12:00-13:00" lies within a day, and an empty text means none. The service's default is
`OUTREACH_QUIET_HOURS`; a municipality may set its own (`Municipality.quiet_hours`). This module
is the one place that reads such a text and answers whether a moment falls in it and when it
ends; the transports and the cadence engine ask it.
"""

import functools
import re
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.utils import timezone

Span = tuple[clock_time, clock_time]

_FORMAT = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")
EXAMPLE = "21:00-08:00"


class BadQuietHours(ValueError):
    """A quiet-hours text that is not "HH:MM-HH:MM"; the message says why."""


@functools.lru_cache(maxsize=64)
def parse_quiet_hours(text: str) -> Span | None:
    """The start (inclusive) and end (exclusive) of the quiet hours; None for an empty text."""
    text = text.strip()
    if not text:
        return None
    match = _FORMAT.match(text.replace(" ", ""))
    if match is None:
        raise BadQuietHours(f"{text!r}: use HH:MM-HH:MM, e.g. {EXAMPLE}")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise BadQuietHours(f"{text!r} is not a time of day (00:00 to 23:59)")
    start, end = clock_time(h1, m1), clock_time(h2, m2)
    if start == end:
        raise BadQuietHours(f"{text!r} starts and ends at the same time")
    return start, end


def quiet_hours_problem(text: str) -> str:
    """Why `text` is not a quiet-hours text; empty when it is one."""
    try:
        parse_quiet_hours(text)
    except BadQuietHours as exc:
        return str(exc)
    return ""


def _contains(span: Span, local: clock_time) -> bool:
    start, end = span
    if start < end:
        return start <= local < end
    return local >= start or local < end


def in_quiet_hours(moment: datetime, hours: str) -> bool:
    """Whether `moment` falls in the quiet hours `hours` (local time)."""
    span = parse_quiet_hours(hours)
    return span is not None and _contains(span, timezone.localtime(moment).time())


def quiet_hours_end(moment: datetime, hours: str) -> datetime:
    """The first moment at or after `moment` outside the quiet hours `hours`."""
    span = parse_quiet_hours(hours)
    local = timezone.localtime(moment)
    if span is None or not _contains(span, local.time()):
        return moment
    end_day = local.date()
    if local.time() >= span[1]:  # in the evening part of hours that cross midnight
        end_day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(end_day, span[1]))
