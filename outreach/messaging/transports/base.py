"""One channel interface, several transports: the engine hands over a batch and reads back a
result per message. A transport never raises for one message: a transient error (try again
later) and a permanent one (take the failure path) are results, so one bad number never
blocks the rest of the batch.

Outcomes: `sent` (handed over: the contact attempt counts now), `queued` (accepted for a later
hand-over, e.g. the day's print batch: the attempt counts when that happens), `transient`,
`permanent`. `error_code` carries the provider's code (Twilio's 21211, 21610, ...) so the
engine can tell an unusable number from an opt-out.

Which transport serves which channel: `outreach.messaging.transports.registry`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from outreach.messaging.models import Message


@dataclass(frozen=True)
class Outgoing:
    step_id: int | None  # None: not a campaign step (a confirmation of a reply)
    case_id: int
    channel: str  # sms, whatsapp, email, letter
    to: str
    body: str
    language: str
    template: str = ""
    template_version: int | None = None
    # An answer within WhatsApp's 24-hour session (the reader wrote first): free text allowed.
    # Otherwise WhatsApp only takes an approved template.
    in_session: bool = False
    # Plain values of the text's context (worker_name, municipality, ...): the variables of an
    # approved WhatsApp template (outreach.messaging.transports.twilio.transport).
    variables: Mapping[str, str] = field(default_factory=dict)


Outcome = Literal["sent", "queued", "transient", "permanent"]


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    transport_id: str = ""
    error: str = ""
    error_code: str = ""


SENT: Literal["sent"] = "sent"
QUEUED: Literal["queued"] = "queued"
TRANSIENT: Literal["transient"] = "transient"
PERMANENT: Literal["permanent"] = "permanent"


class Transport(Protocol):
    def send(self, batch: Sequence[Outgoing]) -> list[Result]: ...


class RowsTransport:
    """The test transport: the message rows are the outbox, and nothing leaves the machine."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        return [Result(SENT, transport_id=f"outbox-{item.step_id}") for item in batch]


def message_from(item: Outgoing, result: Result, now: datetime) -> "Message":
    """The row of a message the transport took (sent, or queued for a later hand-over)."""
    from outreach.messaging.models import Message
    from outreach.messaging.status import first_status

    return Message(
        case_id=item.case_id,
        step_id=item.step_id,
        channel=item.channel,
        to=item.to,
        body=item.body,
        language=item.language,
        template=item.template,
        template_version=item.template_version,
        status=first_status(result.outcome),
        transport_id=result.transport_id,
        created_at=now,
        status_at=now,
    )
