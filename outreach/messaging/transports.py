"""One channel interface, several transports: the engine hands over a batch and reads back a
result per message. A transport never raises for one message: a transient error (try again
later) and a permanent one (take the failure path) are results, so one bad number never
blocks the rest of the batch.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Outgoing:
    step_id: int
    case_id: int
    channel: str  # sms, whatsapp, email, letter
    to: str
    body: str
    language: str
    template: str = ""
    template_version: int | None = None


@dataclass(frozen=True)
class Result:
    outcome: Literal["sent", "transient", "permanent"]
    transport_id: str = ""
    error: str = ""


SENT: Literal["sent"] = "sent"
TRANSIENT: Literal["transient"] = "transient"
PERMANENT: Literal["permanent"] = "permanent"


class Transport(Protocol):
    def send(self, batch: Sequence[Outgoing]) -> list[Result]: ...


class OutboxTransport:
    """The embedded default and the test transport: the message rows are the outbox, and
    nothing leaves the machine."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        return [Result(SENT, transport_id=f"outbox-{item.step_id}") for item in batch]


def default_transport() -> Transport:
    transport: Transport = import_string(settings.OUTREACH_TRANSPORT)()
    return transport
