"""A failed print hand-over and a failed close of the mail connection log the exception's type
and place, never its text or traceback (which may hold an address or a name)."""

import logging
import smtplib

import pytest

from outreach.messaging.printing import batches
from outreach.messaging.transports import email

ADDRESS = "Mevrouw J. Verhoeven, Oudegracht 12, 3511 AB Utrecht"


def assert_nothing_personal(caplog) -> None:
    assert caplog.records, "nothing was logged"
    assert "Verhoeven" not in caplog.text and "3511" not in caplog.text
    assert all(record.exc_info is None for record in caplog.records)


@pytest.mark.django_db
def test_a_failed_print_hand_over_logs_no_address(monkeypatch, caplog):
    def hand_over(batch_id, now):
        raise OSError(f"cannot write the manifest line for {ADDRESS}")

    monkeypatch.setattr(batches, "hand_over", hand_over)
    with caplog.at_level(logging.ERROR):
        assert batches._hand_over_safely(41, None) is None
    assert_nothing_personal(caplog)
    assert "print batch 41: the hand-over failed" in caplog.text
    assert "OSError at " in caplog.text


def test_a_failed_close_of_the_mail_connection_logs_no_address(caplog):
    class Connection:
        def close(self) -> None:
            raise smtplib.SMTPServerDisconnected(f"lost while sending to {ADDRESS}")

    with caplog.at_level(logging.WARNING):
        email._close(Connection())
    assert_nothing_personal(caplog)
    assert "closing the mail connection failed: SMTPServerDisconnected at " in caplog.text
