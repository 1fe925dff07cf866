"""Helpers for the letter, e-mail and outbox tests: a campaign whose first letter has a failure
path (a call) and an e-mail the next day, cases in two municipalities, transports per channel."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from outreach.cadence import library
from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.messaging.models import Message
from outreach.messaging.transports.registry import reset_transports
from tests.cadence.conftest import FRAMEWORK_NAMES, ingest
from tests.conftest import AMSTERDAM, CONTACT, municipality_with_contact, signal_row

CHANNEL_CAMPAIGN = """
label = "Kanalen"

[[step]]
id = "letter1"
channel = "letter"
after_days = 0
on_failure = "call_now"

[[step]]
id = "call_now"
channel = "phone_task"

[[step]]
id = "email1"
channel = "email"
after_days = 1
requires = ["has_email"]

[[step]]
id = "call"
channel = "phone_task"
after_days = 4
"""

PRINT_HOUSE = "print-house"
EMAIL = "email"


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


@pytest.fixture
def channel_campaign(campaign_dir: Path) -> Path:
    for name in FRAMEWORK_NAMES:
        (campaign_dir / f"{name}.toml").write_text(CHANNEL_CAMPAIGN)
    library.reload()
    return campaign_dir


@pytest.fixture
def transports(settings: Any) -> Iterator[dict[str, str]]:
    """Letters to the print house, e-mail through Django's backend, the rest to the outbox."""
    settings.OUTREACH_TRANSPORTS = {"letter": PRINT_HOUSE, "email": EMAIL}
    reset_transports()
    yield settings.OUTREACH_TRANSPORTS
    reset_transports()


@pytest.fixture
def other_municipality(db: Any) -> Municipality:
    return municipality_with_contact(
        "0307", "Amersfoort", {**CONTACT, "email": "schulden@amersfoort.nl"}
    )


def make_cases(municipality: Municipality, count: int, now: datetime, **values: Any) -> list[Case]:
    rows = [
        signal_row(huisnummer=str(10 + i), achternaam=f"Jansen{i}", **values) for i in range(count)
    ]
    before = set(Case.objects.values_list("pk", flat=True))
    ingest(rows, municipality, now)
    return list(Case.objects.exclude(pk__in=before).order_by("pk"))


def letters(**filters: Any) -> list[Message]:
    return list(Message.objects.filter(channel="letter", **filters).order_by("pk"))


def long_letter(message: Message, paragraphs: int = 60) -> None:
    """Make a queued letter run over a page."""
    extra = "".join(
        f"<p>Alinea {i}: wij helpen u graag, gratis en zonder verplichtingen.</p>"
        for i in range(paragraphs)
    )
    message.body = message.body.replace("</main>", f"{extra}</main>", 1)
    message.save(update_fields=["body"])
