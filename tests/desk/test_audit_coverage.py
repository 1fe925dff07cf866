"""What else the audit log holds besides case pages and case changes: list pages that show
people (one line a page view, with the filter), downloads and files made, changes through the
management pages, and imports (who or what, and counts). Never a citizen's data beyond ids."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.test import Client

from outreach.casework.models import Case
from outreach.core import audit
from outreach.core.models import AuditEntry, ContactPerson, Municipality, StaffProfile
from outreach.core.roles import CASEWORKER, SUPERVISOR
from outreach.intake.partners import issue_token, register_partner
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from outreach.intake.source_files import load_clients, load_register
from outreach.reporting.feedback import record_feedback
from tests.cadence.conftest import ingest
from tests.conftest import csv_bytes, municipality_with_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir", "from_start")]

Action, Kind = audit.Action, audit.Kind
SURNAME = "Verhoeven-Zwaanstra"  # the name the lines must never hold


def staff(username: str, role: str, *places: Municipality, superuser: bool = False) -> User:
    user = User.objects.create_user(username, password="geheim-wachtwoord-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if superuser:
        user.is_superuser = user.is_staff = True
        user.save()
    StaffProfile.objects.create(user=user).municipalities.add(*places)
    return user


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


_since = [0]


def fresh() -> None:
    """From here on `lines` counts (the log is append-only, also for a test)."""
    _since[0] = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def lines(**match: object) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(pk__gt=_since[0], **match).order_by("pk"))


def assert_no_personal_data() -> None:
    for line in AuditEntry.objects.all():
        assert SURNAME not in line.detail and "3511" not in line.detail.replace("area=3511", "")


@pytest.fixture
def from_start(db) -> None:
    _since[0] = 0


@pytest.fixture
def case(municipality, now) -> Case:
    (case,) = ingest([signal_row(achternaam=SURNAME, signaaldatum="2026-05-14")], municipality, now)
    fresh()  # the intake's own line: these tests count their own
    return case


@pytest.fixture
def sanne(municipality) -> User:
    return staff("sanne", CASEWORKER, municipality)


@pytest.fixture
def chef(municipality) -> User:
    return staff("chef", SUPERVISOR, municipality)


# --- list pages --------------------------------------------------------------------------------


def test_the_queue_logs_one_line_a_page_view_with_its_filter_not_one_a_row(
    sanne, case, municipality, now
):
    for i in range(3):
        ingest([signal_row(postcode=f"35{i}2AB", signaaldatum="2026-05-14")], municipality, now)
    fresh()
    page = client_of(sanne).get("/?show=all&area=3511&page=1")
    assert page.status_code == 200
    (line,) = lines()
    assert (line.actor, line.action, line.kind) == (sanne, Action.LISTED, Kind.LIST)
    assert (line.object_id, line.municipality) == (0, municipality)
    assert line.detail.startswith("wachtrij: show=all area=3511 ")
    assert "page=1" in line.detail
    assert_no_personal_data()


def test_a_queue_with_bad_filters_logs_that_it_showed_unfiltered(sanne, case):
    assert client_of(sanne).get("/?days=abc").status_code == 200
    (line,) = lines()
    assert "filter=ongeldig" in line.detail and "abc" not in line.detail


def test_a_list_across_municipalities_logs_one_line_for_each(case, municipality):
    other = municipality_with_contact("0307", "Amersfoort")
    both = staff("beide", CASEWORKER, municipality, other)
    assert client_of(both).get("/tasks/").status_code == 200
    assert {(line.municipality, line.detail) for line in lines()} == {
        (municipality, "taken"),
        (other, "taken"),
    }


@pytest.mark.parametrize(
    ("url", "name", "who"),
    [
        ("/inbox/?page=2", "antwoorden: page=2", "sanne"),
        ("/to-check/", "te controleren", "sanne"),
        ("/tasks/", "taken", "sanne"),
        ("/at-risk/", "termijn in gevaar", "chef"),
    ],
)
def test_every_list_of_people_logs_its_page_view(url, name, who, sanne, chef, case, municipality):
    user = {"sanne": sanne, "chef": chef}[who]
    assert client_of(user).get(url).status_code == 200
    (line,) = lines()
    assert (line.actor, line.action, line.detail) == (user, Action.LISTED, name)
    assert line.municipality == municipality


def test_a_page_number_that_is_no_number_is_left_out(sanne, case):
    client_of(sanne).get("/inbox/?page=Jansen")
    (line,) = lines()
    assert line.detail == "antwoorden"


# --- downloads and files -----------------------------------------------------------------------


@pytest.fixture
def partner(municipality):
    return register_partner("Energie", "Stroom BV", [municipality])


def test_the_partner_feedback_csv_download_is_logged(chef, partner, municipality):
    response = client_of(chef).get(f"/feedback/{partner.pk}.csv")
    assert response.status_code == 200
    (line,) = lines()
    assert (line.actor, line.action, line.kind) == (chef, Action.EXPORTED, Kind.FILE)
    assert (line.object_id, line.municipality) == (partner.pk, municipality)


def test_the_dashboard_downloads_are_logged_with_their_period(chef, case, municipality):
    query = "?municipality=0344&from=2026-05-01&to=2026-05-31"
    client = client_of(chef)
    assert client.get("/dashboard/ddas.json" + query).status_code == 200
    page = client.get("/dashboard/" + query)
    slug = page.context["sections"][0].table.slug
    assert client.get(f"/dashboard/{slug}.csv" + query).status_code == 200
    ddas, table = lines(action=Action.EXPORTED)
    assert ddas.detail == "ddas-export: van=2026-05-01 tot=2026-05-31"
    assert table.detail == f"csv {slug}: van=2026-05-01 tot=2026-05-31"
    assert {ddas.municipality, table.municipality} == {municipality}


def test_the_feedback_api_logs_what_a_partner_fetched(partner, municipality, now):
    token = issue_token(partner)
    rows = [signal_row(achternaam=SURNAME, signaaldatum="2026-05-14")]
    delivered = read_csv_bytes(csv_bytes(rows))
    import_rows(delivered, municipality=municipality, now=now, partner=partner)
    assert record_feedback(now + timedelta(days=28)) == 1
    fresh()
    answer = Client().get("/api/v1/feedback", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and answer.json()["records"]
    (line,) = lines()
    assert (line.actor, line.action, line.object_id) == (None, Action.EXPORTED, partner.pk)
    assert line.detail.startswith("terugmelding via api (partner): ")
    Client().get("/api/v1/feedback", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert len(lines()) == 1  # nothing new fetched: nothing to log


def test_the_ddas_export_command_is_logged(case, municipality, tmp_path):
    call_command(
        "export_ddas", "--municipality", "0344", "--from", "2026-05-01", "--to", "2026-05-31",
        "--output", str(tmp_path / "ddas.json"), stderr=io.StringIO(),
    )  # fmt: skip
    (line,) = lines()
    assert (line.action, line.municipality) == (Action.EXPORTED, municipality)
    assert line.detail.startswith("ddas-export (opdrachtregel)")


# --- imports ----------------------------------------------------------------------------------


def test_a_signal_file_is_logged_with_its_counts_not_its_name_or_rows(municipality, now):
    rows = [signal_row(achternaam=SURNAME), signal_row(bedrag="veel")]
    report = import_rows(
        read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=now,
        source=f"signalen-{SURNAME}.csv",
    )  # fmt: skip
    assert (report.accepted, report.rejected) == (1, 1)
    (line,) = lines()
    assert (line.actor, line.action, line.kind) == (None, Action.IMPORTED, Kind.FILE)
    assert line.detail == "signalen (bestand): 1 aanvaard, 1 afgekeurd, 0 dubbel"
    assert line.object_id > 0 and line.municipality == municipality


def test_an_api_delivery_names_its_partner(partner, municipality):
    token = issue_token(partner)
    body = csv_bytes([signal_row(achternaam=SURNAME)])
    answer = Client().post(
        "/api/v1/signals?gemeentecode=0344", body, content_type="text/csv",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert answer.status_code == 200
    (line,) = lines(action=Action.IMPORTED)
    assert line.detail == f"signalen (api partner {partner.pk}): 1 aanvaard, 0 afgekeurd, 0 dubbel"
    assert_no_personal_data()


@pytest.mark.parametrize(
    ("load", "name"),
    [(load_clients, "klantenbestand schuldhulp"), (load_register, "bestand basisregistratie")],
)
def test_client_and_register_files_are_logged_with_counts(load, name, write_csv, municipality):
    person = {"bsn": "", "achternaam": SURNAME, "geboortedatum": "1980-02-03",
              "postcode": "3511AB", "huisnummer": "12", "huisnummertoevoeging": ""}  # fmt: skip
    load(write_csv([person, {**person, "geboortedatum": "nooit"}], "people.csv"), municipality)
    (line,) = lines()
    assert (line.action, line.municipality) == (Action.IMPORTED, municipality)
    assert line.detail == f"{name}: 1 geladen, 1 afgekeurd"


# --- the management pages ----------------------------------------------------------------------


@pytest.fixture
def admin_client(municipality) -> tuple[User, Client]:
    root = staff("beheer", SUPERVISOR, municipality, superuser=True)
    return root, client_of(root)


def test_adding_changing_and_deleting_through_the_admin_is_logged(admin_client, municipality):
    root, client = admin_client
    url = "/admin/core/contactperson/"
    form = {"municipality": municipality.pk, "name": SURNAME, "phone": "030 1234567",
            "email": "", "team": "Schulden", "user": "", "active": "on"}  # fmt: skip
    assert client.post(url + "add/", form).status_code == 302
    person = ContactPerson.objects.get(name=SURNAME)
    changed = {**form, "team": "Inning"}
    assert client.post(f"{url}{person.pk}/change/", changed).status_code == 302
    assert client.post(f"{url}{person.pk}/delete/", {"post": "yes"}).status_code == 302
    made, edited, removed = lines(kind=Kind.RECORD)
    assert [made.action, edited.action, removed.action] == [
        Action.CREATED, Action.CHANGED, Action.DELETED,
    ]  # fmt: skip
    assert {made.object_id, edited.object_id, removed.object_id} == {person.pk}
    assert {made.municipality, removed.municipality} == {municipality}
    assert edited.detail.startswith("beheer core.contactperson: velden=")
    assert "Team" in edited.detail and "Inning" not in edited.detail
    assert all(line.actor == root for line in (made, edited, removed))
    assert LogEntry.objects.count() == 3
    assert_no_personal_data()


def test_a_bulk_delete_in_the_admin_logs_every_row(admin_client, municipality):
    _, client = admin_client
    people = [
        ContactPerson.objects.create(municipality=municipality, name=f"{SURNAME} {i}", team="x")
        for i in range(3)
    ]
    chosen = [str(p.pk) for p in people]
    answer = client.post(
        "/admin/core/contactperson/",
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
    )
    assert answer.status_code == 302
    assert not ContactPerson.objects.filter(name__startswith=SURNAME).exists()
    removed = lines(action=Action.DELETED)
    assert sorted(line.object_id for line in removed) == sorted(p.pk for p in people)
    assert_no_personal_data()


def test_a_change_of_a_staff_account_through_the_admin_is_logged(admin_client, sanne):
    _, client = admin_client
    answer = client.post(f"/admin/auth/user/{sanne.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    (line,) = lines(action=Action.DELETED)
    assert (line.kind, line.object_id, line.municipality) == (Kind.RECORD, sanne.pk, None)
    assert line.detail == "beheer auth.user"


def test_the_admin_change_and_its_line_commit_together(admin_client, municipality, monkeypatch):
    _, client = admin_client

    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is unreachable")

    monkeypatch.setattr(audit, "record", broken)
    client.raise_request_exception = False
    form = {"municipality": municipality.pk, "name": "Team", "phone": "030 1234567",
            "email": "", "team": "Schulden", "user": "", "active": "on"}  # fmt: skip
    assert client.post("/admin/core/contactperson/add/", form).status_code == 500
    assert not ContactPerson.objects.filter(name="Team").exists()
    assert not LogEntry.objects.exists()


def test_list_detail_is_never_longer_than_the_column():
    assert len(audit.describe("wachtrij", {f"f{i}": "x" * 20 for i in range(20)})) == 100
    assert audit.describe("wachtrij", {"days": 0, "mine": False, "tier": ""}) == (
        "wachtrij: days=0"
    )
    assert json.dumps(audit.describe("x", {"zoek": True})) == '"x: zoek=ja"'
