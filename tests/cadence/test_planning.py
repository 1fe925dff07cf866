"""Starting campaigns: a municipality without the contact details every text needs starts
none; its cases wait on the at-risk list with the reason and start once the details are in."""

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from outreach.cadence.escalation import at_risk_cases
from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case
from outreach.core.contacts import add_contact_person
from outreach.core.models import Municipality
from outreach.core.municipalities import add_municipality
from outreach.messaging.models import Message
from tests.cadence.conftest import ingest
from tests.conftest import CONTACT, municipality_with_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

LEASE = timedelta(minutes=10)
REASON = (
    "Campagne niet gestart: de gemeente heeft geen contactpersoon en geen direct nummer "
    "(ontbreekt: worker_name, worker_phone)"
)


@pytest.fixture
def incomplete(municipality: Municipality) -> Municipality:
    """Utrecht with its reply number but nobody to name: no default contact person."""
    municipality.contact_people.all().delete()
    return municipality


def test_without_contact_details_no_campaign_starts(incomplete, engine, now, run_command):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], incomplete, now)
    assert engine(now).cases == 1  # claimed and tried
    case.refresh_from_db()
    assert (case.state, case.at_risk, case.at_risk_reason) == (Case.State.NEW, True, REASON)
    assert not PlannedStep.objects.filter(case=case).exists()
    assert not Message.objects.exists()
    assert list(at_risk_cases([incomplete], now.date())) == [case]
    (row,) = json.loads(run_command("at-risk", "--json"))
    assert (row["id"], row["reason"]) == (case.pk, REASON)
    # Tried again when its claim runs out, and held up again.
    assert engine(now + LEASE).cases == 1
    case.refresh_from_db()
    assert (case.state, case.at_risk_reason) == (Case.State.NEW, REASON)


def test_filling_in_the_details_starts_the_case_at_the_next_tick(incomplete, engine, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], incomplete, now)
    engine(now)
    add_municipality(incomplete.code, incomplete.name, {}, dict(CONTACT))
    later = now + timedelta(minutes=1)  # well within the claim's lease
    assert engine(later).cases == 1
    case.refresh_from_db()
    assert (case.state, case.started_at, case.at_risk, case.at_risk_reason) == (
        Case.State.ACTIVE,
        later,
        False,
        "",
    )
    assert PlannedStep.objects.filter(case=case).exists()
    letter = Message.objects.get(case=case)
    assert CONTACT["worker_name"] in letter.body and CONTACT["reply_number"] in letter.body
    assert list(at_risk_cases([incomplete], later.date())) == []


def test_saving_an_incomplete_contact_releases_nothing(incomplete, engine, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], incomplete, now)
    engine(now)
    # A contact person who is not the team's (and no caseworker's): nobody to name still.
    add_contact_person(incomplete, "Iris de Boer", "06 12345678")
    add_municipality(incomplete.code, incomplete.name, {}, {"reply_number": ""})
    assert engine(now + timedelta(minutes=1)).cases == 0  # the claim still holds
    assert Case.objects.get(pk=case.pk).at_risk_reason == REASON
    engine(now + LEASE)
    case.refresh_from_db()
    assert case.state == Case.State.NEW
    assert case.at_risk_reason.endswith(
        "geen contactpersoon, geen direct nummer en geen antwoordnummer "
        "(ontbreekt: worker_name, worker_phone, reply_number)"
    )


def test_a_case_whose_caseworker_has_a_profile_starts_without_the_teams_person(
    incomplete, engine, now
):
    (waiting, own) = ingest(
        [
            signal_row(signaaldatum="2026-05-14"),
            signal_row(signaaldatum="2026-05-14", postcode="3511BB", huisnummer="7"),
        ],
        incomplete,
        now,
    )
    sanne = User.objects.create_user("sanne", first_name="Sanne", last_name="Visser")
    Case.objects.filter(pk=own.pk).update(assignee=sanne)
    add_contact_person(incomplete, "Sanne Visser", "030 286 1234", username="sanne")
    engine(now)
    assert Case.objects.get(pk=waiting.pk).at_risk_reason == REASON
    assert Case.objects.get(pk=own.pk).state == Case.State.ACTIVE
    (letter,) = Message.objects.filter(case=own)
    assert "Sanne Visser" in letter.body and "030 286 1234" in letter.body


def test_only_the_municipality_without_details_waits(incomplete, engine, now):
    other = municipality_with_contact("0307", "Amersfoort")
    (waiting,) = ingest([signal_row(signaaldatum="2026-05-14")], incomplete, now)
    (started,) = ingest(
        [signal_row(signaaldatum="2026-05-14", postcode="3811AA", plaatsnaam="Amersfoort")],
        other,
        now,
    )
    engine(now)
    assert Case.objects.get(pk=waiting.pk).state == Case.State.NEW
    assert Case.objects.get(pk=started.pk).state == Case.State.ACTIVE
    assert list(Message.objects.values_list("case_id", flat=True)) == [started.pk]


def test_a_blank_detail_counts_as_missing(municipality, engine, now):
    municipality.contact = {**municipality.contact, "reply_number": "  "}
    municipality.save()
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    case.refresh_from_db()
    assert case.state == Case.State.NEW
    assert case.at_risk_reason == (
        "Campagne niet gestart: de gemeente heeft geen antwoordnummer (ontbreekt: reply_number)"
    )


def test_an_inactive_team_contact_person_counts_as_missing(municipality, engine, now):
    municipality.contact_people.update(active=False)
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    case.refresh_from_db()
    assert (case.state, case.at_risk_reason) == (Case.State.NEW, REASON)


def test_a_case_whose_campaign_was_unknown_leaves_the_list_when_it_starts(
    municipality, engine, now
):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    campaign = case.campaign
    Case.objects.filter(pk=case.pk).update(campaign="gone")
    engine(now)
    assert list(at_risk_cases([municipality], now.date())) == [case]
    Case.objects.filter(pk=case.pk).update(campaign=campaign)
    engine(now + LEASE)
    case.refresh_from_db()
    assert (case.state, case.at_risk, case.at_risk_reason) == (Case.State.ACTIVE, False, "")
