"""Campaigns per municipality (`campaigns/<code>/` overrides the shared files) and running
plans that keep the campaign file they were planned from."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from outreach.cadence import library
from outreach.cadence.delivery import delivery_failed
from outreach.cadence.models import CampaignVersion, PlannedStep
from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.messaging.models import Message
from outreach.messaging.transports.base import PERMANENT
from tests.cadence.conftest import TEST_CAMPAIGN, ingest
from tests.cadence.test_engine import ScriptedTransport
from tests.conftest import AMSTERDAM, municipality_with_contact, signal_row

pytestmark = [pytest.mark.django_db]

# A municipality's own campaign: a letter, then an SMS a day later, closing after 2 days.
OWN_CAMPAIGN = """
label = "Eigen"
close_after_days = 2

[[step]]
id = "brief"
channel = "letter"
after_days = 0

[[step]]
id = "sms"
channel = "sms"
after_days = 1
"""

# The test campaign edited: the SMS names its text, falls back to nothing and comes a day later.
EDITED_CAMPAIGN = (
    TEST_CAMPAIGN.replace('on_failure = "letter2"\n', 'template = "reminder"\n')
    .replace("after_days = 3", "after_days = 4")
    .replace('label = "Test"', 'label = "Test, bewerkt"')
)


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def steps_of(case: Case) -> dict[str, PlannedStep]:
    return {s.key: s for s in PlannedStep.objects.filter(case=case)}


@pytest.fixture
def amsterdam(db) -> Municipality:
    return municipality_with_contact("0363", "Amsterdam")


def test_a_municipality_folder_replaces_a_campaign_for_that_municipality_only(
    campaign_dir: Path, municipality: Municipality, amsterdam: Municipality, engine, now
) -> None:
    (utrecht_case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    (amsterdam_case,) = ingest([signal_row(signaaldatum="2026-05-14")], amsterdam, now)
    name = utrecht_case.campaign
    assert name and amsterdam_case.campaign == name
    own = campaign_dir / "0344"
    own.mkdir()
    (own / f"{name}.toml").write_text(OWN_CAMPAIGN)
    engine(now)
    utrecht_case.refresh_from_db()
    amsterdam_case.refresh_from_db()
    assert set(steps_of(utrecht_case)) == {"brief", "sms", "close"}
    assert set(steps_of(amsterdam_case)) == {
        "letter1",
        "sms1",
        "call",
        "announce",
        "visit",
        "close",
    }
    assert utrecht_case.campaign_file == f"0344/{name}.toml"
    assert amsterdam_case.campaign_file == f"{name}.toml"
    assert set(library.campaigns_for("0344")) == set(library.campaigns_for("0363"))
    assert library.get_campaign(name, "0344").label == "Eigen"
    assert library.get_campaign(name, "0363").label == library.get_campaign(name).label == "Test"


def test_a_campaign_only_a_municipality_has_is_unknown_to_the_others(
    campaign_dir: Path,
) -> None:
    own = campaign_dir / "0344"
    own.mkdir()
    (own / "extra.toml").write_text(OWN_CAMPAIGN)
    assert "extra" in library.campaigns_for("0344")
    assert "extra" not in library.campaigns_for("0363")
    with pytest.raises(LookupError, match="no campaign 'extra' for municipality 0363"):
        library.get_campaign("extra", "0363")


def test_an_edited_file_leaves_the_running_plan_and_applies_to_new_cases(
    campaign_dir: Path, municipality: Municipality, engine, now
) -> None:
    row = {"signaaldatum": "2026-05-14", "telefoonnummer": "0612345678"}
    (running,) = ingest([signal_row(**row)], municipality, now)
    engine(now)
    before = {k: (s.channel, s.due_at) for k, s in steps_of(running).items()}
    # The policy officer edits the file (the library notices without a restart).
    (campaign_dir / f"{running.campaign}.toml").write_text(EDITED_CAMPAIGN)
    other = {"postcode": "3512CD", "huisnummer": "5", "telefoonnummer": "0687654321"}
    (fresh,) = ingest([signal_row(**{**row, **other})], municipality, now)[1:]
    engine(now)
    # The running plan's timings are as planned; the new case follows the edited file.
    assert {k: (s.channel, s.due_at) for k, s in steps_of(running).items()} == before
    assert steps_of(running)["sms1"].due_at == at("2026-05-18")
    assert steps_of(fresh)["sms1"].due_at == at("2026-05-19")
    assert steps_of(running)["sms1"].version_id != steps_of(fresh)["sms1"].version_id
    assert CampaignVersion.objects.count() == 2
    # The running plan's SMS sends its default text and, undelivered, falls back to its letter.
    library.reload()  # a worker that never saw the old file: the version's text is read
    engine(at("2026-05-18"))
    assert Message.objects.get(case=running, channel="sms").template == "invitation"
    fallback = delivery_failed(steps_of(running)["sms1"].pk, at("2026-05-18", "10:00"), "weg")
    assert fallback is not None and fallback.key == "letter2"
    assert fallback.version_id == steps_of(running)["sms1"].version_id
    # The new case's SMS names its text, and has no fallback any more.
    engine(at("2026-05-19"))
    assert Message.objects.get(case=fresh, channel="sms").template == "reminder"
    assert delivery_failed(steps_of(fresh)["sms1"].pk, at("2026-05-19", "10:00"), "weg") is None
    fresh.refresh_from_db()
    running.refresh_from_db()
    assert fresh.campaign_file == running.campaign_file == f"{running.campaign}.toml"


def test_steps_planned_before_versions_follow_the_library_by_name(
    campaign_dir: Path, municipality: Municipality, engine, now
) -> None:
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    PlannedStep.objects.filter(case=case).update(version=None)
    broken = ScriptedTransport({"+31612345678": [PERMANENT]})
    engine(at("2026-05-18"), broken)
    assert steps_of(case)["letter2"].status == "planned"


def test_a_municipality_whose_files_are_invalid_waits_alone(
    campaign_dir: Path, municipality: Municipality, amsterdam: Municipality, engine, now
) -> None:
    own = campaign_dir / "0344"
    own.mkdir()
    (own / "standard.toml").write_text('label = "kapot"\n')
    (utrecht_case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    (amsterdam_case,) = ingest([signal_row(signaaldatum="2026-05-14")], amsterdam, now)
    engine(now)
    utrecht_case.refresh_from_db()
    amsterdam_case.refresh_from_db()
    assert utrecht_case.state == Case.State.NEW and utrecht_case.at_risk
    assert "campagnebestanden ongeldig" in utrecht_case.at_risk_reason
    assert "0344/standard.toml" in utrecht_case.at_risk_reason
    assert amsterdam_case.state == Case.State.ACTIVE


def test_cases_json_names_the_campaign_file(
    campaign_dir: Path, municipality: Municipality, amsterdam: Municipality, engine, now,
    run_command,
) -> None:  # fmt: skip
    own = campaign_dir / "0363"
    own.mkdir()
    (utrecht_case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    (amsterdam_case,) = ingest([signal_row(signaaldatum="2026-05-14")], amsterdam, now)
    (own / f"{amsterdam_case.campaign}.toml").write_text(OWN_CAMPAIGN)
    engine(now)
    listed = {c["id"]: c for c in json.loads(run_command("cases", "--json"))}
    assert listed[amsterdam_case.pk]["campaign_file"] == f"0363/{amsterdam_case.campaign}.toml"
    assert listed[utrecht_case.pk]["campaign_file"] == f"{utrecht_case.campaign}.toml"


def test_a_batch_finds_its_steps_campaigns_without_a_query_once_read(
    campaign_dir: Path, municipality: Municipality, amsterdam: Municipality, engine, now,
    django_assert_num_queries,
) -> None:  # fmt: skip
    from outreach.cadence.versions import campaigns_of, with_versions

    own = campaign_dir / "0344"
    own.mkdir()
    cases = [
        *ingest([signal_row(postcode=f"35{i:02d}AB") for i in range(3)], municipality, now),
        *ingest([signal_row(postcode=f"10{i:02d}AB") for i in range(3)], amsterdam, now),
    ]
    (own / f"{cases[0].campaign}.toml").write_text(OWN_CAMPAIGN)
    engine(now)
    steps = list(with_versions(PlannedStep.objects.filter(case__in=cases)))
    assert len({s.version_id for s in steps}) == 2  # the own file and the shared one
    campaigns_of(steps)  # the first read of the versions in this process
    with django_assert_num_queries(0):
        found = campaigns_of(steps)
    labels = {s.case.municipality_id: found[s.pk].label for s in steps if found[s.pk]}
    assert labels == {municipality.pk: "Eigen", amsterdam.pk: "Test"}
