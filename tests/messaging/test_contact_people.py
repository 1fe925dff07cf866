"""Letters and messages name the case's caseworker when she has an active contact profile at
its municipality, else the team's contact person (issue 11); a batch reads them once."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.cadence.recipients import load_recipients
from outreach.casework.models import Case
from outreach.core.models import ContactPerson, Municipality
from outreach.messaging.models import Message
from outreach.messaging.texts.compose import contact_context
from tests.cadence.conftest import ingest
from tests.conftest import CONTACT, municipality_with_contact, signal_row
from tests.messaging.inbound_support import (
    RecordingTransport,
    case,
    inbound_settings,
    reply,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

TEAM = CONTACT["worker_name"]


def caseworker(username: str, place: Municipality, name: str, phone: str) -> User:
    """A user with a contact profile (name and direct number) at `place`."""
    user = User.objects.create_user(username)
    ContactPerson.objects.create(municipality=place, user=user, name=name, phone=phone)
    return user


def assigned(case: Case, user: User | None) -> Case:
    Case.objects.filter(pk=case.pk).update(assignee=user)
    return Case.objects.get(pk=case.pk)


def first_letter(case: Case) -> str:
    return Message.objects.filter(case=case, channel="letter").order_by("pk").first().body


@pytest.fixture
def two_cases(municipality, now) -> list[Case]:
    return ingest(
        [
            signal_row(signaaldatum="2026-05-14"),
            signal_row(signaaldatum="2026-05-14", postcode="3511BB", huisnummer="7"),
        ],
        municipality,
        now,
    )


def test_the_letter_names_the_assigned_caseworker_with_a_profile(
    two_cases, municipality, engine, now
):
    own, other = two_cases
    sanne = caseworker("sanne", municipality, "Sanne Visser", "030 286 1234")
    assigned(own, sanne)
    engine(now)
    assert "Sanne Visser" in first_letter(own) and "030 286 1234" in first_letter(own)
    assert TEAM not in first_letter(own)
    assert TEAM in first_letter(other) and "Sanne Visser" not in first_letter(other)


def test_a_caseworker_without_a_profile_gets_the_teams_contact_person(
    two_cases, municipality, engine, now
):
    own, _ = two_cases
    assigned(own, User.objects.create_user("pieter", first_name="Pieter", last_name="Post"))
    engine(now)
    assert TEAM in first_letter(own) and CONTACT["worker_phone"] in first_letter(own)
    assert "Pieter" not in first_letter(own)


def test_an_inactive_profile_is_ignored(two_cases, municipality, engine, now):
    own, _ = two_cases
    sanne = caseworker("sanne", municipality, "Sanne Visser", "030 286 1234")
    ContactPerson.objects.filter(user=sanne).update(active=False)
    assigned(own, sanne)
    engine(now)
    assert TEAM in first_letter(own) and "Sanne Visser" not in first_letter(own)


def test_a_profile_at_another_municipality_is_not_used(two_cases, municipality, engine, now):
    own, _ = two_cases
    amersfoort = municipality_with_contact("0307", "Amersfoort")
    sanne = caseworker("sanne", amersfoort, "Sanne Visser", "033 123 4567")
    assigned(own, sanne)
    engine(now)
    assert TEAM in first_letter(own) and "Sanne Visser" not in first_letter(own)


def test_a_batch_reads_its_contact_people_once_not_per_case(municipality, now):
    def queries(count: int) -> int:
        cases = ingest(
            [
                signal_row(signaaldatum="2026-05-14", postcode=f"35{n:02d}AB", huisnummer=str(n))
                for n in range(1, count + 1)
            ],
            municipality,
            now,
        )
        for n, made in enumerate(cases):
            user = caseworker(f"c{count}-{n}", municipality, f"Consulent {n}", "030 286 1234")
            assigned(made, user)
        with CaptureQueriesContext(connection) as captured:
            found = load_recipients(made.pk for made in cases)
        assert {r.municipality["worker_name"] for r in found.values()} == {
            f"Consulent {n}" for n in range(count)
        }
        Case.objects.all().delete()
        return len(captured)

    assert queries(2) == queries(6)


def test_a_preview_names_the_teams_contact_person(municipality):
    letterhead = contact_context(municipality)
    assert (letterhead["name"], letterhead["worker_name"], letterhead["worker_phone"]) == (
        "Gemeente Utrecht",
        TEAM,
        CONTACT["worker_phone"],
    )
    assert letterhead["reply_number"] == CONTACT["reply_number"]


def test_the_answer_to_a_reply_names_the_assigned_caseworker(reply, case):
    assigned(case, caseworker("sanne", case.municipality, "Sanne Visser", "030 286 1234"))
    reply("JA")
    (sent,) = RecordingTransport.sent
    assert "Sanne Visser" in sent.body and "030 286 1234" in sent.body
