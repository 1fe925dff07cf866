"""Twilio's webhooks refuse a body over OUTREACH_WEBHOOK_MAX_BYTES before reading it (issue 12:
an unsigned 45 MB body was read and parsed to check its signature)."""

import pytest
from django.test import Client

STATUS_URL = "/webhooks/twilio/status"
INBOUND_URL = "/webhooks/twilio/inbound"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def signature_never_checked(monkeypatch):
    """Checking the signature reads the body: it must not happen for a body over the limit."""

    def read(request):
        raise AssertionError("the body was read to check its signature")

    monkeypatch.setattr("outreach.messaging.transports.twilio.webhooks.is_from_twilio", read)
    monkeypatch.setattr("outreach.messaging.inbound.views.is_from_twilio", read)


def form_body(size: int) -> bytes:
    body = b"MessageSid=SM1&From=%2B31612345678&Body="
    return body + b"x" * (size - len(body))


@pytest.mark.parametrize("url", [STATUS_URL, INBOUND_URL])
def test_a_body_over_the_limit_is_refused_unread(url, signature_never_checked):
    response = Client().post(url, data=form_body(64 * 1024 + 1), content_type=FORM)
    assert response.status_code == 413
    assert response.content == b"request body larger than 65536 bytes"


@pytest.mark.parametrize("url", [STATUS_URL, INBOUND_URL])
def test_the_limit_is_a_setting(url, settings, signature_never_checked):
    settings.OUTREACH_WEBHOOK_MAX_BYTES = 500
    response = Client().post(url, data=form_body(501), content_type=FORM)
    assert response.status_code == 413


@pytest.mark.django_db
@pytest.mark.parametrize("url", [STATUS_URL, INBOUND_URL])
def test_a_body_within_the_limit_goes_on_to_the_signature_check(url, settings):
    settings.TWILIO_AUTH_TOKEN = "test-token"
    response = Client().post(url, data=form_body(64 * 1024), content_type=FORM)
    assert response.status_code == 403  # unsigned: the usual answer, after the body was read
