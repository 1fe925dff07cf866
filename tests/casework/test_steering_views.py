"""The case page's steering actions over HTTP: POST only, CSRF-protected, scoped to the user's
municipalities, each recorded in the history with the user; the page offers what fits."""

from datetime import timedelta

import pytest
from django.test import Client

from outreach.cadence.periodic import run_housekeeping
from outreach.casework.models import Case, CaseEvent, HelpOffer, Task
from outreach.core.models import Municipality
from outreach.intake.models import Signal
from tests.cadence.conftest import ingest
from tests.casework.conftest import make_caseworker
from tests.conftest import signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaigns")]

# Every steering action with a valid form.
ACTIONS = [
    ("pause", {}),
    ("resume", {}),
    ("stop", {}),
    ("campaign", {"campaign": "short"}),
    ("launch", {"campaign": "short"}),
    ("assign", {"assignee": ""}),
    ("attempts", {"kind": "Telefoon", "date": "2026-05-15", "dagdeel": "Ochtend"}),
    ("offer", {"made_on": "2026-05-15", "kind": "Telefoon", "answer": "pending"}),
    ("offer/answer", {"answer": "accepted"}),
    ("language", {"language": "en"}),
    ("opt-out", {"source": "telefoon"}),
    ("notes", {"text": "Notitie"}),
]


@pytest.fixture
def other_case(now):
    elsewhere = Municipality.objects.create(code="0307", name="Amersfoort")
    ingest([signal_row(postcode="3811AA", signaaldatum="2026-05-14")], elsewhere, now)
    return Case.objects.get(municipality=elsewhere)


@pytest.fixture
def case(municipality, now):
    ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return Case.objects.get(municipality=municipality)


@pytest.fixture
def client(sanne):
    client = Client()
    client.force_login(sanne)
    return client


@pytest.mark.parametrize(("path", "form"), ACTIONS)
def test_another_municipalitys_case_is_not_found(client, other_case, path, form):
    response = client.post(f"/cases/{other_case.pk}/{path}", form)
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=other_case).exists()


@pytest.mark.parametrize(("path", "form"), ACTIONS)
def test_actions_are_post_only(client, case, path, form):
    assert client.get(f"/cases/{case.pk}/{path}").status_code == 405


def test_a_post_without_the_csrf_token_is_refused(sanne, case):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(sanne)
    assert strict.post(f"/cases/{case.pk}/notes", {"text": "x"}).status_code == 403
    assert not CaseEvent.objects.filter(case=case).exists()


def test_staff_without_the_caseworker_role_may_not_act(case, municipality):
    user = make_caseworker("kijker", municipality)
    user.groups.clear()
    client = Client()
    client.force_login(user)
    assert client.post(f"/cases/{case.pk}/notes", {"text": "x"}).status_code == 403


def test_each_action_is_recorded_with_the_user(client, case, engine, sanne, now):
    engine(now)
    base = f"/cases/{case.pk}"
    client.post(f"{base}/pause")
    client.post(f"{base}/resume")
    client.post(f"{base}/campaign", {"campaign": "short"})
    client.post(f"{base}/assign", {"assignee": str(sanne.pk)})
    client.post(f"{base}/language", {"language": "pl"})
    client.post(f"{base}/notes", {"text": "Zus belt terug"})
    client.post(f"{base}/offer", {"made_on": "2026-05-15", "kind": "Telefoon", "answer": "pending"})
    client.post(f"{base}/offer/answer", {"answer": "accepted"})
    events = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))
    assert [e.action for e in events] == [
        "gepauzeerd",
        "hervat",
        "campagne",
        "toegewezen",
        "taal",
        "notitie",
        "aanbod",
        "antwoord",
    ]
    assert {e.user for e in events} == {sanne}
    case.refresh_from_db()
    assert (case.state, case.campaign, case.assignee) == (Case.State.HELP_OFFER, "short", sanne)
    assert HelpOffer.objects.get(case=case).answer == HelpOffer.Answer.ACCEPTED
    page = client.get(f"{base}/").content.decode()
    assert "Zus belt terug" in page and "Sanne Visser" in page
    history = page[page.index('id="history"') :]
    assert history.index("Antwoord op het aanbod") < history.index("Campagne gepauzeerd.")


