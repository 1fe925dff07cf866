"""One channel interface, several transports: the engine hands over a batch and reads back a
result per message. A transport never raises for one message: a transient error (try again
later) and a permanent one (take the failure path) are results, so one bad number never
blocks the rest of the batch.

Outcomes: `sent` (handed over: the contact attempt counts now), `queued` (accepted for a later
hand-over, e.g. the day's print batch: the attempt counts when that happens), `transient`,
`permanent`. `error_code` carries the provider's code (Twilio's 21211, 21610, ...) so the
engine can tell an unusable number from an opt-out.

Persist, then send: every message is a committed row (`sending`) before its hand-over, and
`Outgoing.message_id` names that row. When a process dies between the hand-over and recording
its result, the message is not sent again blindly: its transport's `lookup` says whether it
received it (see `Lookup`); a transport that cannot tell answers `unknown`, and the message waits
for a person to check before anything is resent (`outreach.messaging.sending`).

Which transport serves which channel: `outreach.messaging.transports.registry`.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable


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
    # Whose version of the text: the municipality's own, or None for the shared one.
    template_municipality_id: int | None = None
    # The text experiment and the household's variant (outreach.messaging.texts.experiments).
    text_experiment: str = ""
    text_variant: str = ""
    # An answer within WhatsApp's 24-hour session (the reader wrote first): free text allowed.
    # Otherwise WhatsApp only takes an approved template.
    in_session: bool = False
    # Plain values of the text's context (worker_name, municipality, ...): the variables of an
    # approved WhatsApp template (outreach.messaging.transports.twilio.transport).
    variables: Mapping[str, str] = field(default_factory=dict)
    # The committed `Message` row this is the hand-over of: a transport that can carry a key of
    # its own (a file line, an e-mail's Message-ID, a status callback's URL) uses it, so a
    # hand-over can be recognised later.
    message_id: int | None = None
    # The quiet hours of the recipient's municipality ("21:00-08:00"; empty: none), in which
    # no message of ours goes to a phone; None: the service's default (OUTREACH_QUIET_HOURS).
    quiet_hours: str | None = None


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


# What a transport knows of a message whose hand-over was begun but whose result was never
# recorded: it has it (`handed_over`, with the result to record), it certainly has not
# (`absent`: sending now cannot double it), it cannot tell yet (`wait`: e.g. inside the
# provider's window in which a new message may not show in its list yet; ask again later), or it
# cannot tell at all (`unknown`: a person checks before it is resent).
LookupAnswer = Literal["handed_over", "absent", "wait", "unknown"]
HANDED_OVER: Literal["handed_over"] = "handed_over"
ABSENT: Literal["absent"] = "absent"
WAIT: Literal["wait"] = "wait"
UNKNOWN: Literal["unknown"] = "unknown"


@dataclass(frozen=True)
class Lookup:
    answer: LookupAnswer
    result: Result | None = None  # with handed_over: what the hand-over's result was
    note: str = ""  # why, in a few words (for the list a person checks)


@runtime_checkable
class Reconciling(Protocol):
    """A transport that can look up a hand-over. `since` is when the message row was committed:
    no hand-over of it can be older. Like `send`, it never raises: a failed lookup is `wait`
    (or `unknown` when the provider never answers such questions)."""

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup: ...


def lookup(transport: object, item: Outgoing, since: datetime, now: datetime) -> Lookup:
    """`transport.lookup`, or `unknown` for a transport that has none."""
    if not isinstance(transport, Reconciling):
        return Lookup(UNKNOWN, note=f"{type(transport).__name__} kan niet nazoeken")
    return transport.lookup(item, since, now)


class RowsTransport:
    """The test transport: the message rows are the outbox, and nothing leaves the machine (so
    nothing was handed over that a lookup could find)."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        return [Result(SENT, transport_id=f"outbox-{item.step_id}") for item in batch]

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        return Lookup(ABSENT)
