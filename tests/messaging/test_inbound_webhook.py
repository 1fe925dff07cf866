"""POST /webhooks/twilio/inbound: only Twilio's signed requests, stored whole and once,
unknown numbers kept without an answer, an empty TwiML answer."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import pytest
from django.test import Client

from outreach.casework.models import Case
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.models import Message
from outreach.messaging.transports.twilio.signature import sign
from tests.messaging.inbound_support import (
    PHONE,
    URL,
    RecordingTransport,
    case,
    inbound_settings,
    new_sid,
    reply,
    signed_post,
    twilio_params,
)

pytestmark = pytest.mark.django_db


def test_a_signed_reply_is_stored_and_answered_with_empty_twiml(client, case):
    params = twilio_params("JA")
    response = signed_post(client, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode().endswith("<Response/>")
    stored = InboundMessage.objects.get()
    assert (stored.message_sid, stored.channel, stored.from_number, stored.body) == (
        params["MessageSid"],
        "sms",
        PHONE,
        "JA",
    )
    assert (stored.intent, stored.case_id, stored.municipality_id) == (
        "yes",
        case.pk,
        case.municipality_id,
    )


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": ""},  # missing
        {"signature": "bm90IGEgc2lnbmF0dXJl"},  # made up
        {"token": "someone-elses-token"},  # signed with another account's token
        {"url": "http://testserver/webhooks/twilio/status"},  # signed for another URL
    ],
)
def test_forged_or_missing_signatures_are_refused(client, case, forgery):
    response = signed_post(client, twilio_params("STOP"), **forgery)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()
    assert Case.objects.get(pk=case.pk).state == Case.State.NEW
    assert not RecordingTransport.sent


def test_a_signature_over_other_parameters_is_refused(client, case):
    params = twilio_params("JA")
    signed = signed_post(client, params, signature=None)
    assert signed.status_code == 200
    signature = sign("http://testserver" + URL, params)
    tampered = {**params, "MessageSid": new_sid(), "Body": "STOP"}
    response = signed_post(client, tampered, signature=signature)
    assert response.status_code == 403
    assert InboundMessage.objects.count() == 1


def test_without_an_auth_token_nothing_is_accepted(client, case, settings):
    params = twilio_params("JA")
    settings.TWILIO_AUTH_TOKEN = ""
    response = signed_post(client, params)
    assert response.status_code == 403


def test_get_is_not_allowed(client):
    assert Client().get(URL).status_code == 405


def test_a_signed_request_without_message_sid_or_sender_is_a_bad_request(client, case):
    params = twilio_params("JA")
    del params["MessageSid"], params["SmsMessageSid"]
    assert signed_post(client, params).status_code == 400
    params = {**twilio_params("JA"), "From": ""}
    assert signed_post(client, params).status_code == 400
    assert not InboundMessage.objects.exists()


def test_a_replayed_message_sid_does_nothing(client, case):
    params = twilio_params("BEL MIJ")
    first = signed_post(client, params)
    again = signed_post(client, params)
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert InboundMessage.objects.count() == 1
    assert case.tasks.count() == 1
    assert Message.objects.filter(case=case).count() == 1
    assert len(RecordingTransport.sent) == 1
    # A replay with another body (a forgery would need the token) changes nothing either.
    assert signed_post(client, {**params, "Body": "STOP"}).status_code == 200
    assert Case.objects.get(pk=case.pk).state == Case.State.HELP_OFFER
    assert InboundMessage.objects.get().body == "BEL MIJ"


def test_an_unknown_number_is_stored_without_answer_or_case(reply, case):
    reply("JA", sender="+31687654321")
    stored = InboundMessage.objects.get()
    assert (stored.person, stored.case, stored.intent) == (None, None, "yes")
    assert not stored.handled  # the inbox shows it
    # Sent to Utrecht's reply number: Utrecht's inbox.
    assert stored.municipality_id == case.municipality_id
    assert "Onbekend nummer" in stored.action
    assert not RecordingTransport.sent and not Message.objects.exists()
    assert Case.objects.get(pk=case.pk).state == Case.State.NEW


def test_stop_from_an_unknown_number_sends_nothing(reply, case):
    reply("STOP", sender="+31687654321", to="+3197000000099")
    stored = InboundMessage.objects.get()
    assert (stored.intent, stored.handled, stored.municipality) == ("stop", True, None)
    assert not RecordingTransport.sent
    assert Case.objects.get(pk=case.pk).state == Case.State.NEW


def test_a_sender_that_is_no_phone_number_is_unknown(reply, case):
    reply("JA", sender="TWILIO")
    stored = InboundMessage.objects.get()
    assert (stored.from_number, stored.person) == ("TWILIO", None)


def test_emoji_and_a_1600_character_body_are_stored_whole(reply, case):
    long_body = ("Beste mevrouw, ik schrijf u over de rekening. 💶🙏 " * 40)[:1600]
    assert len(long_body) == 1600
    reply(long_body)
    reply("Ja 👍🏽 ❤️ 👨‍👩‍👧")
    first, second = InboundMessage.objects.order_by("pk")
    assert first.body == long_body and first.intent == "other"
    assert second.body == "Ja 👍🏽 ❤️ 👨‍👩‍👧" and second.intent == "yes"


def test_nul_characters_are_dropped_and_overlong_bodies_cut(reply, case, settings):
    settings.OUTREACH_INBOUND_MAX_BODY = 100
    reply("ja\x00")
    reply("x" * 500)
    first, second = InboundMessage.objects.order_by("pk")
    assert first.body == "ja" and first.intent == "yes"
    assert second.body == "x" * 100


def test_whatsapp_replies_are_answered_in_the_session(reply, case):
    reply("JA", channel="whatsapp")
    stored = InboundMessage.objects.get()
    assert (stored.channel, stored.from_number, stored.to_number) == (
        "whatsapp",
        PHONE,
        "+3197010000001",
    )
    (sent,) = RecordingTransport.sent
    assert (sent.channel, sent.to, sent.in_session, sent.step_id) == ("whatsapp", PHONE, True, None)
    message = Message.objects.get()
    assert (message.channel, message.to, message.step_id) == ("whatsapp", PHONE, None)


def test_only_what_we_need_is_stored(reply, case):
    params = twilio_params("JA")
    params.update(NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1")
    response = signed_post(Client(), params)
    assert response.status_code == 200
    stored = InboundMessage.objects.get()
    fields = {f.name for f in InboundMessage._meta.get_fields()}
    assert "Jan" not in str([getattr(stored, f, "") for f in fields if f != "person"])
    assert "UTRECHT" not in str([getattr(stored, f, "") for f in fields if f != "person"])
    assert "1 bijlage(n) niet opgeslagen" in stored.action


def test_the_public_base_url_is_what_twilio_signed(client, case, settings):
    settings.OUTREACH_PUBLIC_BASE_URL = "https://outreach.example.nl/"
    params = twilio_params("JA")
    assert signed_post(client, params).status_code == 403  # signed for testserver
    url = "https://outreach.example.nl" + URL
    assert signed_post(client, params, url=url).status_code == 200
