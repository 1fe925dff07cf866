"""Caseworkers act on the plan; supervisors see what is at risk; roles and municipalities hold."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from outreach.cadence.models import PlannedStep
from outreach.casework.models import Case, ContactAttempt, Task
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import CASEWORKER, COMMUNICATION, SUPERVISOR
from tests.cadence.conftest import ingest
from tests.conftest import AMSTERDAM, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]


def staff(name: str, role: str, municipality: Municipality) -> Client:
    user = User.objects.create_user(name, password="geheim-wachtwoord-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user).municipalities.add(municipality)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def started(municipality, engine, now):
    """A case whose call task exists: ticks on Friday 15 and Friday 22 May 2026."""
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    engine(datetime(2026, 5, 22, 9, 0, tzinfo=AMSTERDAM))
    return case


def test_caseworker_records_a_call_that_reached_someone(started, municipality):
    task = Task.objects.get(case=started, kind="phone")
    browser = staff("consulent", CASEWORKER, municipality)
    page = browser.get(f"/cases/{started.pk}/").content.decode()
    assert "Bellen en huisbezoeken" in page and 'value="reached"' in page
    assert f"<title>Zaak #{started.pk} · Vroegsignalering</title>" in page
    response = browser.post(f"/cases/{started.pk}/tasks/{task.pk}/outcome", {"outcome": "reached"})
    assert response.status_code == 302
    started.refresh_from_db()
    assert started.state == Case.State.HELP_OFFER
    assert ContactAttempt.objects.filter(case=started, kind="Telefoon", reached=True).exists()


def test_caseworker_closes_with_any_ddas_result(municipality, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    browser = staff("consulent", CASEWORKER, municipality)
    bad = browser.post(f"/cases/{case.pk}/close", {"result": "Opgelost"}, follow=True)
    assert "Kies een eindresultaat" in bad.content.decode()
    case.refresh_from_db()
    assert case.state == Case.State.NEW
    result = EndResult.FOLLOW_UP_FINANCIAL.value
    browser.post(f"/cases/{case.pk}/close", {"result": result, "reason": "doorverwezen"})
    case.refresh_from_db()
    assert (case.state, case.result, case.result_reason) == ("closed", result, "doorverwezen")


def test_got_in_touch_stops_the_campaign(municipality, engine, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    browser = staff("consulent", CASEWORKER, municipality)
    browser.post(f"/cases/{case.pk}/contact")
    case.refresh_from_db()
    assert case.state == Case.State.HELP_OFFER
    assert not PlannedStep.objects.filter(case=case, status__in=PlannedStep.OPEN).exists()


def test_actions_are_post_only_and_scoped(municipality, now):
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    other = Municipality.objects.create(code="0307", name="Amersfoort")
    outsider = staff("elders", CASEWORKER, other)
    assert outsider.post(f"/cases/{case.pk}/contact").status_code == 404
    insider = staff("consulent", CASEWORKER, municipality)
    assert insider.get(f"/cases/{case.pk}/contact").status_code == 405
    writer = staff("schrijver", COMMUNICATION, municipality)
    assert writer.post(f"/cases/{case.pk}/contact").status_code == 403
    case.refresh_from_db()
    assert case.state == Case.State.NEW


def test_supervisor_sees_cases_at_risk(municipality, engine, now):
    (case,) = ingest([signal_row(signaaldatum="2026-04-01")], municipality, now)
    Case.objects.filter(pk=case.pk).update(
        state=Case.State.ACTIVE, at_risk=True, at_risk_reason="Nog geen persoonlijk contact"
    )
    supervisor = staff("teamleider", SUPERVISOR, municipality)
    page = supervisor.get("/at-risk/").content.decode()
    assert f"#{case.pk}" in page and "Nog geen persoonlijk contact" in page
    assert "dagen over tijd" in page
    caseworker = staff("consulent", CASEWORKER, municipality)
    assert caseworker.get("/at-risk/").status_code == 403
    assert caseworker.get("/tasks/").status_code == 200


def test_supervisor_sees_the_cases_that_wait_for_contact_details(municipality, engine, now):
    municipality.contact_people.all().delete()
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    engine(now)
    page = staff("teamleider", SUPERVISOR, municipality).get("/at-risk/").content.decode()
    assert f"#{case.pk}" in page
    assert "Campagne niet gestart: de gemeente heeft geen contactpersoon" in page
