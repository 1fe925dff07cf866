"""What each transport knows of a hand-over whose result was never recorded (`lookup`): Twilio
through its Messages list (against the local stand-in, tests/messaging/fake_twilio.py), the
file outbox by its lines, the print house and e-mail by what they are."""

import json
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from outreach.messaging.printing.transport import PrintHouseTransport
from outreach.messaging.transports.base import (
    ABSENT,
    HANDED_OVER,
    PERMANENT,
    SENT,
    TRANSIENT,
    UNKNOWN,
    WAIT,
    Outgoing,
    RowsTransport,
)
from outreach.messaging.transports.email import EmailTransport, build_email
from outreach.messaging.transports.outbox import FileOutboxTransport
from outreach.messaging.transports.registry import ChannelRouter
from outreach.messaging.transports.twilio.lookup import MAX_PAGES, PAGE_SIZE, comparable
from outreach.messaging.transports.twilio.transport import (
    TwilioSmsTransport,
    TwilioWhatsAppTransport,
)
from tests.messaging.fake_twilio import SERVICE, SLOW, SMS_FROM, STATUS_URL, WHATSAPP_FROM

# The fake's fixtures: fake_twilio, twilio_settings.
pytest_plugins = ["tests.messaging.twilio_fixtures"]

MOBILE = "+31612345678"
OTHER = "+31612345679"
BODY = "Beste J. Jansen, wij helpen u graag. Bel ons: 030 123 4567."


def sms(message_id: int = 41, to: str = MOBILE, body: str = BODY) -> Outgoing:
    return Outgoing(1, 1, "sms", to, body, "nl", "reminder", 1, message_id=message_id)


def whatsapp(message_id: int = 42, *, in_session: bool = False, **values: str) -> Outgoing:
    template = values.get("template", "whatsapp")
    return Outgoing(
        1, 1, "whatsapp", MOBILE, values.get("body", BODY), "nl", template, 1,
        in_session=in_session, variables={"worker_name": "Sanne", "municipality": "Utrecht"},
        message_id=message_id,
    )  # fmt: skip


def moments(seconds_later: float) -> tuple[datetime, datetime]:
    """`since` (a moment ago: the row was committed just before the send) and `now`."""
    since = datetime.now(UTC) - timedelta(seconds=1)
    return since, since + timedelta(seconds=seconds_later)


# --- Twilio: found -----------------------------------------------------------------------------


def test_a_sent_sms_is_found_in_twilios_list_by_reader_sender_day_and_text(
    twilio_settings, fake_twilio
):
    transport = TwilioSmsTransport()
    since, now = moments(5)
    (result,) = transport.send([sms()])
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == HANDED_OVER
    assert answer.result is not None
    assert (answer.result.outcome, answer.result.transport_id) == (SENT, result.transport_id)
    (query,) = fake_twilio.queries
    assert query.status == 200 and query.returned == 1
    earliest = (since - timedelta(minutes=2)).astimezone(UTC)
    assert query.params == {
        "To": MOBILE,
        "From": SMS_FROM,
        "DateSent>": earliest.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "PageSize": str(PAGE_SIZE),
    }


def test_the_status_callback_names_the_message_row(twilio_settings, fake_twilio):
    TwilioSmsTransport().send([sms(message_id=41), replace(sms(), message_id=None)])
    # Sent on several threads: in either order.
    callbacks = sorted(r.form["StatusCallback"] for r in fake_twilio.requests)
    assert callbacks == [STATUS_URL, STATUS_URL + "?message=41"]


def test_a_message_twilio_failed_is_handed_over_with_its_failure(twilio_settings, fake_twilio):
    transport = TwilioSmsTransport()
    since, now = moments(5)
    (result,) = transport.send([sms()])
    fake_twilio.set_status(result.transport_id, "undelivered", 30003)
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert answer.result.outcome == PERMANENT  # the engine takes the step's failure path
    assert (answer.result.transport_id, answer.result.error_code) == (result.transport_id, "30003")
    assert answer.result.error == "Twilio 30003: toestel niet bereikbaar"


