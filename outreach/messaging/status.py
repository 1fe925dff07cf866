"""A message's status only moves forward: provider callbacks arrive out of order (a late
"sent" after "delivered" must not undo it), and a final status is final."""

from outreach.messaging.models import Message

S = Message.Status
# Higher is further along; the failure statuses end a message's life like delivery does.
RANK: dict[str, int] = {
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
