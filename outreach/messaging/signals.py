"""What messaging tells the apps above it (the engine), which receive it: messaging never
imports them.

`message_failed`: a message failed after it left (a status callback said undelivered, a letter
came back or could not be printed). Arguments: step_id (None: not a campaign step), case_id, to,
code (the provider's error code, or ""), now, reason. A receiver may answer with the step it
planned instead (the failure path), which `failed` returns.
"""

from datetime import datetime
from typing import Any

from django.dispatch import Signal

message_failed = Signal()


def failed(
    step_id: int | None, case_id: int, to: str, code: str, now: datetime, reason: str
) -> Any:
    """Tell the receivers; returns the first step one of them planned, or None."""
    answers = message_failed.send(
        sender=None, step_id=step_id, case_id=case_id, to=to, code=code, now=now, reason=reason
    )
    return next((answer for _, answer in answers if answer is not None), None)
