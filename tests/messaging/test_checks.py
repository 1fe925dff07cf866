"""A transport that cannot be built is reported at start, with the setting that names it."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from outreach.messaging.checks import transports_configured


def test_the_default_transports_pass(settings):
    assert transports_configured() == []


@pytest.mark.django_db  # `check` runs every check, also the one reading the municipalities
def test_twilio_without_credentials_is_reported(settings):
    settings.OUTREACH_TRANSPORTS = {"sms": "twilio-sms"}
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    (error,) = transports_configured()
    assert error.id == "messaging.E001"
    assert "OUTREACH_TRANSPORTS['sms']" in error.msg and "TWILIO_ACCOUNT_SID" in error.msg
    with pytest.raises(SystemCheckError, match=r"messaging\.E001"):
        call_command("check")


def test_an_unknown_class_is_reported(settings):
    settings.OUTREACH_TRANSPORT = "outreach.messaging.nowhere.Transport"
    (error,) = transports_configured()
    assert "OUTREACH_TRANSPORT = " in error.msg


def test_an_unknown_name_is_reported_with_the_names_there_are(settings):
    settings.OUTREACH_TRANSPORTS = {"letter": "printhouse"}
    (error,) = transports_configured()
    assert "OUTREACH_TRANSPORTS['letter'] = 'printhouse'" in error.msg
    assert "print-house" in error.msg and "twilio-sms" in error.msg


def test_every_shipped_transport_registers_by_its_name():
    from outreach.messaging.transports.registry import register

    assert register.names() == [
        "email", "outbox", "print-house", "rows", "twilio-sms", "twilio-whatsapp",
    ]  # fmt: skip
