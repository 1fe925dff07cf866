"""Twilio delivering the same message twice at the same moment: one delivery acts, the other
finds it. PostgreSQL only: SQLite does not run writers side by side."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import threading
import time

import pytest
from django.db import connection

from outreach.casework.models import Case
from outreach.messaging.inbound import handling
from outreach.messaging.inbound.handling import Inbound, Received, receive
from outreach.messaging.inbound.models import InboundMessage
from outreach.messaging.models import Message
from tests.messaging.inbound_support import (
    PHONE,
    RecordingTransport,
    case,
    inbound_settings,
    new_sid,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_same_message_twice_at_once_acts_once(case, now, monkeypatch):
    inbound = Inbound(new_sid(), "sms", PHONE, "+3197010000001", "BEL MIJ")
    inside = threading.Event()
    real_act = handling.act

    def slow_act(*args, **kwargs):
        inside.set()  # the row is inserted, not yet committed
        time.sleep(0.5)
        return real_act(*args, **kwargs)

    monkeypatch.setattr(handling, "act", slow_act)
    results: dict[str, Received] = {}
    errors: list[BaseException] = []

    def deliver(name: str) -> None:
        try:
            if name == "second":
                assert inside.wait(10)
            results[name] = receive(inbound, now)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert (results["first"].replayed, results["second"].replayed) == (False, True)
    assert InboundMessage.objects.count() == 1
    assert Case.objects.get(pk=case.pk).tasks.count() == 1
    assert Message.objects.filter(case=case).count() == 1
    assert len(RecordingTransport.sent) == 1
