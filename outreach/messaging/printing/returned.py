"""Returned mail (post retour): a letter that came back after it was handed over.

The letter's status becomes `returned` (forward only: a sent or delivered letter) and the step
that sent it takes its failure path (the engine receives `messaging.signals.message_failed`),
as if sending had failed. A second report of the same letter changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from outreach.messaging.models import Message
from outreach.messaging.signals import failed
from outreach.messaging.status import FIELDS as STATUS_FIELDS
from outreach.messaging.status import advance, moves_forward

S = Message.Status
DEFAULT_REASON = "retour ontvangen"


class ReturnError(ValueError):
    """The report cannot be taken: no such letter, or one that was never handed over."""


@dataclass
class Returned:
    message: Message
    changed: bool  # False: it was reported before
    fallback: Any  # the failure path's step (a PlannedStep), when one was planned now


def record_returned(
    message_id: int, now: datetime, reason: str = "", case_id: int | None = None
) -> Returned:
    """Record that letter `message_id` came back (`case_id`: it must be that case's letter)."""
    reason = " ".join(reason.split())[:200] or DEFAULT_REASON
    with transaction.atomic():
        letters = Message.objects.select_for_update().filter(pk=message_id, channel="letter")
        if case_id is not None:
            letters = letters.filter(case_id=case_id)
        message = letters.first()
        if message is None:
            raise ReturnError(f"no letter with id {message_id}")
        if message.status == S.RETURNED:
            return Returned(message, False, None)
        if message.status not in (S.SENT, S.DELIVERED) or not moves_forward(
            message.status, S.RETURNED
        ):
            raise ReturnError(
                f"letter {message_id} is {message.status}: only a letter that was handed over "
                "can come back"
            )
        advance(message, S.RETURNED, now)
        message.save(update_fields=STATUS_FIELDS)
        fallback = failed(
            message.step_id, message.case_id, message.to, "", now, f"post retour: {reason}"
        )
    return Returned(message, True, fallback)
