"""Twilio's delivery status callbacks (POST /webhooks/twilio/status).

Every message the Twilio transports send names this URL as its StatusCallback, with our message
row's id (`?message=<id>`). A body over OUTREACH_WEBHOOK_MAX_BYTES is refused (413) unread; a
callback is believed only with a valid `X-Twilio-Signature` over that whole URL (403
otherwise). It finds the message by its SID; a SID no row has yet (the worker died before it
recorded it) is tied to the row the URL names, when that row has none.
It moves the status forward only: callbacks arrive out of order, and a late "sent" after
"delivered" changes nothing, nor does the same callback twice. A failure (failed,
undelivered) takes the step's failure path once, after what its error code says about the
number or the person (`outreach.cadence.delivery.message_failed`: 21211/21614 mark the number,
21610 is an opt-out). A WhatsApp answer refused because the 24-hour session had closed (63016)
goes again, the same text, by SMS.

Logs name the message's SID, never a number or a text.
"""

import logging
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach.messaging.models import Message
from outreach.messaging.sending import send_now
from outreach.messaging.signals import failed
from outreach.messaging.status import FAILURES, advance
from outreach.messaging.status import FIELDS as STATUS_FIELDS
from outreach.messaging.transports.base import Outgoing
from outreach.messaging.transports.registry import default_transport
from outreach.messaging.transports.twilio import errors as twilio_errors
from outreach.messaging.transports.twilio.signature import is_from_twilio, twilio_webhook

log = logging.getLogger(__name__)

S = Message.Status
# Twilio's MessageStatus values we keep; the others (accepted, queued, sending, scheduled,
# canceled, ...) come before "sent" or never concern our messages.
STATUSES = {
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "read": S.READ,
    "failed": S.FAILED,
    "undelivered": S.UNDELIVERED,
}


@csrf_exempt
@require_POST
@twilio_webhook
def twilio_status(request: HttpRequest) -> HttpResponse:
    if not is_from_twilio(request):
        return HttpResponseForbidden("invalid or missing Twilio signature")
    post = request.POST
    sid = post.get("MessageSid") or post.get("SmsSid") or ""
    status = post.get("MessageStatus") or post.get("SmsStatus") or ""
    named = request.GET.get("message", "")
    message_id = int(named) if named.isascii() and named.isdigit() and len(named) < 19 else None
    record_status(sid, status, post.get("ErrorCode", ""), timezone.now(), message_id)
    return HttpResponse(status=200)


def record_status(
    sid: str, twilio_status: str, error_code: str, now: datetime, message_id: int | None = None
) -> str:
    """Apply one callback; returns what it did: "ignored" (not a status we keep), "unknown"
    (no message with that SID), "kept" (not a step forward), "updated" or "failed".
    `message_id` is the row the callback's URL names: an unknown SID is recorded on it when it
    has none yet (also with a status we do not keep: Twilio has the message)."""
    new = STATUSES.get(twilio_status)
    if not sid or (new is None and message_id is None):
        return "ignored"
    code = error_code if error_code not in ("", "0") else ""
    with transaction.atomic():
        message, tied = _message_of(sid[:64], message_id)
        if message is None:
            log.info("status %s for unknown message %s ignored", twilio_status, sid[:64])
            return "unknown" if new is not None else "ignored"
        tied_fields = ["transport_id"] if tied else []
        if new is None or not advance(message, new, now, code):
            if tied:
                message.save(update_fields=tied_fields)
            return "ignored" if new is None else "kept"
        message.save(update_fields=[*STATUS_FIELDS, *tied_fields])
        if new not in FAILURES:
            return "updated"
        log.info("message %s %s (error %s)", sid[:64], twilio_status, code or "-")
        resend = (
            code == twilio_errors.OUTSIDE_SESSION
            and message.channel == Message.Channel.WHATSAPP
            and message.step_id is None
        )
        if not resend:
            reason = twilio_errors.describe(code, "niet afgeleverd")
            failed(message.step_id, message.case_id, message.to, code, now, reason)
    if resend:
        resend_by_sms(message, now)
    return "failed"


def _message_of(sid: str, message_id: int | None) -> tuple[Message | None, bool]:
    """The message (locked) with this SID; else the row `message_id` names if it has no SID
    yet, with the SID set (not saved). The bool: whether the SID was tied to it here."""
    rows = Message.objects.select_for_update()
    message = rows.filter(transport_id=sid).exclude(transport_id="").first()
    if message is not None or message_id is None:
        return message, False
    channels = (Message.Channel.SMS, Message.Channel.WHATSAPP)
    message = rows.filter(pk=message_id, transport_id="", channel__in=channels).first()
    if message is None:
        return None, False
    message.transport_id = sid
    log.info("message %s tied to row %s by its status callback", sid, message_id)
    return message, True


def resend_by_sms(message: Message, now: datetime) -> Message | None:
    """A WhatsApp answer that came too late for the session (63016): the same text by SMS.
    (A campaign's own WhatsApp goes as an approved template, which needs no session; its
    failure takes the campaign's own fallback.)"""
    item = Outgoing(
        None, message.case_id, Message.Channel.SMS, message.to.removeprefix("whatsapp:"),
        message.body, message.language, message.template, message.template_version,
        message.template_municipality_id,
    )  # fmt: skip
    (done,) = send_now([item], default_transport(), now, counts=False)
    if done.status not in (Message.Status.SENT, Message.Status.QUEUED):
        log.warning(
            "SMS instead of WhatsApp message %s not sent: %s %s",
            message.pk, done.result.outcome, done.result.error_code or "-",
        )  # fmt: skip
        return None
    return Message.objects.get(pk=done.message_id)
