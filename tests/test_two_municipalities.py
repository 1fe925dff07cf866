"""One installation, two municipalities: the same partner file gives each its own priorities,
plans and words (issue 11). A moving clock, the daily tick and housekeeping, the file outbox."""

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from outreach.cadence import library
from outreach.cadence.models import PlannedStep
from outreach.cadence.periodic import run_housekeeping
from outreach.cadence.tasks import tick_now
from outreach.casework.models import Case
from outreach.core.contacts import add_contact_person
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality
from outreach.intake.framework_files import forget
from outreach.intake.models import Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.messaging.models import Message, TemplateVersion
from outreach.messaging.texts.versions import (
    PublishError,
    approve,
    current,
    propose,
    save_draft,
)
from outreach.messaging.transports.outbox import read_outbox
from tests.conftest import CONTACT, csv_bytes, municipality_with_contact, signal_row

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(datetime(2026, 9, 1, 10, 0))

OWN_WORDS = "Tweedestad helpt elk jaar honderden inwoners."

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
    """Two municipalities, each with its own threshold and its own team contact person."""
    first = municipality_with_contact("0001", "Eerstestad")  # Sanne de Vries
    second = municipality_with_contact(
        "0002",
        "Tweedestad",
        {**CONTACT, "worker_name": "Ahmed Benali", "worker_phone": "0318 123 456"},
    )
    first.thresholds, second.thresholds = {"Energie": 100}, {"Energie": 300}
    first.save()
    second.save()
    return first, second


@pytest.fixture
def own_invitation(towns: tuple[Municipality, Municipality]) -> TemplateVersion:
    """Tweedestad's own SMS invitation, proposed by one communication officer and approved by
    another (four eyes, on by default)."""
    _, second = towns
    proposer, approver = (
        User.objects.create_user(name, password="x") for name in ("comm-a", "comm-b")
    )
    shared = current("invitation", "nl")
    assert shared is not None and OWN_WORDS not in shared.source
    draft = save_draft(
        "invitation", "nl", shared.source.replace("Dat kan iedereen overkomen.", OWN_WORDS),
        proposer, RECEIVED, municipality_id=second.pk,
    )  # fmt: skip
    propose(draft, proposer, RECEIVED)
    with pytest.raises(PublishError):
        approve(draft, proposer, RECEIVED)  # never her own
    approve(draft, approver, RECEIVED)
    draft.refresh_from_db()
    assert draft.status == TemplateVersion.Status.PUBLISHED
    return draft


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


def test_the_same_partner_file_gives_each_municipality_its_own_priorities_plans_and_words(
    campaigns: Path, towns: tuple[Municipality, Municipality], own_invitation: TemplateVersion
) -> None:
    first, second = towns
    data = partner_file()
    for town in towns:
        report = import_rows(read_csv_bytes(data), municipality=town, now=RECEIVED)
        assert report.rejected == 0, report.rejections
    # Eerstestad's rent case is assigned to a caseworker with a contact profile: her name.
    fleur = User.objects.create_user("fleur", first_name="Fleur", last_name="Jansen")
    add_contact_person(first, "Fleur Jansen", "030 286 2222", username="fleur")
    Case.objects.filter(pk=case_of(first, "HUUR-1").pk).update(assignee=fleur)
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

    # Words: each municipality's own contact person, and Tweedestad's own invitation.
    def bodies(case: Case) -> str:
        return "\n".join(str(m["body"]) for m in sent if m["case"] == case.pk)

    assert "Fleur Jansen" in bodies(rent_first) and "Sanne de Vries" not in bodies(rent_first)
    assert "Sanne de Vries" in bodies(energy_first)
    for case in (rent_second, energy_second):
        assert "Ahmed Benali" in bodies(case) and "Sanne de Vries" not in bodies(case)
    invitation = Message.objects.get(case=energy_second, channel="sms")
    assert invitation.template == "invitation" and OWN_WORDS in invitation.body
    assert invitation.template_municipality_id == second.pk
    assert OWN_WORDS in bodies(energy_second)
    first_texts = Message.objects.filter(case__municipality=first)
    assert first_texts.exists() and not first_texts.filter(body__contains=OWN_WORDS).exists()
    assert not first_texts.exclude(template_municipality=None).exists()  # shared texts only
