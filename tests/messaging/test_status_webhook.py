"""Twilio's delivery status callbacks (POST /webhooks/twilio/status): signatures made and
checked with twilio's own RequestValidator, statuses only forward whatever order the callbacks
come in, and a failure's consequences: the campaign's fallback, a marked number, an opt-out."""

from datetime import datetime, timedelta

import pytest
from twilio.request_validator import RequestValidator

from outreach.cadence.claims import claim_due_steps
from outreach.cadence.execution import execute_steps
from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case
from outreach.core.ddas import EndResult
from outreach.intake.models import OptOut, PhoneNumber
from outreach.messaging.models import Message
from outreach.messaging.transports.twilio.transport import TwilioSmsTransport
from outreach.messaging.transports.twilio.webhooks import record_status
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row
from tests.messaging.fake_twilio import (
    PUBLIC_BASE_URL,
    STATUS_URL,
    FakeTwilio,
    Record,
)

# The fake's fixtures: fake_twilio, twilio_settings.
pytest_plugins = ["tests.messaging.twilio_fixtures"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

MONDAY = datetime(2026, 5, 18, 10, 0, tzinfo=AMSTERDAM)
MOBILE = "+31612345678"
PATH = "/webhooks/twilio/status"


def signed_post(client, fake: FakeTwilio, params: dict[str, str], url: str = STATUS_URL):
    signature = RequestValidator(fake.auth_token).compute_signature(url, params)
    return client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)


@pytest.fixture
def sent(twilio_settings, fake_twilio, municipality, now, engine) -> tuple[Case, Message, Record]:
    """A case whose SMS step the engine sent through Twilio on Monday."""
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)  # Friday: the first letter
    ids = claim_due_steps(MONDAY, timedelta(minutes=10), 100)
    assert execute_steps(ids, MONDAY, TwilioSmsTransport()) == {"done": 1}
    (record,) = fake_twilio.messages
    message = Message.objects.get(transport_id=record.sid)
    return case, message, record


def steps_of(case: Case) -> dict[str, PlannedStep]:
    return {s.key: s for s in PlannedStep.objects.filter(case=case)}


# --- signatures ------------------------------------------------------------------------------


def test_a_callback_without_a_signature_is_refused(client, sent, fake_twilio):
    _, message, record = sent
    response = client.post(PATH, fake_twilio.status_params(record, "delivered"))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == "sent"


def test_a_forged_signature_is_refused(client, sent, fake_twilio):
    _, message, record = sent
    params = fake_twilio.status_params(record, "undelivered", "30003")
    forged = RequestValidator("someone-elses-token").compute_signature(STATUS_URL, params)
    assert client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=forged).status_code == 403
    # Signed for other values: "delivered" signed, "undelivered" posted.
    genuine = RequestValidator(fake_twilio.auth_token).compute_signature(
        STATUS_URL, fake_twilio.status_params(record, "delivered")
    )
    assert client.post(PATH, params, HTTP_X_TWILIO_SIGNATURE=genuine).status_code == 403
    message.refresh_from_db()
    assert message.status == "sent" and "letter2" not in steps_of(message.case)


def test_behind_a_proxy_the_signature_covers_the_public_url(client, sent, fake_twilio):
    _, message, record = sent
    params = fake_twilio.status_params(record, "delivered")
    # What Django sees (http://testserver/...) is not what Twilio called.
    inside = signed_post(client, fake_twilio, params, url="http://testserver" + PATH)
    assert inside.status_code == 403
    assert signed_post(client, fake_twilio, params).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"
    assert PUBLIC_BASE_URL in STATUS_URL


def test_only_post(client, twilio_settings):
    assert client.get(PATH).status_code == 405


# --- statuses --------------------------------------------------------------------------------


def test_out_of_order_callbacks_keep_the_furthest_status(client, sent, fake_twilio):
    _, message, record = sent
    for status in ("delivered", "sent", "sending", "delivered"):
        params = fake_twilio.status_params(record, status)
        assert signed_post(client, fake_twilio, params).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered"
    assert message.error_code == ""


