"""Letters to the print house: `send` only accepts them for the day's print batch.

The engine records an accepted letter as a queued message (its HTML in `Message.body`) and the
step as done, without a contact attempt; the PDF is made later, by the batch
(`outreach.messaging.printing.batches`), outside the engine's transaction, and the attempt
counts when the batch is handed over. Nothing leaves the machine when a letter is accepted: a
hand-over whose result was never recorded is `absent` (the row is all there is). Configure it
for letters:

    OUTREACH_TRANSPORTS='{"letter": "print-house"}'
"""

from collections.abc import Sequence
from datetime import datetime

from outreach.messaging.transports.base import (
    ABSENT,
    PERMANENT,
    QUEUED,
    Lookup,
    Outgoing,
    Result,
)
from outreach.messaging.transports.registry import register


@register("print-house")
class PrintHouseTransport:
    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        return [self._accept(item) for item in batch]

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        return Lookup(ABSENT, note="de drukkerij krijgt brieven pas met de printbatch")

    def _accept(self, item: Outgoing) -> Result:
        if item.channel != "letter":
            return Result(PERMANENT, error=f"de drukkerij verstuurt brieven, geen {item.channel}")
        if not item.to.strip():
            return Result(PERMANENT, error="geen adres")
        if not item.body.strip():
            return Result(PERMANENT, error="lege brief")
        return Result(QUEUED)
