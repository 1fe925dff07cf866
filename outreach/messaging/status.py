"""`Message.status`: the one module that changes it. A status only moves forward: provider
callbacks arrive out of order (a late "sent" after "delivered" must not undo it), and a final
status is final. Writers set it through `outreach.messaging.sending` (committed, handed over)
and `advance` (later); they save the fields it names."""

from datetime import datetime

from outreach.messaging.models import Message

S = Message.Status
# Higher is further along; the failure statuses end a message's life like delivery does.
RANK: dict[str, int] = {
    S.SENDING: -2,
    S.CHECK: -1,
    S.QUEUED: 0,
    S.SENT: 1,
    S.DELIVERED: 2,
    S.READ: 3,
    S.UNDELIVERED: 3,
    S.FAILED: 3,
    S.RETURNED: 4,  # a letter comes back after it was handed over (and "delivered")
}
FAILURES = frozenset({S.FAILED, S.UNDELIVERED, S.RETURNED})


def moves_forward(current: str, new: str) -> bool:
    """Whether a message in `current` may take `new`."""
    if new not in RANK or current == new:
        return False
    if current in FAILURES:
        return False  # final: a failure was acted upon (the fallback went out)
    return RANK[new] > RANK[current]


# What `advance` changes: the callers save these.
FIELDS = ["status", "status_at", "error_code"]


def advance(message: Message, new: str, now: datetime, error_code: str = "") -> bool:
    """In memory: move `message` to `new` when that is forward; False (and nothing changed)
    otherwise."""
    if not moves_forward(message.status, new):
        return False
    message.status = new
    message.status_at = now
    if error_code:
        message.error_code = error_code[:16]
    return True


def status_for(outcome: str) -> str:
    """A message's status after its hand-over, from the transport's outcome ("sent",
    "queued", or a failure)."""
    return {"sent": S.SENT, "queued": S.QUEUED}.get(outcome, S.FAILED)


# Not yet settled: committed, its hand-over under way or to be checked.
UNSETTLED = (S.SENDING, S.CHECK)
