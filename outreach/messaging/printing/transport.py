"""Letters to the print house: `send` only accepts them for the day's print batch.

The engine records an accepted letter as a queued message (its HTML in `Message.body`) and the
step as done, without a contact attempt; the PDF is made later, by the batch
(`outreach.messaging.printing.batches`), outside the engine's transaction, and the attempt
counts when the batch is handed over. Configure it for letters:

    OUTREACH_TRANSPORTS='{"letter": "print-house"}'
"""

from collections.abc import Sequence

from outreach.messaging.transports.base import PERMANENT, QUEUED, Outgoing, Result
from outreach.messaging.transports.registry import register


@register("print-house")
class PrintHouseTransport:
    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        return [self._accept(item) for item in batch]

    def _accept(self, item: Outgoing) -> Result:
        if item.channel != "letter":
            return Result(PERMANENT, error=f"de drukkerij verstuurt brieven, geen {item.channel}")
        if not item.to.strip():
            return Result(PERMANENT, error="geen adres")
        if not item.body.strip():
            return Result(PERMANENT, error="lege brief")
        return Result(QUEUED)
