"""One installation, two municipalities: the same partner file gives each its own priorities,
plans and words (issue 11). A moving clock, the daily tick and housekeeping, the file outbox."""

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from outreach.cadence import library
from outreach.cadence.models import PlannedStep
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.casework.models import Case
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality
from outreach.intake.framework_files import forget
from outreach.intake.models import Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.messaging.transports.outbox import read_outbox
from tests.conftest import CONTACT, csv_bytes, signal_row

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(datetime(2026, 9, 1, 10, 0))

# Municipality 0002 has its own light campaign: an SMS first, then a letter.
OWN_LIGHT = """
label = "Licht (eigen)"

[[step]]
id = "sms_first"
channel = "sms"
after_days = 0
on_failure = "letter_after"

[[step]]
id = "letter_after"
channel = "letter"
after_days = 0

[[step]]
id = "reminder"
channel = "letter"
after_days = 7
"""


@pytest.fixture
def campaigns(tmp_path: Path, settings: Any) -> Path:
    """The shipped campaigns as the shared set, with each municipality's own files beside it."""
    folder = tmp_path / "campaigns"
    shutil.copytree(Path(settings.BASE_DIR) / "campaigns", folder)
    shared = (folder / "afwegingskader.toml").read_text(encoding="utf-8")
    rent_rule = 'id = "rent"\nkind = "partner_type"\ntype = "Huur"\nweight = 20'
    assert rent_rule in shared
    # 0001 weighs rent arrears heavily (eviction is its focus): rent alone reaches "high".
    (folder / "0001").mkdir()
    (folder / "0001" / "afwegingskader.toml").write_text(
        shared.replace(rent_rule, rent_rule.replace("weight = 20", "weight = 60")),
        encoding="utf-8",
    )
    (folder / "0002").mkdir()
    (folder / "0002" / "light.toml").write_text(OWN_LIGHT, encoding="utf-8")
    settings.CAMPAIGNS_DIR = folder
    library.reload()
    forget()
    yield folder
    library.reload()
    forget()


@pytest.fixture
def towns(db: Any) -> tuple[Municipality, Municipality]:
    first = Municipality.objects.create(
        code="0001", name="Eerstestad", contact=dict(CONTACT), thresholds={"Energie": 100}
    )
    second = Municipality.objects.create(
        code="0002", name="Tweedestad", contact=dict(CONTACT), thresholds={"Energie": 300}
    )
    return first, second


def partner_file() -> bytes:
    """One file a regional partner delivers to both: a rent case, a small energy case and an
    energy case of EUR 200 (above one municipality's threshold, below the other's)."""
    rows = [
        signal_row(
            id="HUUR-1", signaalpartner="Huur", partner_naam="Woonstad", bedrag="600,00",
            achternaam="Huurman", postcode="3511AA", huisnummer="1", signaaldatum="2026-08-28",
        ),
        signal_row(
            id="ENERGIE-1", signaalpartner="Energie", bedrag="450,00", achternaam="Stroom",
            postcode="3511AB", huisnummer="2", signaaldatum="2026-08-28",
        ),
        signal_row(
            id="ENERGIE-2", signaalpartner="Energie", bedrag="200,00", achternaam="Klein",
            postcode="3511AC", huisnummer="3", signaaldatum="2026-08-28",
        ),
    ]  # fmt: skip
    return csv_bytes(rows)


def run_days(start: datetime, days: int) -> None:
    """One tick and one housekeeping a day at 10:00."""
    for day in range(days + 1):
        moment = (start + timedelta(days=day)).isoformat()
        tick_now(moment)
        run_housekeeping(moment)


def case_of(municipality: Municipality, reference: str) -> Case:
    signal = Signal.objects.get(municipality=municipality, partner_ref=reference)
    assert signal.case is not None, f"{reference} in {municipality.code} made no case"
    return signal.case


def test_the_same_partner_file_gives_each_municipality_its_own_priorities_plans_and_thresholds(
    campaigns: Path, towns: tuple[Municipality, Municipality]
) -> None:
    first, second = towns
    data = partner_file()
    for town in towns:
        report = import_rows(read_csv_bytes(data), municipality=town, now=RECEIVED)
        assert report.rejected == 0, report.rejections
    # Thresholds: EUR 200 of energy arrears is followed up in 0001 (threshold 100), not in 0002.
    taken, refused = case_of(first, "ENERGIE-2"), case_of(second, "ENERGIE-2")
    assert (taken.state, taken.result) == (Case.State.NEW, None)
    assert (refused.state, refused.result) == (Case.State.CLOSED, EndResult.UNJUSTIFIED)
    small = Signal.objects.get(municipality=second, partner_ref="ENERGIE-2")
    assert "300" in small.screening
    # The framework: rent alone is "high" in 0001 (its own file), "medium" in 0002 (shared).
    assert (case_of(first, "HUUR-1").tier, case_of(second, "HUUR-1").tier) == ("high", "medium")

    run_days(RECEIVED, 35)

    rent_first, rent_second = case_of(first, "HUUR-1"), case_of(second, "HUUR-1")
    assert (rent_first.campaign, rent_first.campaign_file) == ("intensive", "intensive.toml")
    assert (rent_second.campaign, rent_second.campaign_file) == ("standard", "standard.toml")
    energy_first, energy_second = case_of(first, "ENERGIE-1"), case_of(second, "ENERGIE-1")
    assert energy_first.campaign_file == "light.toml"
    assert energy_second.campaign_file == "0002/light.toml"
    # Each plan is its file's: 0002's own light campaign opens with an SMS, the shared one not.
    first_keys = set(PlannedStep.objects.filter(case=energy_first).values_list("key", flat=True))
    second_keys = set(PlannedStep.objects.filter(case=energy_second).values_list("key", flat=True))
    assert "sms_first" in second_keys and "sms_first" not in first_keys
    # The outbox received each municipality's messages: 0002's energy case opened with an SMS
    # on the day it started, 0001's with the shared campaign's letter.
    sent = read_outbox().messages

    def opening(case: Case) -> str:
        mine = sorted((m for m in sent if m["case"] == case.pk), key=lambda m: m["created"])
        assert mine, f"case {case.pk} received nothing"
        return str(mine[0]["channel"])

    assert (opening(energy_first), opening(energy_second)) == ("letter", "sms")
