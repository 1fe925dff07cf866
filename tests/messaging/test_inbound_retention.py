"""Replies are personal data: the retention job clears their words and number with their
case's messages, and those of unknown numbers after the period; what the figures need stays."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

from datetime import timedelta

import pytest

from outreach.casework.models import Case
from outreach.messaging.inbound.handling import Inbound, receive
from outreach.messaging.inbound.models import InboundMessage
from outreach.privacy.retention import ANONYMOUS, anonymise_expired
from tests.messaging.inbound_support import PHONE, case, inbound_settings, new_sid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    settings.OUTREACH_OUTBOX_FILE = tmp_path / "outbox.jsonl"
    settings.OUTREACH_PRINT_DIR = tmp_path / "print"


def received(body, when, sender=PHONE) -> InboundMessage:
    return receive(Inbound(new_sid(), "sms", sender, "+3197010000001", body), when).message


def test_replies_are_cleared_with_their_case_and_unknown_ones_after_the_period(case, now):
    own = received("Ik ben Jan Jansen, Kerkstraat 12, bel me na vijven 🙏", now)
    unknown_old = received("Dit is Piet, 06 99999999", now, sender="+31699999999")
    later = now + timedelta(days=150)
    unknown_recent = received("Ook Piet", later, sender="+31699999999")
    Case.objects.filter(pk=case.pk).update(state=Case.State.CLOSED, closed_at=now)

    report = anonymise_expired(now + timedelta(days=200), retention_days=183)

    own.refresh_from_db()
    unknown_old.refresh_from_db()
    unknown_recent.refresh_from_db()
    assert (own.body, own.from_number) == ("", ANONYMOUS)
    assert (unknown_old.body, unknown_old.from_number) == ("", ANONYMOUS)
    assert unknown_recent.body == "Ook Piet" and unknown_recent.from_number == "+31699999999"
    # The figures keep what happened.
    assert (own.intent, own.channel, own.received_at, own.case_id) == ("other", "sms", now, case.pk)
    assert report.messages_cleared >= 2

    again = anonymise_expired(now + timedelta(days=200), retention_days=183)
    assert again.messages_cleared == 0


def test_replies_of_an_open_case_are_kept(case, now):
    own = received("JA", now)
    anonymise_expired(now + timedelta(days=400), retention_days=183)
    own.refresh_from_db()
    assert (own.body, own.from_number) == ("JA", PHONE)
