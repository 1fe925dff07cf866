"""Statutory windows: contact and an offer within 28 days; crisis signals within 3 working days."""

from datetime import date, timedelta

from outreach.core.calendar import add_working_days

CONTACT_WINDOW_DAYS = 28
CRISIS_WORKING_DAYS = 3


def signal_deadline(signal_date: date, crisis: bool) -> date:
    """The last day to reach out for one signal (counted from the day the partner sent it)."""
    if crisis:
        return add_working_days(signal_date, CRISIS_WORKING_DAYS)
    return signal_date + timedelta(days=CONTACT_WINDOW_DAYS)
