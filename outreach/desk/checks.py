"""The list "Controleren voor opnieuw versturen": messages whose hand-over was lost and that
their transport cannot confirm (`Message.Status.CHECK`). A person decides: it was sent, send it
again, or do not send it. The decisions are `outreach.messaging.sending`'s; here they are
scoped to the user's municipalities, named by the user and written in the case's history."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from outreach.casework.assignment import display_name
from outreach.casework.events import record_event
from outreach.core.roles import CASE_ROLES, has_role, municipalities_for
from outreach.messaging import sending
from outreach.messaging.models import Message
from outreach.messaging.transports.base import Transport

CHECK = Message.Status.CHECK
# The history's action for every decision (CaseEvent.action holds 40 characters).
DECIDED = "bericht gecontroleerd"

# The channels in the words of the pages (Message.Channel has no Dutch labels).
CHANNEL_WORDS = {"sms": "sms", "whatsapp": "WhatsApp", "email": "e-mail", "letter": "brief"}


def channel_word(channel: str) -> str:
    return CHANNEL_WORDS.get(channel, channel)


def user_messages(user: Any) -> QuerySet[Message]:
    """Every message of the cases of the user's municipalities, whatever its status."""
    return Message.objects.filter(case__municipality__in=municipalities_for(user))


def waiting(user: Any) -> QuerySet[Message]:
    """The messages waiting for a check in the user's municipalities, oldest first."""
    return (
        user_messages(user)
        .filter(status=CHECK)
        .select_related("case__municipality")
        .order_by("status_at", "pk")
    )


def waiting_count(user: Any) -> int:
    """How many wait, for the menu; 0 for a user who never sees cases."""
    if not has_role(user, *CASE_ROLES):
        return 0
    return user_messages(user).filter(status=CHECK).count()


def masked(channel: str, to: str) -> str:
    """The recipient with no more personal data than a check needs: a number's last two
    digits, an address's first letter and domain, a letter's postcode and town (the case page
    shows the household's address). Empty when there is nothing to show (anonymised)."""
    to = to.strip()
    if not to:
        return ""
    if channel in ("sms", "whatsapp"):
        digits = "".join(c for c in to if c.isdigit())
        return f"nummer eindigt op {digits[-2:]}" if len(digits) > 2 else ""
    if channel == "email":
        name, at, domain = to.rpartition("@")
        return f"{name[:1]}…@{domain}" if at and name else ""
    lines = [line.strip() for line in to.splitlines() if line.strip()]
    return " ".join(lines[-1].split()) if lines else ""


def described(message: Message) -> str:
    """The message in the history's words: channel and when it was made."""
    made = timezone.localtime(message.created_at)
    return f"{channel_word(message.channel)} van {made:%d-%m-%Y %H:%M}"


def confirm(message: Message, now: datetime, user: Any) -> bool:
    """It was sent: recorded as sent, its contact attempt counts. False: no longer waiting."""
    if not sending.confirm_checked(message.pk, now, display_name(user)):
        return False
    record_event(message.case, now, user, DECIDED, f"{described(message)}: is verstuurd.")
    return True


def resend(
    message: Message, transport: Transport, now: datetime, user: Any
) -> sending.Recorded | None:
    """It was not sent: handed over again, once. None: no longer waiting."""
    done = sending.resend_checked(message.pk, transport, now, by=display_name(user))
    if done is not None:
        status = Message.Status(done.status).label if done.status else "weg"
        record_event(
            message.case, now, user, DECIDED, f"{described(message)}: opnieuw verstuurd ({status})."
        )
    return done


def cancel(message: Message, now: datetime, user: Any) -> Message | None:
    """Not to be sent: it fails, a campaign's step takes its failure path. None: no longer
    waiting."""
    cancelled = sending.cancel_checked(message.pk, now, display_name(user))
    if cancelled is not None:
        record_event(message.case, now, user, DECIDED, f"{described(message)}: niet versturen.")
    return cancelled
