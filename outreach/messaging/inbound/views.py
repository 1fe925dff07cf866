"""Citizens' replies: Twilio's inbound webhook (POST /webhooks/twilio/inbound) and the
caseworker's inbox (/inbox/)."""

import re

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from outreach.core import audit
from outreach.core.roles import (
    CASE_ROLES,
    CASEWORKER,
    SUPERVISOR,
    has_role,
    municipalities_for,
    role_required,
)
from outreach.messaging.inbound.handling import Inbound, receive
from outreach.messaging.inbound.matching import as_e164
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.transports.twilio.signature import is_from_twilio, twilio_webhook

# Twilio reads our answer as TwiML: an empty one sends nothing back. Confirmations go out
# through our own transport, so that they are recorded like every message.
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
WHATSAPP_PREFIX = "whatsapp:"
_SID = re.compile(r"[A-Za-z0-9_-]{1,64}")
PAGE_SIZE = 50


class BadInbound(ValueError):
    pass


def _number(value: str) -> str:
    """E.164 where it is a phone number; otherwise the sender as given (a short code)."""
    value = value.strip()
    return as_e164(value) or value[:32]


def read_inbound(post: QueryDict) -> Inbound:
    """The few parameters we keep of Twilio's POST."""
    sid = post.get("MessageSid") or post.get("SmsMessageSid") or post.get("SmsSid") or ""
    if not _SID.fullmatch(sid):
        raise BadInbound("MessageSid missing or malformed")
    sender = post.get("From", "")
    if not sender.strip():
        raise BadInbound("From missing")
    channel = InboundMessage.Channel.SMS
    if sender.startswith(WHATSAPP_PREFIX):
        channel = InboundMessage.Channel.WHATSAPP
        sender = sender.removeprefix(WHATSAPP_PREFIX)
    try:
        media = int(post.get("NumMedia", "0") or 0)
    except ValueError:
        media = 0
    return Inbound(
        message_sid=sid,
        channel=channel,
        from_number=_number(sender),
        to_number=_number(post.get("To", "").removeprefix(WHATSAPP_PREFIX)),
        # PostgreSQL text cannot hold NUL characters.
        body=post.get("Body", "").replace("\x00", ""),
        media=max(media, 0),
    )


@csrf_exempt
@require_POST
@twilio_webhook
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    if not is_from_twilio(request):
        return HttpResponseForbidden("invalid or missing Twilio signature")
    try:
        inbound = read_inbound(request.POST)
    except BadInbound as exc:
        return HttpResponseBadRequest(str(exc))
    receive(inbound, timezone.now())
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


# Who may mark a reply handled (as who may act on cases: outreach.desk.actions).
ACTORS = (CASEWORKER, SUPERVISOR)


def inbox_messages(user: object) -> Q:
    """The inbox's scope: the user's municipalities; a superuser also sees the replies of
    unknown numbers sent to no municipality's reply number."""
    scope = Q(municipality__in=municipalities_for(user))
    if getattr(user, "is_superuser", False):
        scope |= Q(municipality__isnull=True)
    return Q(handled=False) & scope


@require_http_methods(["GET", "POST"])
@role_required(*CASE_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    """Replies waiting for a person, oldest first, with their case; POST marks one handled."""
    if request.method == "POST":
        if not has_role(request.user, *ACTORS):
            return HttpResponseForbidden("your role cannot handle replies")
        chosen = request.POST.get("message", "")
        mine = (
            InboundMessage.objects.filter(inbox_messages(request.user), pk=int(chosen))
            if chosen.isdigit()
            else InboundMessage.objects.none()
        )
        with transaction.atomic():  # the change and its audit line commit together
            found = mine.values_list("case_id", "municipality_id").first()
            done = (
                mine.update(handled=True, handled_by=request.user, handled_at=timezone.now())
                if found
                else 0
            )
            if done and found and found[0] is not None:
                # The reply belongs to a case: the case changed (the audit log's line).
                audit.record(
                    request.user, audit.Action.CHANGED, audit.Kind.CASE, found[0], found[1],
                    "antwoord afgehandeld",
                )  # fmt: skip
        if done:
            messages.success(request, "Bericht afgehandeld.")
        else:
            messages.error(request, "Dit bericht staat niet (meer) in uw inbox.")
        return redirect("inbox")
    page_number = request.GET.get("page")
    audit.record_list(
        request.user,
        "antwoorden",
        {"page": audit.page_number(page_number)},
        municipalities_for(request.user),
    )
    waiting = (
        InboundMessage.objects.filter(inbox_messages(request.user))
        .select_related("case", "person", "municipality", "case__household")
        .order_by("received_at", "pk")
    )
    page = Paginator(waiting, PAGE_SIZE).get_page(page_number)
    return render(
        request,
        "inbound/inbox.html",
        {"page": page, "can_handle": has_role(request.user, *ACTORS)},
    )
