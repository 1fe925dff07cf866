"""When a step may happen: its time window, weekends and Dutch public holidays, never at night."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from outreach.cadence.campaigns import WEEKDAYS, Window
from outreach.core.calendar import is_holiday
from outreach.core.quiet_hours import quiet_hours_end

WORKING_WEEK = WEEKDAYS[:5]

# Without a window of its own a step happens on working days in office hours; messages are
# never sent at night (a campaign's own window is validated against that at load).
DEFAULT_WINDOWS: dict[str, Window] = {
    "letter": Window(WORKING_WEEK, (9 * 60, 17 * 60)),
    "sms": Window(WORKING_WEEK, (9 * 60, 18 * 60)),
    "whatsapp": Window(WORKING_WEEK, (9 * 60, 18 * 60)),
    "email": Window(WORKING_WEEK, (9 * 60, 18 * 60)),
    "phone_task": Window(WORKING_WEEK, (9 * 60, 17 * 60)),
    "visit_task": Window(WORKING_WEEK, (9 * 60, 17 * 60)),
    # Left at the door during the visit, and registered when the visit's outcome is.
    "not_home_card": Window(WEEKDAYS, (0, 24 * 60)),
    # The engine's own bookkeeping steps.
    "close": Window(WEEKDAYS, (0, 24 * 60)),
}

EVENING_FROM = 18 * 60
_SEARCH_DAYS = 400
# The channels that reach a phone: they keep the quiet hours of the recipient's municipality.
PHONE_CHANNELS = frozenset({"sms", "whatsapp"})


def window_for(channel: str, window: Window | None) -> Window:
    if window is None:
        return DEFAULT_WINDOWS[channel]
    if window.hours is None:
        return Window(window.days, DEFAULT_WINDOWS[channel].hours)
    return window


def _at(day: date, minutes: int) -> datetime:
    if minutes >= 24 * 60:
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))
    return timezone.make_aware(datetime.combine(day, time(minutes // 60, minutes % 60)))


def _open_on(day: date, window: Window) -> bool:
    return WEEKDAYS[day.weekday()] in window.days and not is_holiday(day)


def next_slot(earliest: datetime, channel: str, window: Window | None = None) -> datetime:
    """The first moment at or after `earliest` inside the step's window."""
    w = window_for(channel, window)
    start_min, end_min = w.hours or (0, 24 * 60)
    local = timezone.localtime(earliest)
    day = local.date()
    for _ in range(_SEARCH_DAYS):
        if _open_on(day, w):
            start, end = _at(day, start_min), _at(day, end_min)
            if local < end:
                return max(local, start)
        day += timedelta(days=1)
    raise ValueError(f"the window of {channel} never opens")


def in_window(moment: datetime, channel: str, window: Window | None = None) -> bool:
    return next_slot(moment, channel, window) == moment


def is_evening(channel: str, window: Window | None) -> bool:
    hours = window_for(channel, window).hours
    return hours is not None and hours[1] > EVENING_FROM


def next_free_slot(
    earliest: datetime, channel: str, window: Window | None, quiet_hours: str
) -> datetime:
    """The first moment at or after `earliest` inside the step's window and, for a message to
    a phone, outside the quiet hours ("21:00-08:00"; empty: none). A window that lies wholly
    in the quiet hours gives its next opening (the transport holds the message back then)."""
    moment = next_slot(earliest, channel, window)
    if channel not in PHONE_CHANNELS:
        return moment
    for _ in range(7):
        after = quiet_hours_end(moment, quiet_hours)
        if after == moment:
            break
        moment = next_slot(after, channel, window)
    return moment
