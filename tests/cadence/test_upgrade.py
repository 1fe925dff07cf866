"""A new signal for a running case: it joins, and a stronger campaign takes over the plan."""

from datetime import datetime

import pytest

from outreach.cadence import library
from outreach.cadence.models import PlannedStep
from outreach.cadence.upgrade import replan_upgraded
from outreach.casework.models import Case, Task
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row

pytestmark = [pytest.mark.django_db]

CRISIS = """
label = "Crisis"
days = "working"
close_after_days = 3

[[step]]
id = "sms"
channel = "sms"
after_days = 0
requires = ["has_mobile"]

[[step]]
id = "call"
channel = "phone_task"
after_days = 0

[[step]]
id = "announce"
channel = "sms"
announces = "visit"
days_before = 1

[[step]]
id = "visit"
channel = "visit_task"
after_days = 2
"""


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


@pytest.fixture
def with_crisis(campaign_dir):
    (campaign_dir / "crisis.toml").write_text(CRISIS)
    library.reload()
    return campaign_dir


def test_a_crisis_signal_switches_a_running_case_to_the_crisis_campaign(
    with_crisis, municipality, engine, now
):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    monday = at("2026-05-18", "11:00")
    ingest(
        [signal_row(signaaldatum="2026-05-18", signaalpartner="Huur", crisissignaal="ja")],
        municipality,
        monday,
    )
    case.refresh_from_db()
    assert case.replan and case.campaign == "crisis" and case.crisis
    assert replan_upgraded(monday) == 1
    steps = {s.key: s for s in PlannedStep.objects.filter(case=case)}
    assert steps["letter1"].status == "done"  # what was done stays done
    assert steps["sms1"].status == "cancelled" and "crisis" in steps["sms1"].note
    assert steps["crisis.sms"].due_at == monday and steps["crisis.call"].due_at == monday
    assert steps["crisis.visit"].due_at == at("2026-05-20")  # two working days
    assert steps["close"].due_at == at("2026-05-23", "00:00") and steps["close"].status == "planned"
    engine(monday)
    assert Task.objects.get(case=case, step_key="crisis.call").kind == "phone"
    case.refresh_from_db()
    assert not case.replan and Case.objects.filter(replan=True).count() == 0


def test_an_equal_campaign_keeps_the_running_plan(campaign_dir, municipality, engine, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    running = case.campaign
    engine(now)
    ingest(
        [signal_row(signaaldatum="2026-05-18", signaalpartner="Huur", crisissignaal="ja")],
        municipality,
        at("2026-05-18"),
    )
    case.refresh_from_db()
    assert case.replan
    assert replan_upgraded(at("2026-05-18")) == 0
    case.refresh_from_db()
    assert not case.replan and case.campaign == running  # what runs is what shows
    assert not PlannedStep.objects.filter(case=case, status="cancelled").exists()
