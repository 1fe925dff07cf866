"""The Twilio transports against a local stand-in of Twilio's API (tests/messaging/fake_twilio.py)
that checks every request as Twilio does and answers in Twilio's shapes; and the engine sending
through them."""

import base64
import json
import socket
import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from twilio.http.http_client import TwilioHttpClient

from outreach.cadence.claims import claim_due_steps
from outreach.cadence.execution import execute_steps
from outreach.cadence.models import PlannedStep
from outreach.cadence.recipients import load_recipients
from outreach.casework.models import Case, ContactAttempt
from outreach.core.ddas import EndResult
from outreach.intake.models import OptOut, PhoneNumber
from outreach.messaging.models import Message
from outreach.messaging.texts.compose import PublishedTexts, Reader, compose
from outreach.messaging.transports.base import PERMANENT, SENT, TRANSIENT, Outgoing
from outreach.messaging.transports.ratelimit import QUIET_HOURS, RATE_LIMITED, LocalLimiter
from outreach.messaging.transports.registry import ChannelRouter
from outreach.messaging.transports.twilio.transport import (
    OutreachHttpClient,
    TwilioSmsTransport,
    TwilioWhatsAppTransport,
)
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row
from tests.messaging.fake_twilio import (
    CONTENT,
    SERVICE,
    SMS_FROM,
    STATUS_URL,
    WHATSAPP_FROM,
)

# The fake's fixtures: fake_twilio, twilio_settings.
pytest_plugins = ["tests.messaging.twilio_fixtures"]

pytestmark = pytest.mark.usefixtures("campaign_dir")

MONDAY = datetime(2026, 5, 18, 10, 0, tzinfo=AMSTERDAM)
MOBILE = "+31612345678"


def sms(to: str = MOBILE, body: str = "Hallo, wij helpen u graag.", step: int = 1) -> Outgoing:
    return Outgoing(step, 1, "sms", to, body, "nl", "reminder", 1)


def whatsapp(to: str = MOBILE, *, in_session: bool = False, **values: object) -> Outgoing:
    defaults: dict[str, object] = {
        "body": "Hoi! Dit is Sanne van Gemeente Utrecht.",
        "language": "nl",
        "template": "whatsapp",
        "variables": {
            "worker_name": "Sanne de Vries",
            "municipality": "Gemeente Utrecht",
            "worker_phone": "030 123 4567",
            "name": "J. Jansen",
        },
    }
    defaults.update(values)
    return Outgoing(
        1, 1, "whatsapp", to, str(defaults["body"]), str(defaults["language"]),
        str(defaults["template"]), 1, in_session=in_session,
        variables=defaults["variables"],  # type: ignore[arg-type]
    )  # fmt: skip


# --- SMS -----------------------------------------------------------------------------------


def test_an_sms_is_posted_as_twilio_expects_it_and_answered_with_its_sid(
    twilio_settings, fake_twilio
):
    (result,) = TwilioSmsTransport().send([sms()])
    assert result.outcome == SENT and result.transport_id.startswith("SM")
    (request,) = fake_twilio.requests
    assert request.status == 201 and request.sid == result.transport_id
    assert request.form == {
        "To": MOBILE,
        "From": SMS_FROM,
        "Body": "Hallo, wij helpen u graag.",
        "StatusCallback": STATUS_URL,
    }


