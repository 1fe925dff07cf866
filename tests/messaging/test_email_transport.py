"""E-mail through Django's backends: locmem here, SMTP errors mapped to permanent or transient,
one connection per batch, and through the engine."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from outreach.casework.models import ContactAttempt
from outreach.messaging.models import Message
from outreach.messaging.transports.base import PERMANENT, SENT, TRANSIENT, Outgoing
from outreach.messaging.transports.email import EmailTransport, make_message_id
from tests.messaging.channels import at, make_cases

pytestmark = pytest.mark.django_db

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def case(municipality, now):
    municipality.contact |= {"email": "schulden@utrecht.nl", "team": "Team Geldzorgen"}
    municipality.save()
    (case,) = make_cases(municipality, 1, now)
    return case


@pytest.fixture(autouse=True)
def locmem(settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.OUTREACH_EMAIL_FROM = ""
    settings.DEFAULT_FROM_EMAIL = "noreply@outreach.test"
    mail.outbox = []


def outgoing(case, to="jan@example.nl", body="Beste J. Jansen, bel ons gerust.", **kw):
    values = {"step_id": 7, "language": "nl"} | kw
    return Outgoing(values.pop("step_id"), case.pk, "email", to, body, **values)


def test_a_plain_email_from_the_municipality(case, settings):
    settings.OUTREACH_EMAIL_FROM = "noreply@vroegsignalering.nl"
    (result,) = EmailTransport().send([outgoing(case)])
    (email,) = mail.outbox
    assert result.outcome == SENT
    assert result.transport_id == email.extra_headers["Message-ID"]
    assert result.transport_id.endswith("@vroegsignalering.nl>") and len(result.transport_id) <= 64
    assert email.message()["Message-ID"] == result.transport_id
    assert email.subject == "Bericht van Gemeente Utrecht"
    assert email.from_email == "Gemeente Utrecht <noreply@vroegsignalering.nl>"
    assert email.reply_to == ["schulden@utrecht.nl"]
    assert email.to == ["jan@example.nl"]
    assert email.body == "Beste J. Jansen, bel ons gerust."
    assert email.alternatives == []


def test_without_a_configured_sender_the_municipality_sends(case):
    EmailTransport().send([outgoing(case, language="en")])
    (email,) = mail.outbox
    assert email.from_email == "Gemeente Utrecht <schulden@utrecht.nl>"
    assert email.subject == "A message from Gemeente Utrecht"


def test_a_letter_by_email_has_its_heading_as_subject_and_a_plain_part(case):
    html = (
        "<!DOCTYPE html><html><head><title>x</title><style>p {color: red}</style></head><body>"
        "<main><h1>Wij helpen u graag, gratis</h1><p>Beste J. Jansen,</p>"
        "<p>Bel   ons\n gerust.</p></main></body></html>"
    )
    EmailTransport().send([outgoing(case, body=html)])
    (email,) = mail.outbox
    assert email.subject == "Wij helpen u graag, gratis"
    assert email.body == "Wij helpen u graag, gratis\n\nBeste J. Jansen,\n\nBel ons gerust."
    assert email.alternatives[0][1] == "text/html"


class ScriptedBackend(BaseEmailBackend):
    """Refuses by the recipient's local part; counts connections as SMTP would make them."""

    made = opened = closed = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        type(self).made += 1
        self.connected = False

    def open(self):
        if self.connected:
            return False
        self.connected = True
        type(self).opened += 1
        return True

    def close(self):
        if self.connected:
            type(self).closed += 1
        self.connected = False

    def send_messages(self, messages):
        for message in messages:
            (to,) = message.to
            local = to.split("@")[0]
            if local == "refused":
                raise smtplib.SMTPRecipientsRefused({to: (550, b"5.1.1 no such user")})
            if local == "later":
                raise smtplib.SMTPDataError(451, b"4.3.0 try again later")
            if local == "spam":
                raise smtplib.SMTPDataError(554, b"5.7.1 rejected")
            if local == "dropped":
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if local == "sender":
                raise smtplib.SMTPSenderRefused(553, b"not our domain", message.from_email)
            LocmemBackend().send_messages([message])
        return len(messages)


class DownBackend(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise AssertionError("never reached")


def test_smtp_errors_are_permanent_or_transient_and_never_block_the_rest(case, settings):
    settings.EMAIL_BACKEND = f"{__name__}.ScriptedBackend"
    ScriptedBackend.made = ScriptedBackend.opened = ScriptedBackend.closed = 0
    names = ["ok1", "refused", "later", "spam", "dropped", "sender", "ok2"]
    batch = [outgoing(case, to=f"{n}@example.nl", step_id=i) for i, n in enumerate(names)]
    batch.insert(1, outgoing(case, to="jan@example.nl\nBcc: x@evil.test", step_id=99))

    results = EmailTransport().send(batch)

    outcomes = [(r.outcome, r.error_code) for r in results]
    assert outcomes == [
        (SENT, ""),
        (PERMANENT, ""),  # an address that cannot go in a header
        (PERMANENT, "550"),
        (TRANSIENT, "451"),
        (PERMANENT, "554"),
        (TRANSIENT, ""),
        (TRANSIENT, ""),
        (SENT, ""),
    ]
    assert [e.to for e in mail.outbox] == [["ok1@example.nl"], ["ok2@example.nl"]]
    # One connection for the batch, opened again once after it broke, closed at the end.
    assert (ScriptedBackend.made, ScriptedBackend.opened, ScriptedBackend.closed) == (1, 2, 2)


def test_no_connection_to_the_mail_server_is_transient_for_the_whole_batch(case, settings):
    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    results = EmailTransport().send([outgoing(case, step_id=1), outgoing(case, step_id=2)])
    assert [r.outcome for r in results] == [TRANSIENT, TRANSIENT]
    assert "no connection" in results[0].error


def test_message_ids_fit_the_transport_id_column():
    assert len(make_message_id("noreply@" + "a" * 40 + ".nl")) <= 64
    assert make_message_id("noreply@" + "a" * 80 + ".nl").endswith("@outreach.invalid>")


@pytest.mark.usefixtures("channel_campaign", "transports")
def test_the_engine_sends_the_campaigns_email(municipality, engine, now):
    municipality.contact |= {"email": "schulden@utrecht.nl"}
    municipality.save()
    (case,) = make_cases(municipality, 1, now)
    engine(now)
    engine(at("2026-05-18"))  # the e-mail is due on Saturday; Monday it is late
    (email,) = mail.outbox
    assert email.to == ["jan@example.nl"] and "Gemeente Utrecht" in email.body
    message = Message.objects.get(case=case, channel="email")
    assert message.status == Message.Status.SENT
    assert message.transport_id == email.extra_headers["Message-ID"]
    assert ContactAttempt.objects.filter(case=case, kind="Mail").count() == 1
