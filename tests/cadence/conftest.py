"""Fixtures for the cadence engine: a small test campaign and a synchronous engine."""

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from outreach.cadence import library, planning
from outreach.cadence.execution import execute_steps
from outreach.cadence.tick import TickReport, tick
from outreach.casework.models import Case
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.messaging.transports.base import Transport
from tests.conftest import csv_bytes

# Every kind of step: a letter, an SMS that falls back to a letter, a call, a visit announced
# two days before by letter that falls back to a card, then the closing check a week later.
TEST_CAMPAIGN = """
label = "Test"

[[step]]
id = "letter1"
channel = "letter"
after_days = 0

[[step]]
id = "sms1"
channel = "sms"
after_days = 3
on_failure = "letter2"

[[step]]
id = "letter2"
channel = "letter"
after_days = 0

[[step]]
id = "call"
channel = "phone_task"
after_days = 4

[[step]]
id = "announce"
channel = "letter"
announces = "visit"
days_before = 2

[[step]]
id = "visit"
channel = "visit_task"
after_days = 5
on_failure = "card"

[[step]]
id = "card"
channel = "not_home_card"
after_days = 0
"""

FRAMEWORK_NAMES = ("light", "standard", "intensive", "crisis", "young")


@pytest.fixture
def campaign_dir(tmp_path: Path, settings: Any) -> Path:
    """Every campaign the weighing framework names is the test campaign."""
    folder = tmp_path / "campaigns"
    folder.mkdir()
    shipped = Path(settings.BASE_DIR) / "campaigns" / "afwegingskader.toml"
    (folder / "afwegingskader.toml").write_bytes(shipped.read_bytes())
    for name in FRAMEWORK_NAMES:
        (folder / f"{name}.toml").write_text(TEST_CAMPAIGN)
    settings.CAMPAIGNS_DIR = folder
    library.reload()
    yield folder
    library.reload()


def ingest(
    rows: list[dict[str, str]],
    municipality: Any,
    now: datetime,
    received: datetime | None = None,
) -> list[Case]:
    """Import the rows at `now`, received then too unless `received` says otherwise (the
    deadlines count from it)."""
    report = import_rows(
        read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=now, received=received
    )
    assert report.rejected == 0, report.rejections
    return list(Case.objects.filter(municipality=municipality).order_by("pk"))


Engine = Callable[..., TickReport]


@pytest.fixture
def engine() -> Engine:
    """engine(now, transport=None): one tick whose work runs here, as in the embedded mode."""

    def run(now: datetime, transport: Transport | None = None) -> TickReport:
        def start(ids: Sequence[int]) -> None:
            planning.start_cases(ids, now)

        def execute(ids: Sequence[int]) -> None:
            execute_steps(ids, now, transport)

        return tick(now, start, execute)

    return run
