"""Statutory windows: contact and an offer within 28 days; crisis signals within 3 working days.

Both count from the day the municipality received the signal (Wgs art. 3a: "Als een gemeente
een signaal ontvangt ..."), not from the partner's signal date.
"""

from datetime import date, timedelta

from outreach.core.calendar import add_working_days

CONTACT_WINDOW_DAYS = 28
CRISIS_WORKING_DAYS = 3


def signal_deadline(received: date, crisis: bool) -> date:
    """The last day to reach out for one signal received on `received` (local date)."""
    if crisis:
        return add_working_days(received, CRISIS_WORKING_DAYS)
    return received + timedelta(days=CONTACT_WINDOW_DAYS)
