"""Returned mail (post retour): the letter becomes `returned` and its step's failure path runs,
once, from the command or the case page."""

import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management.base import CommandError
from django.test import Client

from outreach.cadence.models import PlannedStep
from outreach.core.models import StaffProfile
from outreach.core.roles import CASEWORKER
from outreach.messaging.models import Message
from outreach.messaging.printing.batches import make_print_batches
from outreach.messaging.printing.returned import ReturnError, record_returned
from tests.messaging.channels import at, letters, make_cases

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("channel_campaign", "transports"),
]


@pytest.fixture
def printed(municipality, engine):
    """A first letter handed over in Friday's batch."""
    (case,) = make_cases(municipality, 1, at("2026-05-15"))
    engine(at("2026-05-15"))
    make_print_batches(at("2026-05-15", "15:00"))
    (letter,) = letters(case=case)
    assert letter.status == Message.Status.SENT
    return letter


def fallbacks(letter: Message) -> list[PlannedStep]:
    return list(PlannedStep.objects.filter(case_id=letter.case_id, key__endswith="call_now"))


def test_returned_mail_takes_the_failure_path_once(printed):
    tuesday = at("2026-05-19", "10:00")
    returned = record_returned(printed.pk, tuesday, "adres onbekend")
    assert returned.changed and returned.fallback is not None
    printed.refresh_from_db()
    assert (printed.status, printed.status_at) == (Message.Status.RETURNED, tuesday)
    (fallback,) = fallbacks(printed)
    assert fallback.pk == returned.fallback.pk and fallback.status == PlannedStep.Status.PLANNED
    step = PlannedStep.objects.get(pk=printed.step_id)
    assert step.note == "post retour: adres onbekend"

    again = record_returned(printed.pk, at("2026-05-20"), "nogmaals")
    assert not again.changed and again.fallback is None
    printed.refresh_from_db()
    assert printed.status_at == tuesday
    assert len(fallbacks(printed)) == 1
    assert PlannedStep.objects.get(pk=printed.step_id).note == "post retour: adres onbekend"


def test_only_a_handed_over_letter_can_come_back(municipality, engine):
    (case,) = make_cases(municipality, 1, at("2026-05-15"))
    engine(at("2026-05-15"))
    (queued,) = letters(case=case)
    with pytest.raises(ReturnError, match="queued"):
        record_returned(queued.pk, at("2026-05-15", "12:00"))
    with pytest.raises(ReturnError, match="no letter"):
        record_returned(queued.pk + 1000, at("2026-05-15", "12:00"))
    assert not fallbacks(queued)


def test_the_command_records_it(printed, run_command):
    out = run_command(
        "returned-mail", printed.pk, "--reason", "verhuisd", "--now", "2026-05-19T10:00", "--json"
    )
    report = json.loads(out)
    assert report["letter"] == printed.pk and report["changed"] is True
    assert report["status"] == "returned"
    assert report["fallback"]["step"].endswith("call_now")
    assert report["fallback"]["channel"] == "phone_task"
    text = run_command("returned-mail", printed.pk)
    assert "nothing changed" in text
    with pytest.raises(CommandError, match="no letter"):
        run_command("returned-mail", 999999)


@pytest.fixture
def browser(municipality):
    user = User.objects.create_user("consulent", password="geheim-wachtwoord-1")
    user.groups.add(Group.objects.get_or_create(name=CASEWORKER)[0])
    StaffProfile.objects.create(user=user).municipalities.add(municipality)
    client = Client()
    client.force_login(user)
    return client


def test_a_caseworker_records_it_on_the_case_page(printed, browser):
    page = browser.get(f"/cases/{printed.case_id}/").content.decode()
    url = f"/cases/{printed.case_id}/letters/{printed.pk}/returned"
    assert f'action="{url}"' in page and "Retour ontvangen" in page

    response = browser.post(url, {"reason": "onbekend op dit adres"}, follow=True)
    assert response.status_code == 200
    assert "Retour geregistreerd" in response.content.decode()
    printed.refresh_from_db()
    assert printed.status == Message.Status.RETURNED
    assert len(fallbacks(printed)) == 1
    assert f'action="{url}"' not in response.content.decode()  # no button any more

    again = browser.post(url, {"reason": "dubbel"}, follow=True)
    assert "al als retour" in again.content.decode()
    assert len(fallbacks(printed)) == 1
    assert browser.get(url).status_code == 405


def test_a_caseworker_cannot_return_another_municipalitys_letter(
    printed, browser, other_municipality, engine
):
    (other,) = make_cases(other_municipality, 1, at("2026-05-15"), postcode="3811AA")
    engine(at("2026-05-15"))
    make_print_batches(at("2026-05-15", "15:00"))
    (letter,) = letters(case=other)
    assert browser.post(f"/cases/{other.pk}/letters/{letter.pk}/returned").status_code == 404
    # Nor through a case of their own.
    response = browser.post(f"/cases/{printed.case_id}/letters/{letter.pk}/returned", follow=True)
    assert "Niet geregistreerd" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == Message.Status.SENT
