"""Message.status has one owner: it moves forward only, and a failure is final."""

from datetime import datetime

import pytest

from outreach.messaging.models import Message
from outreach.messaging.status import advance, status_for

S = Message.Status
NOW = datetime(2026, 5, 15, 9, 0)


@pytest.mark.parametrize(
    ("current", "new", "moves"),
    [
        (S.QUEUED, S.SENT, True),
        (S.SENT, S.DELIVERED, True),
        (S.DELIVERED, S.SENT, False),  # a late callback
        (S.FAILED, S.DELIVERED, False),  # a failure was acted upon: final
        (S.DELIVERED, S.RETURNED, True),
        (S.SENT, S.SENT, False),
    ],
)
def test_advance_moves_only_forward(current, new, moves):
    message = Message(status=current, error_code="")
    assert advance(message, new, NOW, "30003") is moves
    assert message.status == (new if moves else current)
    assert message.error_code == ("30003" if moves else "")
    assert message.status_at == (NOW if moves else None)


def test_the_status_after_hand_over_follows_the_transports_outcome():
    assert [status_for(o) for o in ("sent", "queued", "transient", "permanent")] == [
        S.SENT, S.QUEUED, S.FAILED, S.FAILED,
    ]  # fmt: skip
