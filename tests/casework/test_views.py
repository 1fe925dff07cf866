"""The caseworker's queue and case page: login, municipality scoping, reasons, escaping."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from outreach.casework.models import Case
from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import CASEWORKER, COMMUNICATION
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from tests.conftest import AMSTERDAM, csv_bytes, signal_row

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def ingest(rows, municipality, now):
    report = import_rows(read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=now)
    assert report.rejected == 0, report.rejections
    return report


@pytest.fixture
def other_municipality():
    return Municipality.objects.create(code="0307", name="Amersfoort")


@pytest.fixture
def cases(municipality, other_municipality, now):
    """One multiple case in Utrecht (0344), one case in Amersfoort (0307)."""
    ingest(
        [
            signal_row(id="U-E", signaalpartner="Energie", postcode="3511AB", huisnummer="12"),
            signal_row(
                id="U-H",
                signaalpartner="Huur",
                postcode="3511AB",
                huisnummer="12",
                voornaam=SCRIPT,
            ),
        ],
        municipality,
        now,
    )
    ingest(
        [signal_row(id="A-1", signaalpartner="Water", postcode="3811AA", huisnummer="99")],
        other_municipality,
        now,
    )
    return (
        Case.objects.get(municipality=municipality),
        Case.objects.get(municipality=other_municipality),
    )


@pytest.fixture
def caseworker(municipality):
    user = User.objects.create_user("consulent", password="geheim-wachtwoord-1")
    user.groups.add(Group.objects.get_or_create(name=CASEWORKER)[0])
    profile = StaffProfile.objects.create(user=user)
    profile.municipalities.add(municipality)
    return user


@pytest.fixture
def browser(caseworker):
    client = Client()
    client.force_login(caseworker)
    return client


def test_login_required(cases):
    own, _ = cases
    client = Client()
    for url in ("/", f"/cases/{own.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
    assert Client().get("/login/").status_code == 200


def test_login_with_password(caseworker, cases):
    client = Client()
    response = client.post(
        "/login/", {"username": "consulent", "password": "geheim-wachtwoord-1"}, follow=True
    )
    assert response.status_code == 200
    assert "3511AB 12" in response.content.decode()


def test_caseworker_sees_only_their_municipalities(browser, cases):
    own, other = cases
    response = browser.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Utrecht" in html
    assert "3511AB 12" in html
    assert f'href="/cases/{own.pk}/"' in html
    assert "3811AA 99" not in html
    assert f'href="/cases/{other.pk}/"' not in html
    assert [case.pk for case, _ in response.context["rows"]] == [own.pk]
    # whatever the filter
    for show in ("open", "closed", "all"):
        html = browser.get(f"/?show={show}").content.decode()
        assert "3811AA 99" not in html


def test_queue_shows_the_reasons(browser, cases):
    html = browser.get("/").content.decode()
    assert "(+30)" in html  # several partners
    assert "Meerdere signaalpartners" in html


def test_closed_cases_are_filtered(browser, cases, municipality, now):
    ingest([signal_row(id="LOW", bedrag="10", postcode="3512AB")], municipality, now)
    closed = Case.objects.get(state=Case.State.CLOSED)
    open_rows = browser.get("/?show=open").context["rows"]
    assert closed.pk not in [case.pk for case, _ in open_rows]
    closed_rows = browser.get("/?show=closed").context["rows"]
    assert [case.pk for case, _ in closed_rows] == [closed.pk]
    assert len(browser.get("/?show=all").context["rows"]) == 2


def test_case_page_shows_reasons_with_weights(browser, cases):
    own, _ = cases
    response = browser.get(f"/cases/{own.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert own.reasons, "the case should have fired rules"
    for reason in own.reasons:
        assert f"<td>{reason['rule']}</td><td>+{reason['weight']}</td>" in html
    assert "<td>multiple_partners</td><td>+30</td>" in html
    assert "<td>rent</td><td>+20</td>" in html
    assert "U-E" in html and "U-H" in html
    assert f"score {own.score}" in html


def test_case_page_shows_signal_and_receipt_dates_and_screened_out_signals(
    browser, municipality, caseworker
):
    received = datetime(2026, 4, 2, 10, 0, tzinfo=AMSTERDAM)
    report = import_rows(
        read_csv_bytes(
            csv_bytes(
                [
                    signal_row(id="E", signaaldatum="2026-04-01", bedrag="300"),
                    signal_row(
                        id="LOW", signaalpartner="Huur", signaaldatum="2026-03-30", bedrag="5"
                    ),
                ]
            )
        ),
        municipality=municipality,
        now=datetime(2026, 5, 15, 9, 0, tzinfo=AMSTERDAM),
        received=received,
    )
    assert report.accepted == 2
    case = Case.objects.get()
    html = browser.get(f"/cases/{case.pk}/").content.decode()
    assert '<th scope="col">Signaaldatum</th><th scope="col">Ontvangen</th>' in html
    assert "<td>1 april 2026</td><td>2 april 2026</td>" in html
    assert "<td>30 maart 2026</td><td>2 april 2026</td>" in html
    assert "Niet opgepakt: onterecht signaal" in html  # the screened-out signal, on the case
    assert "30 april 2026" in html and "(ontvangen 2 april 2026)" in html


def test_another_municipalitys_case_is_not_found(browser, cases):
    _, other = cases
    assert browser.get(f"/cases/{other.pk}/").status_code == 404
    assert browser.get("/cases/999999/").status_code == 404


def test_html_in_a_name_is_escaped(browser, cases):
    own, _ = cases
    html = browser.get(f"/cases/{own.pk}/").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_user_without_municipalities_sees_nothing(cases):
    user = User.objects.create_user("nieuw", password="geheim-wachtwoord-2")
    user.groups.add(Group.objects.get_or_create(name=CASEWORKER)[0])
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Geen gemeente aan uw account gekoppeld" in response.content.decode()
    assert client.get(f"/cases/{cases[0].pk}/").status_code == 404


@pytest.mark.parametrize("role", [COMMUNICATION, None])
def test_roles_without_case_access_are_refused(cases, municipality, role):
    # Communication staff edit texts and never see citizens' data, even in their municipality.
    user = User.objects.create_user("tekst", password="geheim-wachtwoord-4")
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user).municipalities.add(municipality)
    client = Client()
    client.force_login(user)
    home = client.get("/")
    if role == COMMUNICATION:
        assert home.status_code == 302 and home.url == "/texts/"  # their own work
        assert client.get("/texts/").status_code == 200
    else:
        assert home.status_code == 403
    assert client.get(f"/cases/{cases[0].pk}/").status_code == 403


def test_superuser_sees_all(cases):
    admin = User.objects.create_superuser("admin", password="geheim-wachtwoord-3")
    client = Client()
    client.force_login(admin)
    pks = {case.pk for case, _ in client.get("/").context["rows"]}
    assert pks == {cases[0].pk, cases[1].pk}
