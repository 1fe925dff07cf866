"""`outreach reply NUMBER TEXT`: a simulated reply through the webhook's own code path."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import json

import pytest
from django.core.management import CommandError
from django.db import connections

from outreach.casework.models import Case
from outreach.cli import main
from outreach.messaging.inbound import views
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.models import Message
from tests.messaging.inbound_support import PHONE, RecordingTransport, case, inbound_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_test_connection(monkeypatch):
    """A command run from the command line closes every connection when it ends."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_reply_goes_through_the_webhook(run_command, case, monkeypatch):
    calls = []
    real = views.is_from_twilio

    def checked(request):
        calls.append(real(request))
        return calls[-1]

    monkeypatch.setattr(views, "is_from_twilio", checked)
    out = run_command("reply", "06 12345678", "Ja graag")
    assert calls == [True]  # the signature was checked, and held
    assert "intent yes (nl)" in out and f"case {case.pk} (help_offer)" in out
    assert "answered with yes_confirmation (nl), sent:" in out
    assert "Fatima el Amrani" in out
    stored = InboundMessage.objects.get()
    assert (stored.from_number, stored.body, stored.channel) == (PHONE, "Ja graag", "sms")
    assert stored.message_sid.startswith("SM") and len(stored.message_sid) == 34
    assert Case.objects.get(pk=case.pk).state == Case.State.HELP_OFFER


def test_reply_json_and_whatsapp(run_command, case):
    report = json.loads(
        run_command("reply", "+31612345678", "STOP", "--channel", "whatsapp", "--json")
    )
    assert report["intent"] == "stop" and report["channel"] == "whatsapp"
    assert report["case"] == case.pk and report["case_state"] == "closed"
    assert report["inbox"] is False
    assert report["reply"]["template"] == "optout_confirmation"
    (sent,) = RecordingTransport.sent
    assert sent.in_session and sent.channel == "whatsapp"
    again = json.loads(run_command("reply", "0612345678", "STOP", "--json"))
    assert again["message_sid"] != report["message_sid"]  # a fresh MessageSid each time


def test_free_text_and_unknown_numbers(run_command, case):
    out = run_command("reply", "0687654321", "Hallo, wie is dit?")
    assert "intent other, no case, waits in the inbox" in out
    assert "no automatic answer" in out
    assert not Message.objects.exists()


def test_without_a_twilio_token_a_demo_token_signs_the_simulation(run_command, case, settings):
    settings.TWILIO_AUTH_TOKEN = ""
    report = json.loads(run_command("reply", "0612345678", "HULP", "--json"))
    assert report["intent"] == "help" and report["reply"]["template"] == "info"
    assert settings.TWILIO_AUTH_TOKEN == ""  # only for the simulated request


def test_behind_a_proxy_the_public_url_is_signed(run_command, case, settings):
    settings.OUTREACH_PUBLIC_BASE_URL = "https://outreach.example.nl"
    assert json.loads(run_command("reply", "0612345678", "JA", "--json"))["intent"] == "yes"


def test_a_bad_number_is_an_error(run_command):
    with pytest.raises(CommandError, match="is not a phone number"):
        run_command("reply", "not a number", "JA")
    with pytest.raises(CommandError, match="--to"):
        run_command("reply", "0612345678", "JA", "--to", "abc")


@pytest.mark.usefixtures("keep_test_connection")
def test_the_outreach_command_line(case, capsys):
    main(["outreach", "reply", "0612345678", "BEL MIJ"])
    out = capsys.readouterr().out
    assert "intent call (nl)" in out and "belafspraak op" in out
