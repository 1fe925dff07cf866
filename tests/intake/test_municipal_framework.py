"""The weighing framework per municipality: `campaigns/<code>/afwegingskader.toml` replaces the
shared one for that municipality only, and is read again when it changes."""

import shutil
from pathlib import Path
from typing import Any

import pytest

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.desk.queue_filters import tier_choices
from outreach.intake.pipeline import import_rows, weighing_framework
from outreach.intake.readers import read_csv_bytes
from tests.conftest import CONTACT, csv_bytes, signal_row

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "campaigns"
# An extra tier, as a municipality's own framework may add.
TOP_TIER = '\n[[tier]]\nname = "urgent"\nmin_score = 90\ncampaign = "intensive"\n'


@pytest.fixture
def folder(tmp_path: Path, settings: Any) -> Path:
    target = tmp_path / "campaigns"
    shutil.copytree(SHIPPED, target)
    settings.CAMPAIGNS_DIR = target
    return target


def own_framework(folder: Path, code: str, text: str) -> Path:
    (folder / code).mkdir(exist_ok=True)
    path = folder / code / "afwegingskader.toml"
    path.write_text(text)
    return path


def import_one(municipality: Municipality, now: Any) -> Case:
    report = import_rows(
        read_csv_bytes(csv_bytes([signal_row()])), municipality=municipality, now=now
    )
    assert report.rejected == 0, report.rejections
    return Case.objects.get(municipality=municipality)


def test_a_municipalitys_own_framework_applies_to_its_imports_only(
    folder: Path, municipality: Municipality, now: Any
) -> None:
    shared = (folder / "afwegingskader.toml").read_text()
    # Amsterdam gives its low tier the standard campaign instead of the light one.
    own_framework(folder, "0363", shared.replace('campaign = "light"', 'campaign = "standard"'))
    amsterdam = Municipality.objects.create(code="0363", name="Amsterdam", contact=dict(CONTACT))
    theirs, ours = import_one(amsterdam, now), import_one(municipality, now)
    assert (theirs.tier, theirs.campaign) == ("low", "standard")
    assert (ours.tier, ours.campaign) == ("low", "light")


def test_an_edited_framework_is_read_again_and_an_unchanged_one_is_not(folder: Path) -> None:
    path = own_framework(folder, "0363", (folder / "afwegingskader.toml").read_text())
    first = weighing_framework("0363")
    assert weighing_framework("0363") is first
    assert weighing_framework(None) is not first  # the shared file is its own entry
    path.write_text(path.read_text() + TOP_TIER)
    assert "urgent" in weighing_framework("0363").tier_names
    assert "urgent" not in weighing_framework("0344").tier_names


def test_the_queue_offers_the_tiers_of_the_municipalities_shown(folder: Path) -> None:
    own_framework(folder, "0363", (folder / "afwegingskader.toml").read_text() + TOP_TIER)
    shared = [name for name, _ in tier_choices()]
    assert shared == ["crisis", "high", "medium", "low"]
    assert [name for name, _ in tier_choices(["0363", "0344"])] == [*shared, "urgent"]
