"""`outreach reply NUMBER TEXT`: a citizen's reply, simulated for demos and tests.

The command builds the POST Twilio would send (a fresh MessageSid, From, To, Body), signs it
as Twilio would for the URL the webhook sees, and hands it to the webhook's own view: the
same code path as a real reply, signature check included. Without TWILIO_AUTH_TOKEN it signs
and checks with a demo token, for this one simulated request only: the running service still
refuses every unsigned request.
"""

import json
import uuid
from argparse import ArgumentParser
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory, override_settings
from django.urls import reverse

from outreach.messaging.inbound import views
from outreach.messaging.inbound.matching import as_e164
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.transports.twilio.signature import public_url, sign

DEMO_TOKEN = "outreach-demo-token-for-simulated-replies"
# Where the simulated reply is sent to when the municipality has no reply number.
DEMO_TO = "+3197010000000"


def _host() -> str:
    """A host name the service accepts (ALLOWED_HOSTS), for the simulated request."""
    for host in settings.ALLOWED_HOSTS:
        if host == "*":
            return "localhost"
        if host:
            return host.lstrip(".")
    return "localhost"


class Command(BaseCommand):
    help = (
        "Simulate a citizen's reply by SMS or WhatsApp: it goes through the inbound webhook "
        "(signed as Twilio signs it) and is stored, understood and answered as a real one."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("number", help="the sender's phone number, e.g. 0612345678")
        parser.add_argument("text", help="the message, e.g. JA")
        parser.add_argument("--channel", choices=("sms", "whatsapp"), default="sms")
        parser.add_argument("--to", default="", help="our number it is sent to")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        sender = as_e164(options["number"])
        if not sender:
            raise CommandError(f"{options['number']!r} is not a phone number")
        to = as_e164(options["to"]) if options["to"] else DEMO_TO
        if not to:
            raise CommandError(f"--to {options['to']!r} is not a phone number")
        prefix = views.WHATSAPP_PREFIX if options["channel"] == "whatsapp" else ""
        params = {
            "MessageSid": "SM" + uuid.uuid4().hex,
            "AccountSid": settings.TWILIO_ACCOUNT_SID or "AC" + "0" * 32,
            "From": prefix + sender,
            "To": prefix + to,
            "Body": options["text"],
            "NumMedia": "0",
        }
        token = settings.TWILIO_AUTH_TOKEN or DEMO_TOKEN
        with override_settings(TWILIO_AUTH_TOKEN=token):
            request = RequestFactory().post(
                reverse("twilio-inbound"),
                data=urlencode(params),
                content_type="application/x-www-form-urlencoded",
                HTTP_HOST=_host(),
            )
            request.META["HTTP_X_TWILIO_SIGNATURE"] = sign(public_url(request), params)
            response = views.twilio_inbound(request)
        if response.status_code != 200:
            raise CommandError(
                f"the webhook answered {response.status_code}: {response.content.decode()}"
            )
        message = InboundMessage.objects.select_related("reply").get(
            message_sid=params["MessageSid"]
        )
        report: dict[str, Any] = {
            "message_sid": message.message_sid,
            "channel": message.channel,
            "intent": message.intent,
            "language": message.language,
            "case": message.case_id,
            "case_state": message.case.state if message.case else None,
            "inbox": not message.handled,
            "action": message.action,
            "reply": None,
        }
        if message.reply is not None:
            report["reply"] = {
                "template": message.reply.template,
                "language": message.reply.language,
                "status": message.reply.status,
                "body": message.reply.body,
            }
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        case = f"case {message.case_id} ({report['case_state']})" if message.case else "no case"
        self.stdout.write(
            f"reply {message.message_sid}: intent {message.intent}"
            f"{f' ({message.language})' if message.language else ''}, {case}"
            f"{', waits in the inbox' if not message.handled else ''}"
        )
        if message.action:
            self.stdout.write(message.action)
        reply: dict[str, str] | None = report["reply"]
        if reply:
            self.stdout.write(
                f"answered with {reply['template']} ({reply['language']}), {reply['status']}:"
            )
            self.stdout.write(reply["body"])
        else:
            self.stdout.write("no automatic answer")
