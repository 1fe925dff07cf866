"""The Twilio tests' fixtures, loaded as a plugin by the modules that use them: the fake Twilio
server, and the settings that point the transports at it."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.messaging.fake_twilio import (
    CONTENT,
    PUBLIC_BASE_URL,
    SMS_FROM,
    WHATSAPP_FROM,
    FakeTwilio,
)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
def twilio_settings(settings: Any, fake_twilio: FakeTwilio) -> Iterator[Any]:
    """Twilio configured against the fake: one SMS number, a WhatsApp number with approved
    templates, an in-process rate limit that holds nothing back, no quiet hours (the tests
    that want them inject a clock)."""
    from outreach.messaging.transports.ratelimit import reset_limiter
    from outreach.messaging.transports.registry import reset_transports

    settings.TWILIO_ACCOUNT_SID = fake_twilio.account_sid
    settings.TWILIO_AUTH_TOKEN = fake_twilio.auth_token
    settings.OUTREACH_PUBLIC_BASE_URL = PUBLIC_BASE_URL
    settings.OUTREACH_TWILIO_API_URL = fake_twilio.url
    settings.OUTREACH_TWILIO_FROM = SMS_FROM
    settings.OUTREACH_TWILIO_MESSAGING_SERVICE_SID = ""
    settings.OUTREACH_TWILIO_SENDERS = []
    settings.OUTREACH_TWILIO_WHATSAPP_FROM = WHATSAPP_FROM
    settings.OUTREACH_TWILIO_WHATSAPP_CONTENT_SIDS = CONTENT
    settings.OUTREACH_TWILIO_TIMEOUT = 5.0
    settings.OUTREACH_TWILIO_THREADS = 4
    settings.OUTREACH_SMS_RATE = 1000
    settings.OUTREACH_SMS_RATES = {}
    settings.OUTREACH_WHATSAPP_RATE = 1000
    settings.OUTREACH_RATE_REDIS_URL = ""
    settings.OUTREACH_QUIET_HOURS = ""
    reset_limiter()
    reset_transports()
    yield settings
    reset_limiter()
    reset_transports()
