"""The audit log in the desk: viewing a case page and changing a case, its household or its
signals is logged; supervisors and administrators read the log per case and as a list of their
own municipalities; caseworkers and communication staff get 403."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from outreach.casework.models import Case
from outreach.core import audit
from outreach.core.models import AuditEntry, Municipality, StaffProfile
from outreach.core.roles import ADMINISTRATOR, CASEWORKER, COMMUNICATION, SUPERVISOR
from outreach.intake.models import Signal
from tests.cadence.conftest import ingest
from tests.conftest import municipality_with_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

Action, Kind = audit.Action, audit.Kind


def logged():
    """The lines about cases and their people: not the lists viewed or files read and made
    (tests/desk/test_audit_coverage.py)."""
    return AuditEntry.objects.exclude(kind__in=(AuditEntry.Kind.LIST, AuditEntry.Kind.FILE))


def staff(username: str, role: str, *places: Municipality) -> User:
    user = User.objects.create_user(username, password="geheim-wachtwoord-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user).municipalities.add(*places)
    return user


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other(db) -> Municipality:
    return municipality_with_contact("0307", "Amersfoort")


@pytest.fixture
def case(municipality, now) -> Case:
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return case


@pytest.fixture
def other_case(other, now) -> Case:
    (case,) = ingest([signal_row(postcode="3811AA", signaaldatum="2026-05-14")], other, now)
    return case


@pytest.fixture
def sanne(municipality) -> User:
    return staff("sanne", CASEWORKER, municipality)


@pytest.fixture
def chef(municipality) -> User:
    return staff("chef", SUPERVISOR, municipality)


# --- what is logged ----------------------------------------------------------------------------


def test_viewing_a_case_page_logs_one_line_with_the_viewer_case_and_municipality(
    sanne, case, municipality
):
    assert client_of(sanne).get(f"/cases/{case.pk}/").status_code == 200
    line = logged().get()
    assert (line.actor, line.actor_name, line.action) == (sanne, "sanne", Action.VIEWED)
    assert (line.kind, line.object_id, line.municipality) == (Kind.CASE, case.pk, municipality)


def test_a_case_of_another_municipality_is_not_found_and_nothing_is_logged(sanne, other_case):
    assert client_of(sanne).get(f"/cases/{other_case.pk}/").status_code == 404
    assert not logged().exists()


def test_a_transition_logs_a_change_and_a_refused_one_nothing(sanne, case, engine, now):
    client = client_of(sanne)
    client.post(f"/cases/{case.pk}/pause")  # a new case cannot be paused
    assert not logged().exists()
    engine(now)
    client.post(f"/cases/{case.pk}/pause")
    case.refresh_from_db()
    assert case.state == Case.State.PAUSED
    line = logged().get()
    assert (line.actor, line.action, line.kind, line.object_id) == (
        sanne,
        Action.CHANGED,
        Kind.CASE,
        case.pk,
    )
    assert line.detail == "gepauzeerd"


def test_assignment_and_notes_log_changes_of_the_case_without_their_words(sanne, case):
    client = client_of(sanne)
    client.post(f"/cases/{case.pk}/assign", {"assignee": str(sanne.pk)})
    client.post(f"/cases/{case.pk}/notes", {"text": "Zus belt terug"})
    lines = list(logged().order_by("pk").values_list("kind", "object_id", "detail"))
    assert lines == [(Kind.CASE, case.pk, "toegewezen"), (Kind.CASE, case.pk, "notitie")]


def test_a_change_whose_audit_line_fails_is_not_kept(sanne, case, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(audit, "record", broken)
    client = Client(raise_request_exception=False)
    client.force_login(sanne)
    answer = client.post(f"/cases/{case.pk}/assign", {"assignee": str(sanne.pk)})
    assert answer.status_code == 500
    case.refresh_from_db()
    assert case.assignee_id is None  # the assignment went with its missing audit line


def test_a_signal_found_unjustified_logs_a_change_of_the_signal(sanne, case):
    signal = Signal.objects.get(case=case)
    client_of(sanne).post(
        f"/cases/{case.pk}/signals/{signal.pk}/unjustified", {"reason": "Al betaald"}
    )
    line = logged().get()
    assert (line.action, line.kind, line.object_id, line.detail) == (
        Action.CHANGED,
        Kind.SIGNAL,
        signal.pk,
        "onterecht",
    )
    assert "Al betaald" not in line.detail


def test_the_language_of_the_people_logs_a_change_of_the_household(sanne, case):
    client_of(sanne).post(f"/cases/{case.pk}/language", {"language": "pl"})
    line = logged().get()
    assert (line.kind, line.object_id, line.detail) == (
        Kind.HOUSEHOLD,
        case.household_id,
        "voorkeurstaal",
    )


# --- who reads it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [CASEWORKER, COMMUNICATION])
def test_caseworkers_and_communication_staff_may_not_read_the_log(role, municipality, case):
    client = client_of(staff("iemand", role, municipality))
    assert client.get("/audit/").status_code == 403
    assert client.get(f"/cases/{case.pk}/audit/").status_code == 403


def test_the_log_needs_a_login(case):
    assert Client().get("/audit/").url.startswith("/login/")
    assert Client().get(f"/cases/{case.pk}/audit/").url.startswith("/login/")


def test_the_supervisor_sees_her_municipalitys_lines_and_not_anothers(
    chef, sanne, case, other_case, other, municipality
):
    client_of(sanne).get(f"/cases/{case.pk}/")
    elsewhere = staff("elders", CASEWORKER, other)
    client_of(elsewhere).get(f"/cases/{other_case.pk}/")
    audit.record(None, Action.CHANGED, Kind.TEXT, 1, None, "invitation/nl v2: gepubliceerd")
    response = client_of(chef).get("/audit/")
    assert response.status_code == 200
    # (The intake's own lines, of the files read in, aside: test_audit_coverage.py.)
    shown = [(e.actor_name, e.object_id) for e in response.context["page"] if e.kind != "file"]
    assert shown == [("sanne", case.pk)]  # not Amersfoort's, not the shared texts'
    html = response.content.decode()
    assert f'href="/cases/{case.pk}/audit/"' in html and "Utrecht" in html
    assert "elders" not in html and "Amersfoort" not in html


def test_the_case_log_shows_the_case_its_household_and_its_signals(chef, sanne, case, other_case):
    signal = Signal.objects.get(case=case)
    audit.record(sanne, Action.VIEWED, Kind.CASE, case.pk, case.municipality_id)
    audit.record(sanne, Action.CHANGED, Kind.SIGNAL, signal.pk, case.municipality_id, "onterecht")
    audit.record(
        sanne, Action.CHANGED, Kind.HOUSEHOLD, case.household_id, case.municipality_id, "taal"
    )
    audit.record(sanne, Action.VIEWED, Kind.CASE, other_case.pk, other_case.municipality_id)
    client = client_of(chef)
    response = client.get(f"/cases/{case.pk}/audit/")
    kinds = sorted(e.kind for e in response.context["page"])
    assert kinds == [Kind.CASE, Kind.HOUSEHOLD, Kind.SIGNAL]
    # Reading the log is not itself logged; another municipality's case is not found.
    assert logged().count() == 4
    assert client.get(f"/cases/{other_case.pk}/audit/").status_code == 404


def test_the_list_filters_by_period_actor_kind_and_action(chef, sanne, case, municipality, now):
    place = municipality.pk
    audit.record(sanne, Action.VIEWED, Kind.CASE, case.pk, place, now=now - timedelta(days=10))
    audit.record(sanne, Action.CHANGED, Kind.CASE, case.pk, place, "notitie", now=now)
    audit.record(chef, Action.VIEWED, Kind.SIGNAL, 5, place, now=now)
    client = client_of(chef)

    def shown(query: str) -> list[tuple[str, str, str]]:
        page = client.get(f"/audit/?{query}").context["page"]
        # (The intake's own line, of the file read in, aside: test_audit_coverage.py.)
        return [(e.actor_name, e.action, e.kind) for e in page if e.kind != "file"]

    day = now.date()
    assert shown(f"start={day - timedelta(days=1)}&end={day}") == [
        ("chef", "viewed", "signal"),
        ("sanne", "changed", "case"),
    ]
    assert shown("actor=sanne&action=viewed") == [("sanne", "viewed", "case")]
    assert shown("kind=signal") == [("chef", "viewed", "signal")]
    bad = client.get("/audit/?kind=brief&start=gisteren")
    assert len(bad.context["page"]) == 4  # unfiltered, as the page says (and the intake's)
    html = bad.content.decode()
    assert "De filters zijn niet toegepast" in html
    assert "&#x27;brief&#x27; is geen soort van het logboek." in html


def test_an_administrator_reads_the_log_too_and_the_menu_and_case_page_link_to_it(
    municipality, case, chef, sanne
):
    admin = client_of(staff("beheer", ADMINISTRATOR, municipality))
    assert admin.get("/audit/").status_code == 200
    page = client_of(chef).get(f"/cases/{case.pk}/").content.decode()
    assert 'href="/audit/"' in page and f'href="/cases/{case.pk}/audit/"' in page
    page = client_of(sanne).get(f"/cases/{case.pk}/").content.decode()
    assert 'href="/audit/"' not in page and f'href="/cases/{case.pk}/audit/"' not in page