def test_a_messaging_service_is_the_sender_without_a_from(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_FROM = ""
    twilio_settings.OUTREACH_TWILIO_MESSAGING_SERVICE_SID = SERVICE
    (result,) = TwilioSmsTransport().send([sms()])
    assert result.outcome == SENT  # Twilio answers "accepted": handed over all the same
    (request,) = fake_twilio.requests
    assert request.form["MessagingServiceSid"] == SERVICE and "From" not in request.form


def test_a_pool_of_senders_gives_each_reader_always_the_same_one(twilio_settings, fake_twilio):
    pool = [f"+319701000000{i}" for i in range(4)]
    twilio_settings.OUTREACH_TWILIO_SENDERS = pool
    numbers = [f"+316123450{i:02d}" for i in range(40)]
    transport = TwilioSmsTransport()
    transport.send([sms(n) for n in numbers])
    transport.send([sms(n) for n in numbers])
    senders: dict[str, set[str]] = {}
    for request in fake_twilio.requests:
        senders.setdefault(request.to, set()).add(request.from_)
    assert all(len(s) == 1 for s in senders.values())
    assert {s for (s,) in senders.values()} == set(pool)  # 40 readers spread over all four


def test_without_a_sender_or_public_url_the_transport_does_not_start(twilio_settings):
    twilio_settings.OUTREACH_TWILIO_FROM = ""
    with pytest.raises(ImproperlyConfigured, match="OUTREACH_TWILIO_FROM"):
        TwilioSmsTransport()
    twilio_settings.OUTREACH_TWILIO_FROM = SMS_FROM
    twilio_settings.OUTREACH_PUBLIC_BASE_URL = ""
    with pytest.raises(ImproperlyConfigured, match="OUTREACH_PUBLIC_BASE_URL"):
        TwilioSmsTransport()


def test_emoji_and_a_body_of_1600_characters_go_whole(twilio_settings, fake_twilio):
    emoji = "Wij helpen u graag 🙂 Bel ons gerust."
    long_gsm = "a" * 1600
    long_emoji = "🙂" * 800  # 1,600 UTF-16 code units: Twilio's limit
    results = TwilioSmsTransport().send([sms(body=emoji), sms(body=long_gsm), sms(body=long_emoji)])
    assert [r.outcome for r in results] == [SENT, SENT, SENT]
    bodies = {r.body: r.segments for r in fake_twilio.requests}
    # GSM-7: 153 a segment; UCS-2: 67 units a segment, and an emoji (two) is never split.
    assert bodies == {emoji: 1, long_gsm: 11, long_emoji: 25}


def test_a_body_over_1600_characters_is_refused_without_a_request(twilio_settings, fake_twilio):
    results = TwilioSmsTransport().send([sms(body="a" * 1601), sms(body="🙂" * 801)])
    assert [(r.outcome, r.error_code) for r in results] == [(PERMANENT, "21617")] * 2
    assert fake_twilio.requests == []


@pytest.mark.parametrize(
    ("to", "outcome", "code"),
    [
        ("+31699921211", PERMANENT, "21211"),  # not a valid number
        ("+31699921614", PERMANENT, "21614"),  # not a mobile
        ("+31699921610", PERMANENT, "21610"),  # the reader sent STOP
        ("+31699920429", TRANSIENT, "20429"),  # too many requests
        ("+31699920500", TRANSIENT, "20500"),
        ("+31699920503", TRANSIENT, "20503"),
        ("06 12345678", PERMANENT, "21211"),  # not E.164: Twilio refuses it as invalid
    ],
)
def test_twilio_errors_become_outcomes_with_their_code(
    twilio_settings, fake_twilio, to, outcome, code
):
    (result,) = TwilioSmsTransport().send([sms(to)])
    assert (result.outcome, result.error_code) == (outcome, code)
    assert result.error.startswith(f"Twilio {code}")
    assert to not in result.error  # the note names no number
    (request,) = fake_twilio.requests
    assert request.error_code == int(code)


def test_a_slow_twilio_times_out_as_a_transient_error(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_TIMEOUT = 0.3
    fake_twilio.slow_seconds = 2.0
    (result,) = TwilioSmsTransport().send([sms("+31699920504")])
    assert result.outcome == TRANSIENT and "ReadTimeout" in result.error


def test_an_unreachable_twilio_is_a_transient_error(twilio_settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    twilio_settings.OUTREACH_TWILIO_API_URL = f"http://127.0.0.1:{port}"
    (result,) = TwilioSmsTransport().send([sms()])
    assert result.outcome == TRANSIENT and "ConnectionError" in result.error


def test_wrong_credentials_are_transient_not_the_readers_fault(twilio_settings, fake_twilio):
    twilio_settings.TWILIO_AUTH_TOKEN = "not-the-token"
    (result,) = TwilioSmsTransport().send([sms()])
    assert (result.outcome, result.error_code) == (TRANSIENT, "20003")
    assert fake_twilio.requests[0].status == 401


def test_the_client_authenticates_with_the_account_and_sets_a_timeout(twilio_settings):
    transport = TwilioSmsTransport()
    http = transport.client.http_client
    assert isinstance(http, TwilioHttpClient) and http.timeout == 5.0
    assert transport.client.auth == (twilio_settings.TWILIO_ACCOUNT_SID, "fake-auth-token-" +
                                     "0123456789abcdef")  # fmt: skip


def test_an_injected_http_client_sees_every_request(twilio_settings, fake_twilio):
    seen = []

    class Recording(OutreachHttpClient):
        def request(self, method, url, *args, **kwargs):
            seen.append((method, url, kwargs["data"], kwargs["auth"]))
            return super().request(method, url, *args, **kwargs)

    transport = TwilioSmsTransport(http_client=Recording(1.0, fake_twilio.url))
    (result,) = transport.send([sms()])
    assert result.outcome == SENT
    ((method, url, data, auth),) = seen
    sid = twilio_settings.TWILIO_ACCOUNT_SID
    assert (method, url) == (
        "POST",
        f"https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json",
    )
    assert data["StatusCallback"] == STATUS_URL and auth == (sid, fake_twilio.auth_token)
    header = fake_twilio.authorization.removeprefix("Basic ")
    assert base64.b64decode(header).decode() == f"{sid}:{fake_twilio.auth_token}"


def test_one_bad_number_does_not_hold_up_the_batch(twilio_settings, fake_twilio):
    batch = [sms(f"+316123450{i:02d}", step=i) for i in range(30)]
    batch[7] = sms("+31699921211", step=7)
    batch[20] = sms("+31699920503", step=20)
    results = TwilioSmsTransport().send(batch)
    outcomes = [r.outcome for r in results]
    assert outcomes[7] == PERMANENT and outcomes[20] == TRANSIENT
    assert outcomes.count(SENT) == 28
    assert len({r.transport_id for r in results if r.outcome == SENT}) == 28


# --- quiet hours and the rate ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("clock", "held"),
    [("20:59", False), ("21:00", True), ("23:30", True), ("07:59", True), ("08:00", False)],
)
def test_nothing_goes_out_in_the_quiet_hours(twilio_settings, fake_twilio, clock, held):
    twilio_settings.OUTREACH_QUIET_HOURS = "21:00-08:00"
    moment = datetime.fromisoformat(f"2026-05-18T{clock}").replace(tzinfo=AMSTERDAM)
    (result,) = TwilioSmsTransport(clock=lambda: moment).send([sms()])
    if held:
        assert (result.outcome, result.error_code) == (TRANSIENT, QUIET_HOURS)
        assert fake_twilio.requests == []
    else:
        assert result.outcome == SENT


def test_each_message_keeps_the_quiet_hours_of_its_municipality(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_QUIET_HOURS = "21:00-08:00"
    evening = datetime.fromisoformat("2026-05-18T20:30").replace(tzinfo=AMSTERDAM)
    early = replace(sms("+31612345601", step=1), quiet_hours="20:00-08:00")
    default = sms("+31612345602", step=2)  # None: the service's default
    none = replace(sms("+31612345603", step=3), quiet_hours="")
    held, sent, free = TwilioSmsTransport(clock=lambda: evening).send([early, default, none])
    assert (held.outcome, held.error_code) == (TRANSIENT, QUIET_HOURS)
    assert "20:00-08:00" in held.error
    assert (sent.outcome, free.outcome) == (SENT, SENT)
    assert sorted(r.form["To"] for r in fake_twilio.requests) == ["+31612345602", "+31612345603"]
    night = datetime.fromisoformat("2026-05-18T23:30").replace(tzinfo=AMSTERDAM)
    results = TwilioSmsTransport(clock=lambda: night).send([default, none])
    assert [r.outcome for r in results] == [TRANSIENT, SENT]


def test_an_answer_to_someone_who_wrote_goes_out_at_night(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_QUIET_HOURS = "21:00-08:00"
    night = datetime.fromisoformat("2026-05-18T23:30").replace(tzinfo=AMSTERDAM)
    answer = replace(sms(), step_id=None)
    (result,) = TwilioSmsTransport(clock=lambda: night).send([answer])
    assert result.outcome == SENT and len(fake_twilio.requests) == 1


def test_a_sender_at_its_rate_holds_the_rest_back(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_SMS_RATES = {SMS_FROM: 3}
    twilio_settings.OUTREACH_RATE_MAX_WAIT = 0.0
    transport = TwilioSmsTransport(limiter=LocalLimiter(1.0))
    results = transport.send([sms(f"+316123450{i:02d}") for i in range(5)])
    assert sorted(r.outcome for r in results) == [SENT] * 3 + [TRANSIENT] * 2
    assert {r.error_code for r in results if r.outcome == TRANSIENT} == {RATE_LIMITED}
    assert len(fake_twilio.requests) == 3


def test_a_sender_at_its_rate_does_not_hold_up_the_others(twilio_settings, fake_twilio):
    slow, fast = "+3197010000011", "+3197010000012"
    twilio_settings.OUTREACH_TWILIO_SENDERS = [slow, fast]
    twilio_settings.OUTREACH_SMS_RATES = {slow: 1, fast: 1000}
    twilio_settings.OUTREACH_RATE_MAX_WAIT = 0.3
    transport = TwilioSmsTransport(limiter=LocalLimiter(1.0))
    batch = [sms(f"+316123450{i:02d}", step=i) for i in range(40)]
    on_slow = [transport.sender_for(item.to) == slow for item in batch]
    assert 5 < sum(on_slow) < 35
    began = time.monotonic()
    results = transport.send(batch)
    assert time.monotonic() - began < 1.0  # nobody waited out the slow sender's second
    for result, slowly in zip(results, on_slow, strict=True):
        if not slowly:
            assert result.outcome == SENT
    held = [r for r, slowly in zip(results, on_slow, strict=True) if slowly]
    assert [r.outcome for r in held].count(SENT) == 1
    assert {r.error_code for r in held if r.outcome != SENT} == {RATE_LIMITED}


class CountingLimiter(LocalLimiter):
    """The in-process window, counting the round trips, the segments taken and released."""

    def __init__(self) -> None:
        super().__init__(1.0)
        self.calls = 0
        self.segments = 0
        self.released: list[int] = []

    def try_acquire_many(self, sender, costs, rate):
        self.calls += 1
        holds, wait = super().try_acquire_many(sender, costs, rate)
        self.segments += sum(hold.cost for hold in holds)
        return holds, wait

    def release(self, hold):
        self.released.append(hold.first)
        super().release(hold)


def test_a_batch_takes_its_segments_in_runs(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_THREADS = 4
    limiter = CountingLimiter()
    batch = [sms(f"+316123{i:05d}", step=i) for i in range(200)]
    results = TwilioSmsTransport(limiter=limiter).send(batch)
    assert [r.outcome for r in results] == [SENT] * 200
    assert limiter.segments == 200 and limiter.calls < 100  # not a round trip a message
    assert len(fake_twilio.messages) == 200


def test_each_message_releases_its_segments_once_twilio_answered(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_THREADS = 4
    fake_twilio.errors["+31612300003"] = 21211  # refused: an answer all the same
    limiter = CountingLimiter()
    batch = [sms(f"+316123{i:05d}", step=i) for i in range(20)]
    results = TwilioSmsTransport(limiter=limiter).send(batch)
    assert [r.outcome for r in results].count(SENT) == 19
    assert limiter.segments == 20
    assert sorted(limiter.released) == list(range(1, 21))  # every hold, once


def test_a_request_without_an_answer_keeps_its_segments_until_the_lease_ends(
    twilio_settings, fake_twilio
):
    twilio_settings.OUTREACH_TWILIO_API_URL = "http://127.0.0.1:9"  # nobody answers
    limiter = CountingLimiter()
    (result,) = TwilioSmsTransport(limiter=limiter).send([sms()])
    assert result.outcome == TRANSIENT
    assert limiter.segments == 1 and limiter.released == []


def test_a_failing_release_does_not_make_a_sent_message_look_unsent(
    twilio_settings, fake_twilio, caplog
):
    class Unreleasable(LocalLimiter):
        def release(self, hold):
            raise ConnectionError("redis down")

    (result,) = TwilioSmsTransport(limiter=Unreleasable(1.0)).send([sms()])
    assert result.outcome == SENT
    assert "Releasing a rate hold failed: ConnectionError" in caplog.text


def test_an_unreachable_rate_window_fails_the_run_not_the_batch(twilio_settings, fake_twilio):
    class Broken(LocalLimiter):
        def try_acquire_many(self, sender, costs, rate):
            raise ConnectionError("redis down")

    twilio_settings.OUTREACH_TWILIO_THREADS = 4
    results = TwilioSmsTransport(limiter=Broken(1.0)).send([sms(step=i) for i in range(10)])
    assert {r.outcome for r in results} == {TRANSIENT}
    assert fake_twilio.requests == []


def test_segments_count_against_the_rate(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_SMS_RATES = {SMS_FROM: 4}
    twilio_settings.OUTREACH_RATE_MAX_WAIT = 0.0
    transport = TwilioSmsTransport(limiter=LocalLimiter(1.0))
    transport.threads = 1
    three = "x" * 400  # three segments
    results = transport.send([sms(body=three), sms(body="kort"), sms(body="kort")])
    assert [r.outcome for r in results] == [SENT, SENT, TRANSIENT]


def test_waiting_for_the_rate_sends_later_instead(twilio_settings, fake_twilio):
    clock = [0.0]
    slept = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    twilio_settings.OUTREACH_SMS_RATES = {SMS_FROM: 2}
    twilio_settings.OUTREACH_RATE_MAX_WAIT = 5.0
    transport = TwilioSmsTransport(limiter=LocalLimiter(1.0, lambda: clock[0]), sleep=sleep)
    transport.threads = 1
    results = transport.send([sms(f"+316123450{i:02d}") for i in range(5)])
    assert [r.outcome for r in results] == [SENT] * 5
    assert slept == [1.0, 1.0]


# --- WhatsApp --------------------------------------------------------------------------------


def test_whatsapp_outside_a_session_is_the_approved_template_without_a_body(
    twilio_settings, fake_twilio
):
    (result,) = TwilioWhatsAppTransport().send([whatsapp()])
    assert result.outcome == SENT
    (request,) = fake_twilio.requests
    assert request.form == {
        "To": "whatsapp:" + MOBILE,
        "From": WHATSAPP_FROM,
        "ContentSid": CONTENT["whatsapp"]["nl"],
        "ContentVariables": request.form["ContentVariables"],
        "StatusCallback": STATUS_URL,
    }
    assert json.loads(request.content_variables) == {
        "1": "Sanne de Vries",
        "2": "Gemeente Utrecht",
        "3": "030 123 4567",
    }


def test_the_template_is_in_the_readers_language_or_dutch(twilio_settings, fake_twilio):
    transport = TwilioWhatsAppTransport()
    transport.send([whatsapp("+31612345671", language="en"), whatsapp(language="tr")])
    assert {r.to: r.content_sid for r in fake_twilio.requests} == {
        "whatsapp:+31612345671": CONTENT["whatsapp"]["en"],
        "whatsapp:" + MOBILE: CONTENT["whatsapp"]["nl"],
    }


def test_an_empty_variable_is_left_to_the_templates_own_value(twilio_settings, fake_twilio):
    values = {"worker_name": "", "municipality": "Gemeente Utrecht", "worker_phone": "030 1"}
    (result,) = TwilioWhatsAppTransport().send([whatsapp(variables=values)])
    assert result.outcome == SENT
    assert json.loads(fake_twilio.requests[0].content_variables) == {
        "2": "Gemeente Utrecht",
        "3": "030 1",
    }


def test_a_text_without_an_approved_template_is_not_sent_outside_a_session(
    twilio_settings, fake_twilio
):
    (result,) = TwilioWhatsAppTransport().send([whatsapp(template="reminder")])
    assert result.outcome == PERMANENT and "sjabloon" in result.error
    assert fake_twilio.requests == []


def test_whatsapp_in_a_session_is_free_text(twilio_settings, fake_twilio):
    body = "Dank u! Sanne belt u vandaag nog. 👍"
    (result,) = TwilioWhatsAppTransport().send([whatsapp(in_session=True, body=body)])
    assert result.outcome == SENT
    (request,) = fake_twilio.requests
    assert request.body == body and not request.content_sid


def test_a_closed_session_sends_the_approved_template_instead(twilio_settings, fake_twilio):
    late = whatsapp("+31699963016", in_session=True, template="yes_confirmation")
    (result,) = TwilioWhatsAppTransport().send([late])
    assert result.outcome == SENT
    refused, template = fake_twilio.requests
    assert refused.error_code == 63016 and refused.body is not None
    assert template.sid == result.transport_id
    assert template.content_sid == CONTENT["yes_confirmation"]["nl"] and template.body is None


def test_a_closed_session_without_a_template_is_refused_with_63016(twilio_settings, fake_twilio):
    late = whatsapp("+31699963016", in_session=True, template="info")
    (result,) = TwilioWhatsAppTransport().send([late])
    assert (result.outcome, result.error_code) == (PERMANENT, "63016")


def test_a_messaging_service_serves_whatsapp_too(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_WHATSAPP_FROM = ""
    twilio_settings.OUTREACH_TWILIO_MESSAGING_SERVICE_SID = SERVICE
    (result,) = TwilioWhatsAppTransport().send([whatsapp()])
    assert result.outcome == SENT
    assert fake_twilio.requests[0].form["MessagingServiceSid"] == SERVICE


def test_compose_hands_the_plain_context_values_to_the_template(municipality, now):
    reader = Reader("J. Jansen", "nl", [], ["Energie"], "0344-000001")
    place = {"name": "Gemeente Utrecht", "worker_name": "Sanne de Vries", "phone": "030 1"}
    text = compose("whatsapp", reader, place, now.date(), PublishedTexts())
    assert text.variables["worker_name"] == "Sanne de Vries"
    assert text.variables["municipality"] == "Gemeente Utrecht"
    assert text.variables["worker_phone"] == "030 1"
    assert text.variables["stop"] == "STOP"


# --- through the engine ----------------------------------------------------------------------


@pytest.fixture
def sms_case(municipality, now, engine):
    """A case whose first letter went out on Friday; its SMS is due on Monday 09:00."""
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    return case


def run_monday(transport):
    ids = claim_due_steps(MONDAY, timedelta(minutes=10), 100)
    return execute_steps(ids, MONDAY, transport)


def steps_of(case):
    return {s.key: s for s in PlannedStep.objects.filter(case=case)}


@pytest.mark.django_db
def test_the_engine_sends_a_cases_sms_through_twilio(twilio_settings, fake_twilio, sms_case):
    assert run_monday(TwilioSmsTransport()) == {"done": 1}
    message = Message.objects.get(case=sms_case, channel="sms")
    (request,) = fake_twilio.requests
    assert message.transport_id == request.sid and message.status == "sent"
    assert request.to == MOBILE and request.body == message.body
    assert request.status_callback == f"{STATUS_URL}?message={message.pk}"
    assert ContactAttempt.objects.filter(case=sms_case, kind="SMS/Whatsapp").count() == 1


@pytest.mark.django_db
def test_an_invalid_number_is_marked_and_the_letter_follows(twilio_settings, fake_twilio, sms_case):
    fake_twilio.errors[MOBILE] = 21211
    assert run_monday(TwilioSmsTransport()) == {"failed": 1}
    steps = steps_of(sms_case)
    assert "ongeldig nummer" in steps["sms1"].note
    assert steps["letter2"].status == "planned"
    phone = PhoneNumber.objects.get(e164=MOBILE)
    assert phone.unusable_reason == "invalid" and phone.unusable_at == MONDAY
    assert load_recipients([sms_case.pk])[sms_case.pk].mobile == ""


@pytest.mark.django_db
def test_a_landline_is_no_longer_texted_but_stays_on_file(twilio_settings, fake_twilio, sms_case):
    fake_twilio.errors[MOBILE] = 21614
    run_monday(TwilioSmsTransport())
    phone = PhoneNumber.objects.get(e164=MOBILE)
    assert phone.unusable_reason == "not_mobile"  # still there, for a caseworker's call
    assert load_recipients([sms_case.pk])[sms_case.pk].mobile == ""
    assert steps_of(sms_case)["letter2"].status == "planned"


@pytest.mark.django_db
def test_an_unsubscribed_number_is_an_opt_out(twilio_settings, fake_twilio, sms_case):
    fake_twilio.errors[MOBILE] = 21610
    run_monday(TwilioSmsTransport())
    sms_case.refresh_from_db()
    assert sms_case.state == Case.State.CLOSED
    assert sms_case.result == EndResult.NO_HELP_WANTED.value
    steps = steps_of(sms_case)
    assert steps["sms1"].status == "failed"
    assert all(s.status not in PlannedStep.OPEN for s in steps.values())
    (opt_out,) = OptOut.objects.all()
    assert opt_out.municipality_id == sms_case.municipality_id and "21610" in opt_out.source


@pytest.mark.django_db
def test_a_held_back_message_is_postponed_without_counting_a_retry(
    twilio_settings, fake_twilio, sms_case
):
    twilio_settings.OUTREACH_QUIET_HOURS = "21:00-08:00"
    night = datetime(2026, 5, 18, 23, 0, tzinfo=AMSTERDAM)
    assert run_monday(TwilioSmsTransport(clock=lambda: night)) == {"planned": 1}
    step = steps_of(sms_case)["sms1"]
    assert step.retries == 0 and step.due_at > MONDAY and step.note.startswith("stille uren")
    assert fake_twilio.requests == []


@pytest.mark.django_db
def test_a_twilio_outage_is_retried_later(twilio_settings, fake_twilio, sms_case):
    fake_twilio.errors[MOBILE] = 20503
    assert run_monday(TwilioSmsTransport()) == {"planned": 1}
    step = steps_of(sms_case)["sms1"]
    assert step.retries == 1 and step.status == "planned"


@pytest.mark.django_db
def test_the_engine_sends_a_whatsapp_step_as_the_approved_template(
    twilio_settings, fake_twilio, sms_case
):
    PlannedStep.objects.create(
        case=sms_case, key="wa1", campaign="standard", channel="whatsapp", due_at=MONDAY
    )
    ids = claim_due_steps(MONDAY, timedelta(minutes=10), 100)
    transport = ChannelRouter(
        {"sms": TwilioSmsTransport(), "whatsapp": TwilioWhatsAppTransport()}, TwilioSmsTransport()
    )
    assert execute_steps(ids, MONDAY, transport) == {"done": 2}
    whatsapp_request = next(r for r in fake_twilio.requests if r.to.startswith("whatsapp:"))
    assert whatsapp_request.content_sid == CONTENT["whatsapp"]["nl"]
    assert whatsapp_request.body is None
    variables = json.loads(whatsapp_request.content_variables)
    assert variables["2"] == "Gemeente Utrecht"  # the municipality's name, from the context
    message = Message.objects.get(case=sms_case, channel="whatsapp")
    assert message.transport_id == whatsapp_request.sid and message.template == "whatsapp"
