"""The case page says whom the case's letters and messages name (issue 11)."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from outreach.casework.models import Case
from outreach.core.models import ContactPerson
from outreach.core.roles import CASEWORKER
from tests.cadence.conftest import ingest
from tests.conftest import CONTACT, signal_row
from tests.desk.test_to_check import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(municipality) -> Client:
    return staff("lezer", CASEWORKER, municipality)


def named_on_page(case: Case, browser: Client) -> str:
    page = browser.get(f"/cases/{case.pk}/").content.decode()
    start = page.index('<dd id="named">')
    return page[start : page.index("</dd>", start)]


def test_the_case_page_names_the_teams_contact_person_or_the_caseworker(municipality, browser, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    shown = named_on_page(case, browser)
    assert CONTACT["worker_name"] in shown and "contactpersoon van het team" in shown

    sanne = User.objects.create_user("sanne", first_name="Sanne", last_name="Visser")
    ContactPerson.objects.create(
        municipality=municipality, user=sanne, name="Sanne Visser", phone="030 286 1234"
    )
    Case.objects.filter(pk=case.pk).update(assignee=sanne)
    shown = named_on_page(case, browser)
    assert "Sanne Visser, 030 286 1234" in shown and "contactprofiel van de consulent" in shown


def test_the_case_page_warns_when_nobody_is_named(municipality, browser, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    municipality.contact_people.all().delete()
    assert "niemand: de gemeente heeft geen contactpersoon" in named_on_page(case, browser)
