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
from outreach.messaging.transports.base import Outgoing
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


# --- a SID the row never got --------------------------------------------------------------


@pytest.fixture
def unrecorded(twilio_settings, fake_twilio, sent) -> tuple[Message, Record]:
    """A message row whose hand-over Twilio took while the answer was lost (the connection
    dropped): Twilio has the SID, the row has none."""
    case, _, _ = sent
    row = Message.objects.create(
        case=case, channel="sms", to=MOBILE, body="Bel ons gerust.", language="nl",
        status="queued", created_at=MONDAY, status_at=MONDAY,
    )  # fmt: skip
    fake_twilio.drop_after_create.add(MOBILE)
    item = Outgoing(None, case.pk, "sms", MOBILE, row.body, "nl", message_id=row.pk)
    (result,) = TwilioSmsTransport().send([item])
    assert result.outcome == "transient"
    record = fake_twilio.messages[-1]
    assert record.dropped and record.status_callback == f"{STATUS_URL}?message={row.pk}"
    return row, record


def post_to_callback(client, fake: FakeTwilio, record: Record, params: dict[str, str]):
    """As Twilio calls the StatusCallback the message named, signed over that whole URL."""
    query = record.status_callback.removeprefix(STATUS_URL)
    signature = RequestValidator(fake.auth_token).compute_signature(record.status_callback, params)
    return client.post(PATH + query, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_callback_ties_an_unknown_sid_to_the_row_its_url_names(client, unrecorded, fake_twilio):
    row, record = unrecorded
    params = fake_twilio.status_params(record, "sent")
    assert post_to_callback(client, fake_twilio, record, params).status_code == 200
    row.refresh_from_db()
    assert (row.transport_id, row.status) == (record.sid, "sent")
    # From now on the SID finds it, as any other message.
    post_to_callback(client, fake_twilio, record, fake_twilio.status_params(record, "delivered"))
    row.refresh_from_db()
    assert row.status == "delivered"


def test_a_status_we_do_not_keep_ties_the_sid_all_the_same(unrecorded):
    row, record = unrecorded
    assert record_status(record.sid, "queued", "", MONDAY, row.pk) == "ignored"
    row.refresh_from_db()
    assert (row.transport_id, row.status) == (record.sid, "queued")


def test_a_failure_of_an_unknown_sid_takes_the_failure_path_of_its_row(unrecorded):
    row, record = unrecorded
    assert record_status(record.sid, "undelivered", "30003", MONDAY, row.pk) == "failed"
    row.refresh_from_db()
    assert (row.transport_id, row.status, row.error_code) == (record.sid, "undelivered", "30003")


def test_a_row_with_a_sid_of_its_own_is_not_tied_to_another(unrecorded):
    row, record = unrecorded
    Message.objects.filter(pk=row.pk).update(transport_id="SM" + "7" * 32)
    assert record_status(record.sid, "delivered", "", MONDAY, row.pk) == "unknown"
    assert record_status(record.sid, "delivered", "", MONDAY, row.pk + 1000) == "unknown"
    row.refresh_from_db()
    assert (row.transport_id, row.status) == ("SM" + "7" * 32, "queued")


def test_the_message_in_the_url_is_covered_by_the_signature(client, unrecorded, fake_twilio):
    row, record = unrecorded
    params = fake_twilio.status_params(record, "delivered")
    # Signed without the query, posted with it: someone else's URL.
    signature = RequestValidator(fake_twilio.auth_token).compute_signature(STATUS_URL, params)
    response = client.post(f"{PATH}?message={row.pk}", params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.transport_id == ""


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
