"""A number that said STOP (by a reply, or as Twilio reports with 21610): every open case of
the people with that number closes, and they go on the opt-out list."""

from datetime import datetime

from outreach.casework.models import Case
from outreach.casework.workflow import opt_out
from outreach.intake.models import OptOut
from outreach.messaging.inbound.matching import Sender


def opt_out_sender(
    sender: Sender, now: datetime, source: str, current: Case | None = None
) -> tuple[int, int]:
    """Returns (cases closed, people newly listed). `current`: the caller's copy of one of the
    sender's cases, so that it sees the close too."""
    closed = 0
    for case in sender.open_cases:
        fresh = current if current is not None and case.pk == current.pk else case
        if fresh.state != Case.State.CLOSED:
            opt_out(fresh, now)
            closed += 1
    listed = 0
    for person in sender.persons:
        _, created = OptOut.objects.get_or_create(
            municipality_id=person.municipality_id,
            person=person,
            defaults={"source": source[:50], "created_at": now},
        )
        listed += created
    return closed, listed