def test_delivered_after_failed_changes_nothing(client, sent, fake_twilio):
    _, message, record = sent
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "failed", "30008"))
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "delivered"))
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("failed", "30008")


def test_an_unknown_sid_is_answered_and_ignored(client, twilio_settings, fake_twilio, caplog):
    record = Record(at=0, status=201, sid="SM" + "9" * 32, to=MOBILE, from_="+3197010000001")
    params = fake_twilio.status_params(record, "undelivered", "30003")
    with caplog.at_level("INFO", logger="outreach.messaging.transports.twilio.webhooks"):
        response = signed_post(client, fake_twilio, params)
    assert response.status_code == 200
    assert Message.objects.count() == 0
    assert MOBILE not in caplog.text  # no personal data in the log


def test_statuses_we_do_not_keep_are_ignored(sent):
    _, message, record = sent
    for status in ("queued", "accepted", "sending", "scheduled", "canceled", "nonsense"):
        assert record_status(record.sid, status, "", MONDAY) == "ignored"
    assert record_status("", "delivered", "", MONDAY) == "ignored"
    message.refresh_from_db()
    assert message.status == "sent"


# --- failures and their consequences ---------------------------------------------------------


def test_undelivered_takes_the_campaigns_fallback_once(client, sent, fake_twilio):
    case, message, record = sent
    params = fake_twilio.status_params(record, "undelivered", "30003")
    assert signed_post(client, fake_twilio, params).status_code == 200
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("undelivered", "30003")
    steps = steps_of(case)
    assert steps["letter2"].status == "planned"
    assert "30003" in steps["sms1"].note
    # The same callback again, and a late "failed": nothing more happens.
    signed_post(client, fake_twilio, params)
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "failed", "30005"))
    message.refresh_from_db()
    assert (message.status, message.error_code) == ("undelivered", "30003")
    assert PlannedStep.objects.filter(case=case, key="letter2").count() == 1


def test_an_unsubscribed_reader_is_an_opt_out(client, sent, fake_twilio):
    case, _, record = sent
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "failed", "21610"))
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED
    assert case.result == EndResult.NO_HELP_WANTED.value
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()
    assert "letter2" not in steps_of(case)
    assert OptOut.objects.filter(person__phone_numbers__e164=MOBILE).count() == 1


def test_an_invalid_number_after_the_fact_is_marked_and_the_letter_follows(
    client, sent, fake_twilio
):
    case, _, record = sent
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "failed", "21211"))
    assert PhoneNumber.objects.get(e164=MOBILE).unusable_reason == "invalid"
    assert steps_of(case)["letter2"].status == "planned"


def test_a_late_whatsapp_answer_goes_again_by_sms(client, twilio_settings, fake_twilio, sent):
    twilio_settings.OUTREACH_TRANSPORTS = {"sms": "twilio-sms"}
    case, _, _ = sent
    answer = Message.objects.create(
        case=case, channel="whatsapp", to=MOBILE, body="Dank u! Sanne belt u vandaag nog.",
        language="nl", template="yes_confirmation", status="sent", transport_id="SM" + "1" * 32,
        created_at=MONDAY, status_at=MONDAY,
    )  # fmt: skip
    record = Record(at=0, status=201, sid=answer.transport_id, to="whatsapp:" + MOBILE)
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "failed", "63016"))
    answer.refresh_from_db()
    assert (answer.status, answer.error_code) == ("failed", "63016")
    again = Message.objects.get(case=case, channel="sms", step_id=None)
    assert again.body == answer.body and again.to == MOBILE and again.status == "sent"
    request = fake_twilio.messages[-1]
    assert (request.sid, request.to, request.body) == (again.transport_id, MOBILE, answer.body)


def test_a_campaign_whatsapp_refused_for_its_session_takes_the_campaigns_fallback(
    client, sent, fake_twilio
):
    case, message, record = sent
    Message.objects.filter(pk=message.pk).update(channel="whatsapp")  # a step's WhatsApp
    signed_post(client, fake_twilio, fake_twilio.status_params(record, "failed", "63016"))
    assert steps_of(case)["letter2"].status == "planned"
    assert Message.objects.filter(case=case).count() == 2  # the letter and the SMS: no resend
