"""A failed hand-over is logged with the exception's type, Twilio's error code and where it
was raised, never its text or traceback (issue 12: the text may hold the citizen's number)."""

import logging
from datetime import datetime

from outreach.cadence.execution import Execution, _hand_over
from outreach.messaging.transports.base import TRANSIENT, Outgoing
from outreach.messaging.transports.twilio.transport import TwilioSmsTransport
from tests.conftest import AMSTERDAM

pytest_plugins = ["tests.messaging.twilio_fixtures"]

MOBILE = "+31612345678"


class ProviderError(Exception):
    """Like Twilio's errors: a code, and a text that repeats the request."""

    def __init__(self, text: str, code: int) -> None:
        super().__init__(text)
        self.code = code


def sms() -> Outgoing:
    return Outgoing(7, 1, "sms", MOBILE, "Hallo, wij helpen u graag.", "nl", "reminder", 1)


def assert_no_number(caplog):
    assert caplog.records, "nothing was logged"
    assert MOBILE not in caplog.text
    assert "612345678" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


def test_a_twilio_send_failure_logs_type_and_code_not_the_number(
    twilio_settings, fake_twilio, monkeypatch, caplog
):
    def deliver(self, planned, hold):
        raise ProviderError(f"The 'To' number {MOBILE} is not a valid phone number", 21211)

    monkeypatch.setattr(TwilioSmsTransport, "deliver", deliver)
    with caplog.at_level(logging.ERROR):
        (result,) = TwilioSmsTransport().send([sms()])
    assert result.outcome == TRANSIENT
    assert_no_number(caplog)
    assert "Twilio send for step 7 failed: ProviderError (code 21211) at " in caplog.text
    assert "in deliver" in caplog.text


def test_a_failed_hand_over_in_the_engine_logs_no_number(caplog):
    class Broken:
        def send(self, items):
            raise ValueError(f"cannot send to {items[0].to}")

    run = Execution(now=datetime(2026, 5, 18, 10, 0, tzinfo=AMSTERDAM))
    run.outgoing.append((None, None, sms()))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        _hand_over(run, Broken())  # type: ignore[arg-type]
    assert run.results == []  # the message stays `sending`, for the look-up
    assert_no_number(caplog)
    assert "hand-over of 1 messages failed: ValueError at " in caplog.text