def test_a_refused_action_shows_its_reason_and_changes_nothing(client, case):
    response = client.post(f"/cases/{case.pk}/pause", follow=True)
    assert "Niet gelukt: Een zaak met status &#x27;nieuw&#x27; kunt u niet pauzeren." in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.state == Case.State.NEW
    response = client.post(
        f"/cases/{case.pk}/attempts", {"kind": "Telefoon", "date": "morgen", "dagdeel": "Avond"}
    )
    assert response.status_code == 302
    assert not CaseEvent.objects.filter(case=case).exists()


def test_a_signal_is_marked_unjustified_from_the_page(client, case, sanne):
    signal = Signal.objects.get(case=case)
    client.post(f"/cases/{case.pk}/signals/{signal.pk}/unjustified", {"reason": "Al betaald"})
    signal.refresh_from_db()
    assert signal.status == "Niet opgepakt: onterecht signaal"
    case.refresh_from_db()
    assert case.result == "Niet opgepakt: onterecht signaal"
    assert CaseEvent.objects.get(case=case, action="onterecht").user == sanne


def test_the_page_offers_only_the_actions_that_fit_the_state(client, case, engine, now):
    def page() -> str:
        return client.get(f"/cases/{case.pk}/").content.decode()

    new = page()
    assert ">Campagne wisselen<" in new and ">Pauzeren<" not in new
    engine(now)
    active = page()
    assert ">Pauzeren<" in active and ">Campagne stoppen<" in active
    assert ">Hervatten<" not in active
    client.post(f"/cases/{case.pk}/pause")
    paused = page()
    assert ">Hervatten<" in paused and ">Pauzeren<" not in paused and "gepauzeerd" in paused
    client.post(f"/cases/{case.pk}/opt-out", {"source": "telefoon"})
    closed = page()
    for button in ("Pauzeren", "Hervatten", "Campagne stoppen", "Campagne wisselen", "Toewijzen"):
        assert f">{button}<" not in closed
    assert ">Notitie opslaan<" in closed


def test_the_queue_shows_the_cases_that_wait_for_launch(client, municipality, case, now):
    municipality.manual_launch_tiers = ["low", "medium", "high", "crisis"]
    municipality.save()
    ingest([signal_row(postcode="3512CD", signaaldatum="2026-05-14")], municipality, now)
    waiting = Case.objects.get(state=Case.State.WAITING)
    rows = client.get("/?show=waiting").context["rows"]
    assert [c.pk for c, _ in rows] == [waiting.pk]
    html = client.get("/").content.decode()
    assert "Wacht op start" in html and "wacht op start" in html
    detail = client.get(f"/cases/{waiting.pk}/").content.decode()
    assert ">Campagne starten<" in detail
    client.post(f"/cases/{waiting.pk}/launch", {"campaign": "short"})
    waiting.refresh_from_db()
    assert (waiting.state, waiting.campaign) == (Case.State.NEW, "short")


def test_expired_tasks_show_as_not_performed(client, case, engine, now):
    engine(now)
    engine(now + timedelta(days=7))  # the call task is made
    assert Task.objects.filter(case=case).exists()
    case.refresh_from_db()
    run_housekeeping((case.window_ends + timedelta(days=1)).isoformat() + "T10:00:00+02:00")
    assert Task.objects.get(case=case).status == Task.Status.EXPIRED
    assert "verlopen (niet uitgevoerd)" in client.get(f"/cases/{case.pk}/").content.decode()


def test_the_task_list_names_the_assigned_caseworker(client, case, engine, sanne, now):
    engine(now)
    engine(now + timedelta(days=7))  # the call task is made
    client.post(f"/cases/{case.pk}/assign", {"assignee": str(sanne.pk)})
    task = Task.objects.get(case=case)
    assert task.assignee == sanne
    Task.objects.filter(pk=task.pk).update(planned_for=now.date())
    html = client.get("/tasks/").content.decode()
    assert f'href="/cases/{case.pk}/"' in html and "<td>Sanne Visser</td>" in html
