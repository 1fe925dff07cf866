"""Did Twilio get this message? For a hand-over whose result was never recorded (the worker died
after its request, or the connection broke after Twilio took it), the Messages list is asked:
the messages to the reader from our sender(s) sent since the row was committed.

Twilio's list filters on the date sent only (`DateSent>`, a date in GMT: "on or after that
day"), so the times and the rest are checked here: created no earlier than `since` (less a
margin for the clocks' difference), from one of our senders, outbound, and our text. A
WhatsApp template has no text of ours to match (Twilio renders it): any message from our
WhatsApp sender to the reader counts then.

Not in the list is `absent` only once a message could no longer appear: after the longest its
request can have taken to reach Twilio (the rate's wait and the request's time-out, per
request of the hand-over) and then `OUTREACH_TWILIO_LOOKUP_WINDOW` seconds, the time Twilio
may take to show a new message in its list; before that it is `wait`. A message Twilio still
holds in a queue (a Messaging Service at its rate) has no date sent yet and does not show:
make the window longer than such a queue lasts. A failed request is `wait`; more messages than
the pages read hold, without ours among them, is `unknown`.
"""

import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach.messaging.transports.base import (
    ABSENT,
    HANDED_OVER,
    PERMANENT,
    SENT,
    UNKNOWN,
    WAIT,
    Lookup,
    Result,
)
from outreach.messaging.transports.twilio import errors as twilio_errors

log = logging.getLogger(__name__)

PAGE_SIZE = 50
MAX_PAGES = 4  # 200 messages to one reader from us since that day: more is not ours to guess
CLOCK_MARGIN = timedelta(minutes=2)  # our clock against Twilio's
FAILED = frozenset({"failed", "undelivered", "canceled"})
# What Twilio's Smart Encoding (a Messaging Service's option) puts for these characters.
SMART = str.maketrans(
    {
        "\u2018": "'",  # single quotation marks
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',  # double quotation marks
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",  # en and em dash
        "\u2014": "-",
    }
)


@dataclass(frozen=True)
class Wanted:
    """What marks one message's hand-over in Twilio's list."""

    to: str  # as Twilio has it: "+316..." or "whatsapp:+316..."
    senders: frozenset[str]  # our From numbers and Messaging Service SIDs it may come from
    body: str | None  # our text, when Twilio keeps it as sent (SMS, WhatsApp free text)
    template: bool  # it may have gone as an approved template: any text of Twilio's counts


def comparable(text: str) -> str:
    """A text as compared: Twilio may have replaced typographic quotes and dashes (Smart
    Encoding) and changed no more than white space."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(SMART).split())


def is_ours(message: Any, wanted: Wanted, earliest: datetime) -> bool:
    """Whether `message` (a Twilio MessageInstance) is a hand-over of the wanted message."""
    if message.to != wanted.to or not str(message.direction or "").startswith("outbound"):
        return False
    if message.from_ not in wanted.senders and message.messaging_service_sid not in wanted.senders:
        return False
    if message.date_created is not None and message.date_created < earliest:
        return False
    if wanted.template:
        return True
    return wanted.body is not None and comparable(message.body or "") == comparable(wanted.body)


def result_of(message: Any) -> Result:
    """The result the hand-over had: sent, or the failure Twilio recorded for it since."""
    sid = str(message.sid)
    if message.status in FAILED:
        code = str(message.error_code or "")
        return Result(
            PERMANENT,
            transport_id=sid,
            error=twilio_errors.describe(code, "niet afgeleverd"),
            error_code=code,
        )
    return Result(SENT, transport_id=sid)


def best(found: Iterable[Any], wanted: Wanted) -> Any:
    """Of several hand-overs (a free text refused, then its template): one that was not
    refused, our own text first, the earliest."""
    return min(
        found,
        key=lambda m: (
            m.status in FAILED,
            wanted.body is None or comparable(m.body or "") != comparable(wanted.body),
            m.date_created or datetime.min.replace(tzinfo=UTC),
        ),
    )


def look_up(
    messages: Any, wanted: Wanted, since: datetime, now: datetime, settled: timedelta
) -> Lookup:
    """Twilio's answer for one message, through `messages` (the account's MessageList):
    `settled` is how long after `since` a hand-over must show in the list. Never raises."""
    earliest = since - CLOCK_MARGIN
    single = next(iter(wanted.senders)) if len(wanted.senders) == 1 else ""
    # A Messaging Service sends from a number of its pool: Twilio's From is that number.
    from_ = single if single and not single.startswith("MG") else None
    try:
        found, complete = _search(messages, wanted, earliest, from_)
    except Exception as exc:  # network, 429, 5xx, a page that cannot be read: ask again later
        log.warning("Twilio lookup failed: %s", type(exc).__name__)
        return Lookup(WAIT, note=f"Twilio niet te raadplegen ({type(exc).__name__})")
    if found:
        return Lookup(HANDED_OVER, result_of(best(found, wanted)), note="gevonden bij Twilio")
    if not complete:
        pages = f"{PAGE_SIZE * MAX_PAGES} berichten"
        return Lookup(UNKNOWN, note=f"meer dan {pages} aan dit nummer: controleer het in Twilio")
    if now - since < settled:
        return Lookup(WAIT, note="nog niet bij Twilio; kan nog verschijnen")
    return Lookup(ABSENT, note="niet bij Twilio")


def _search(
    messages: Any, wanted: Wanted, earliest: datetime, from_: str | None
) -> tuple[list[Any], bool]:
    """The matching messages in at most MAX_PAGES pages; and whether those were all."""
    filters: dict[str, Any] = {"to": wanted.to, "page_size": PAGE_SIZE}
    if from_:
        filters["from_"] = from_
    # The client writes the time as given with a "Z": it must be in UTC.
    page = messages.page(date_sent_after=earliest.astimezone(UTC), **filters)
    found: list[Any] = []
    for number in range(1, MAX_PAGES + 1):
        found.extend(m for m in page if is_ours(m, wanted, earliest))
        if page.next_page_url is None or any(m.status not in FAILED for m in found):
            return found, True
        if number == MAX_PAGES:
            break
        page = page.next_page()
    return found, False
