"""PLACEHOLDER, replaced by the real DDAS export on merge.

The delivery to the national monitor in DDAS's exchange model. This stand-in writes an empty
JSON object so the dashboard's download can be developed.
"""

from datetime import date, datetime
from typing import TextIO

from outreach.core.models import Municipality


def write_delivery(
    municipality: Municipality, start: date, end: date, now: datetime, out: TextIO
) -> None:
    """PLACEHOLDER (replaced by the real export on merge): `municipality`'s DDAS delivery for
    the signals received from `start` to `end`, both days included, written to `out`."""
    out.write("{}")
