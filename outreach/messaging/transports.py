"""One channel interface, several transports: the engine hands over a batch and reads back a
result per message. A transport never raises for one message: a transient error (try again
later) and a permanent one (take the failure path) are results, so one bad number never
blocks the rest of the batch.

Outcomes: `sent` (handed over: the contact attempt counts now), `queued` (accepted for a later
hand-over, e.g. the day's print batch: the attempt counts when that happens), `transient`,
`permanent`. `error_code` carries the provider's code (Twilio's 21211, 21610, ...) so the
engine can tell an unusable number from an opt-out.

Which transport serves which channel: `OUTREACH_TRANSPORTS` ({"sms": "dotted.Class", ...}),
each channel missing there falls back to `OUTREACH_TRANSPORT`.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

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
    # approved WhatsApp template (outreach.messaging.twilio_transport).
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


class OutboxTransport:
    """The embedded default and the test transport: the message rows are the outbox, and
    nothing leaves the machine."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        return [Result(SENT, transport_id=f"outbox-{item.step_id}") for item in batch]


class ChannelRouter:
    """Each message to the transport of its channel; the results in the batch's order."""

    def __init__(self, transports: Mapping[str, Transport], default: Transport) -> None:
        self.transports = transports
        self.default = default

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        by_transport: dict[int, tuple[Transport, list[int]]] = {}
        for index, item in enumerate(batch):
            transport = self.transports.get(item.channel, self.default)
            by_transport.setdefault(id(transport), (transport, []))[1].append(index)
        results: list[Result | None] = [None] * len(batch)
        for transport, indexes in by_transport.values():
            answers = transport.send([batch[i] for i in indexes])
            if len(answers) != len(indexes):
                raise RuntimeError(f"{type(transport).__name__} must answer every message")
            for index, answer in zip(indexes, answers, strict=True):
                results[index] = answer
        return [r for r in results if r is not None]


@functools.cache
def transport_for(dotted: str) -> Transport:
    transport: Transport = import_string(dotted)()
    return transport


def default_transport() -> Transport:
    """The configured transports, built once per process (they may hold HTTP sessions)."""
    default = transport_for(settings.OUTREACH_TRANSPORT)
    named = settings.OUTREACH_TRANSPORTS
    if not named:
        return default
    return ChannelRouter({channel: transport_for(d) for channel, d in named.items()}, default)


def reset_transports() -> None:
    """For tests that change the settings."""
    transport_for.cache_clear()


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
