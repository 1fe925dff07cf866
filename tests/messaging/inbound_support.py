"""Fixtures for the tests of citizens' replies: a signed Twilio POST, a transport that
records what it is asked to send, and people with cases and phone numbers."""

import uuid
from collections.abc import Callable, Sequence
from typing import Any, ClassVar
from urllib.parse import urlencode

import pytest
from django.http import HttpResponse
from django.test import Client

from outreach.casework.models import Case
from outreach.intake.models import Person
from outreach.messaging.inbound.grammar import reset_grammar
from outreach.messaging.transports.base import SENT, Outgoing, Result
from outreach.messaging.transports.registry import reset_transports
from outreach.messaging.transports.twilio.signature import sign
from tests.cadence.conftest import ingest
from tests.conftest import set_contact, signal_row

TOKEN = "test-auth-token-0123456789"
URL = "/webhooks/twilio/inbound"
PHONE = "+31612345678"  # signal_row's "06 12345678"
OUR_NUMBER = "+3197010000001"


def new_sid() -> str:
    return "SM" + uuid.uuid4().hex


class RecordingTransport:
    """Answers `outcome` for every message and keeps what it was given."""

    sent: ClassVar[list[Outgoing]] = []
    outcome: ClassVar[Result] = Result(SENT, transport_id="SMrecorded")

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        RecordingTransport.sent.extend(batch)
        return [RecordingTransport.outcome for _ in batch]


@pytest.fixture(autouse=True)
def inbound_settings(settings: Any) -> Any:
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.OUTREACH_PUBLIC_BASE_URL = ""
    settings.OUTREACH_TRANSPORT = "tests.messaging.inbound_support.RecordingTransport"
    settings.OUTREACH_TRANSPORTS = {}
    RecordingTransport.sent = []
    RecordingTransport.outcome = Result(SENT, transport_id="SMrecorded")
    reset_transports()
    reset_grammar()
    yield settings
    reset_transports()
    reset_grammar()


def signed_post(
    client: Client,
    params: dict[str, str],
    *,
    token: str | None = None,
    url: str = "http://testserver" + URL,
    signature: str | None = None,
) -> HttpResponse:
    """POST `params` as Twilio does (form-encoded), signed with `token` for `url`."""
    if signature is None:
        from django.test import override_settings

        with override_settings(TWILIO_AUTH_TOKEN=token or TOKEN):
            signature = sign(url, params)
    headers = {"HTTP_X_TWILIO_SIGNATURE": signature} if signature else {}
    response: HttpResponse = client.post(
        URL, urlencode(params), content_type="application/x-www-form-urlencoded", **headers
    )
    return response


def twilio_params(
    body: str,
    sender: str = PHONE,
    *,
    channel: str = "sms",
    sid: str | None = None,
    to: str = OUR_NUMBER,
) -> dict[str, str]:
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    return {
        "MessageSid": sid or new_sid(),
        "SmsMessageSid": sid or "",
        "AccountSid": "AC" + "1" * 32,
        "From": prefix + sender,
        "To": prefix + to,
        "Body": body,
        "NumMedia": "0",
        "NumSegments": "1",
        "ProfileName": "Jan",
        "FromCity": "UTRECHT",
    }


@pytest.fixture
def reply(client: Client) -> Callable[..., HttpResponse]:
    """reply("JA", sender=PHONE, channel="sms", sid=None, to=OUR_NUMBER): a signed reply."""

    def send(body: str, sender: str = PHONE, **options: Any) -> HttpResponse:
        response = signed_post(client, twilio_params(body, sender, **options))
        assert response.status_code == 200, response.content
        return response

    return send


@pytest.fixture
def case(municipality: Any, now: Any) -> Case:
    """A new case of Jan Jansen, mobile 06 12345678, in Utrecht."""
    set_contact(
        municipality,
        {
            "team": "Team Geldzorgen",
            "worker_name": "Fatima el Amrani",
            "worker_phone": "030 286 0000",
            "phone": "14 030",
            "reply_number": "097010000001",
        },
    )
    (made,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return made


def person_of(case: Case) -> Person:
    return Person.objects.get(household=case.household)