def test_a_messaging_service_is_matched_on_its_sid_not_a_from(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_FROM = ""
    twilio_settings.OUTREACH_TWILIO_MESSAGING_SERVICE_SID = SERVICE
    transport = TwilioSmsTransport()
    since, now = moments(5)
    (result,) = transport.send([sms()])
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert answer.result.transport_id == result.transport_id
    (query,) = fake_twilio.queries
    assert "From" not in query.params  # Twilio's From is a number of the service's pool


def test_a_pool_of_senders_is_searched_without_a_from(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_SENDERS = ["+3197010000011", "+3197010000012"]
    transport = TwilioSmsTransport()
    since, now = moments(5)
    (result,) = transport.send([sms()])
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert answer.result.transport_id == result.transport_id
    assert "From" not in fake_twilio.queries[0].params


def test_a_whatsapp_template_counts_though_twilio_rendered_its_text(twilio_settings, fake_twilio):
    transport = TwilioWhatsAppTransport()
    since, now = moments(5)
    (result,) = transport.send([whatsapp()])
    listed = transport.messages.list(to="whatsapp:" + MOBILE)
    assert [m.body for m in listed] != [BODY] and listed[0].body  # Twilio's text, not ours
    answer = transport.lookup(whatsapp(), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert answer.result.transport_id == result.transport_id
    assert fake_twilio.queries[-1].params["From"] == WHATSAPP_FROM


def test_a_whatsapp_free_text_is_matched_on_its_text(twilio_settings, fake_twilio):
    transport = TwilioWhatsAppTransport()
    ours = whatsapp(in_session=True, template="reminder")  # no approved template to fall back on
    since, now = moments(transport.settled.total_seconds() + 1)
    transport.send([whatsapp(in_session=True, template="reminder", body="Een ander bericht.")])
    assert transport.lookup(ours, since, now).answer == ABSENT
    (result,) = transport.send([ours])
    answer = transport.lookup(ours, since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert answer.result.transport_id == result.transport_id


def test_a_refused_free_text_and_its_template_find_the_template(twilio_settings, fake_twilio):
    transport = TwilioWhatsAppTransport()
    answer_text = whatsapp(in_session=True, template="yes_confirmation")
    since, now = moments(5)
    (free,) = transport.send([answer_text])
    fake_twilio.set_status(free.transport_id, "failed", 63016)  # the session had closed
    (template,) = transport.send([whatsapp(template="yes_confirmation")])
    answer = transport.lookup(answer_text, since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert (answer.result.outcome, answer.result.transport_id) == (SENT, template.transport_id)


def test_smart_encoded_quotes_and_dashes_still_match():
    ours = "Bel ons gerust \u2013 \u201cgratis\u201d, zonder verplichting\u2019s."
    assert comparable(ours) == comparable('Bel ons  gerust - "gratis", zonder verplichting\'s.')
    assert comparable(ours) != comparable("Bel ons gerust - gratis.")


# --- Twilio: not found -------------------------------------------------------------------------


def test_not_found_inside_the_window_is_wait(twilio_settings, fake_twilio):
    twilio_settings.OUTREACH_TWILIO_LOOKUP_WINDOW = 120
    transport = TwilioSmsTransport()
    # The rate's wait (10 s) and the time-out (5 s), then the list's 120 s.
    assert transport.settled == timedelta(seconds=135)
    since = datetime.now(UTC)
    answer = transport.lookup(sms(), since, since + timedelta(seconds=134))
    assert answer.answer == WAIT and answer.result is None


def test_not_found_after_the_window_is_absent(twilio_settings, fake_twilio):
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    transport.send([sms(to=OTHER), sms(body="Een ander bericht.")])  # another reader, text
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == ABSENT and answer.result is None


def test_a_message_from_before_the_row_was_committed_is_not_this_one(twilio_settings, fake_twilio):
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    fake_twilio.clock = lambda: since - timedelta(minutes=10)  # sent earlier the same day
    transport.send([sms()])
    assert transport.lookup(sms(), since, now).answer == ABSENT


def test_a_message_twilio_has_not_sent_yet_does_not_show(twilio_settings, fake_twilio):
    # Twilio filters on the date sent: a message still in its queue has none.
    transport = TwilioSmsTransport()
    since, now = moments(5)
    (result,) = transport.send([sms()])
    fake_twilio.set_status(result.transport_id, "queued")
    assert transport.lookup(sms(), since, now).answer == WAIT


@pytest.mark.parametrize("code", [20429, 20500, 20503, 20003])
def test_an_error_of_the_lookup_is_wait(twilio_settings, fake_twilio, code):
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    transport.send([sms()])
    fake_twilio.list_errors.append(code)
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == WAIT and "TwilioException" in answer.note
    assert fake_twilio.queries[0].error_code == code
    assert transport.lookup(sms(), since, now).answer == HANDED_OVER  # once Twilio answers


def test_wrong_credentials_for_the_lookup_are_wait(twilio_settings, fake_twilio):
    twilio_settings.TWILIO_AUTH_TOKEN = "not-the-token"
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    assert transport.lookup(sms(), since, now).answer == WAIT
    assert fake_twilio.queries[0].status == 401


def test_an_unreachable_twilio_is_wait(twilio_settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    twilio_settings.OUTREACH_TWILIO_API_URL = f"http://127.0.0.1:{port}"
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == WAIT and "ConnectionError" in answer.note


# --- Twilio: the crash window ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["dropped", "timed out"])
def test_a_message_twilio_took_while_the_answer_was_lost_is_found(
    twilio_settings, fake_twilio, how
):
    """The case this is for: the send's result says try again, yet Twilio has the message.
    Sent again it would reach the reader twice; the lookup finds it instead."""
    to = MOBILE
    if how == "dropped":
        fake_twilio.drop_after_create.add(MOBILE)
    else:
        to, fake_twilio.slow_seconds = SLOW, 1.0
        twilio_settings.OUTREACH_TWILIO_TIMEOUT = 0.3
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    (result,) = transport.send([sms(to=to)])
    assert result.outcome == TRANSIENT and result.transport_id == ""
    (created,) = fake_twilio.messages
    assert created.dropped == (how == "dropped")
    answer = transport.lookup(sms(to=to), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert (answer.result.outcome, answer.result.transport_id) == (SENT, created.sid)


# --- Twilio: the list's pages ------------------------------------------------------------------


def test_the_fake_pages_its_list_as_twilio_does(twilio_settings, fake_twilio):
    transport = TwilioSmsTransport()
    transport.send([sms(body=f"Bericht {i}") for i in range(5)])
    page = transport.messages.page(to=MOBILE, page_size=2)
    bodies = [m.body for m in page]
    while page.next_page_url:
        page = page.next_page()
        bodies += [m.body for m in page]
    assert sorted(bodies) == [f"Bericht {i}" for i in range(5)]
    assert [q.params.get("Page") for q in fake_twilio.queries] == [None, "1", "2"]
    assert all(q.params["PageToken"].startswith("PA") for q in fake_twilio.queries[1:])
    assert transport.messages.list(to=OTHER) == []


def test_a_message_on_a_later_page_is_found(twilio_settings, fake_twilio):
    transport = TwilioSmsTransport()
    since, now = moments(5)
    (ours,) = transport.send([sms()])
    others = transport.send([sms(body=f"Bericht {i}") for i in range(2 * PAGE_SIZE + 5)])
    assert {r.outcome for r in others} == {SENT}
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert answer.result.transport_id == ours.transport_id
    assert len(fake_twilio.queries) == 3  # newest first: ours is on the third page


def test_more_messages_than_the_pages_read_is_unknown(twilio_settings, fake_twilio):
    transport = TwilioSmsTransport()
    since, now = moments(transport.settled.total_seconds() + 1)
    transport.send([sms(body=f"Bericht {i}") for i in range(MAX_PAGES * PAGE_SIZE + 1)])
    answer = transport.lookup(sms(), since, now)
    assert answer.answer == UNKNOWN
    assert len(fake_twilio.queries) == MAX_PAGES


# --- the other transports ----------------------------------------------------------------------


@pytest.fixture
def outbox_file(settings, tmp_path):
    settings.OUTREACH_OUTBOX_FILE = tmp_path / "var" / "outbox.jsonl"
    return settings.OUTREACH_OUTBOX_FILE


def test_the_outbox_finds_a_message_by_its_line(outbox_file):
    transport = FileOutboxTransport()
    since, now = moments(1)
    assert transport.lookup(sms(message_id=5), since, now).answer == ABSENT  # no file yet
    (result,) = transport.send([sms(message_id=5)])
    line = json.loads(outbox_file.read_text(encoding="utf-8"))
    assert line["message"] == 5 and line["id"] == result.transport_id == "outbox-1"
    answer = transport.lookup(sms(message_id=5), since, now)
    assert answer.answer == HANDED_OVER and answer.result is not None
    assert (answer.result.outcome, answer.result.transport_id) == (SENT, "outbox-1")
    assert transport.lookup(sms(message_id=6), since, now).answer == ABSENT


def test_the_outbox_skips_lines_it_cannot_read(outbox_file):
    outbox_file.parent.mkdir(parents=True)
    # A writer that died mid-line, a line without an id, one that is not UTF-8.
    outbox_file.write_bytes(b'{"id": "outbox-9", "message": 5, "ch\n{"message": 5}\n\xff"message"')
    since, now = moments(1)
    assert FileOutboxTransport().lookup(sms(message_id=5), since, now).answer == ABSENT


def test_the_print_house_has_nothing_before_the_batch():
    since, now = moments(1)
    letter = Outgoing(1, 1, "letter", "J. Jansen\nStraat 1", "<p>Brief</p>", "nl", message_id=7)
    assert PrintHouseTransport().lookup(letter, since, now).answer == ABSENT


def email(message_id: int | None) -> Outgoing:
    return Outgoing(7, 1, "email", "jan@example.nl", BODY, "nl", message_id=message_id)


def test_an_emails_message_id_is_made_from_the_message_row(settings):
    settings.OUTREACH_EMAIL_FROM = "noreply@vroegsignalering.nl"
    sender = {"name": "Gemeente Utrecht", "email": "schulden@utrecht.nl"}
    first, message_id = build_email(email(118), sender)
    _, again = build_email(email(118), sender)
    assert message_id == again == "<outreach.message.118@vroegsignalering.nl>"
    assert first.message()["Message-ID"] == message_id
    assert build_email(email(119), sender)[1] != message_id
    assert build_email(email(None), sender)[1] != build_email(email(None), sender)[1]


def test_a_long_sender_domain_still_fits_the_transport_id(settings):
    settings.OUTREACH_EMAIL_FROM = "noreply@" + "a" * 60 + ".nl"
    _, message_id = build_email(email(10**18), {})
    assert message_id == f"<outreach.message.{10**18}@outreach.invalid>"
    assert len(message_id) <= 64


def test_an_email_cannot_be_looked_up():
    since, now = moments(1)
    answer = EmailTransport().lookup(email(118), since, now)
    assert answer.answer == UNKNOWN and answer.note  # a person checks


def test_the_router_asks_the_transport_of_the_messages_channel(outbox_file):
    router = ChannelRouter({"letter": PrintHouseTransport()}, FileOutboxTransport())
    since, now = moments(1)
    router.send([sms(message_id=5)])
    assert router.lookup(sms(message_id=5), since, now).answer == HANDED_OVER
    letter = replace(sms(message_id=5), channel="letter")
    assert router.lookup(letter, since, now).answer == ABSENT
    assert RowsTransport().lookup(sms(message_id=5), since, now).answer == ABSENT
