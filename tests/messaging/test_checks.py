"""A transport that cannot be built is reported at start, with the setting that names it."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from outreach.messaging.checks import transports_configured


def test_the_default_transports_pass(settings):
    assert transports_configured() == []


@pytest.mark.django_db  # `check` runs every check, also the one reading the municipalities
def test_twilio_without_credentials_is_reported(settings):
    settings.OUTREACH_TRANSPORTS = {"sms": "outreach.messaging.twilio_transport.TwilioSmsTransport"}
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    (error,) = transports_configured()
    assert error.id == "messaging.E001"
    assert "OUTREACH_TRANSPORTS['sms']" in error.msg and "TwilioSmsTransport" in error.msg
    with pytest.raises(SystemCheckError, match=r"messaging\.E001"):
        call_command("check")


def test_an_unknown_class_is_reported(settings):
    settings.OUTREACH_TRANSPORT = "outreach.messaging.nowhere.Transport"
    (error,) = transports_configured()
    assert "OUTREACH_TRANSPORT = " in error.msg
