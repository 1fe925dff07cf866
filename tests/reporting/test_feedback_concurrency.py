"""Two sweeps, or two fetches of one partner, at the same moment: every record once, change
numbers without doubles. PostgreSQL only: SQLite does not run writers side by side."""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from outreach.reporting import delivery, feedback
from outreach.reporting.delivery import fetch
from outreach.reporting.feedback import record_feedback
from outreach.reporting.models import PartnerFeedback
from tests.conftest import signal_row
from tests.reporting.conftest import at, ingest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def side_by_side(monkeypatch, module: Any, name: str, first: Callable, second: Callable) -> list:
    """Run `first` and, once it is inside `module.name` (slowed down), `second`."""
    inside = threading.Event()
    real = getattr(module, name)

    def slow(*args, **kwargs):
        result = real(*args, **kwargs)
        inside.set()
        time.sleep(0.5)
        return result

    monkeypatch.setattr(module, name, slow)
    results: dict[int, Any] = {}
    errors: list[BaseException] = []

    def run(index: int, work: Callable) -> None:
        try:
            if index == 1:
                assert inside.wait(10)
            results[index] = work()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    return [results[0], results[1]]


@pytest.fixture
def signals(municipality, partner):
    rows = [signal_row(id=f"H-{n}", postcode=f"35{n}1AA") for n in range(3)]
    return ingest(rows, municipality, at("2026-05-15"), partner=partner)


def test_two_sweeps_at_once_number_every_record_once(signals, monkeypatch):
    made = side_by_side(
        monkeypatch,
        feedback,
        "_write",
        lambda: record_feedback(at("2026-06-12")),
        lambda: record_feedback(at("2026-06-12", "00:01")),
    )
    assert made == [3, 0]  # the second waited for the first and found everything done
    changes = sorted(PartnerFeedback.objects.values_list("change", flat=True))
    assert changes == list(range(changes[0], changes[0] + 3))


def test_two_fetches_at_once_hand_out_each_record_once(signals, partner, monkeypatch):
    record_feedback(at("2026-06-12"))
    pages = side_by_side(
        monkeypatch,
        delivery,
        "records",
        lambda: fetch(partner, at("2026-06-12", "10:00")),
        lambda: fetch(partner, at("2026-06-12", "10:00")),
    )
    refs = [r.signal_id for page in pages for r in page.records]
    assert sorted(refs) == ["H-0", "H-1", "H-2"]
