"""The supervisor's dashboard: who may see it, for which municipality and period; the tables
with their charts, the CSV downloads and the DDAS download. The figures are this test's own
tables, so the page is tested whatever figures exist."""

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from outreach.core.roles import ADMINISTRATOR, CASEWORKER, SUPERVISOR
from outreach.reporting import dashboard_views, ddas_export
from outreach.reporting import tables as figure_tables
from outreach.reporting.stats import Rate
from outreach.reporting.tables import Column, Table
from tests.reporting.conftest import staff

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org/x","klik")'
SCRIPT = "<script>alert(1)</script>"
PERIOD = "from=2026-01-01&to=2026-03-31"

REACH = Table(
    slug="bereik",
    title="Bereik per signaalpartner",
    columns=(Column("partner", "Signaalpartner"), Column("n", "Signalen"), Column("r", "Bereikt")),
    rows=(("Energie", 40, Rate(12, 40)), ("Water", 7, Rate(3, 7)), (FORMULA, 2, Rate(0, 2))),
    chart_column="r",
    note="Signalen ontvangen in de periode.",
)
PLAIN = Table(
    slug="zonder-grafiek",
    title="Zonder grafiek",
    columns=(Column("label", "Omschrijving"), Column("n", "Aantal")),
    rows=((SCRIPT, 3),),
)


@pytest.fixture
def asked(monkeypatch) -> list[tuple]:
    """The dashboard's figures are REACH and PLAIN; the list records what was asked for."""
    calls: list[tuple] = []

    def tables(municipality, start, end, now):
        calls.append((municipality, start, end, now))
        return [REACH, PLAIN]

    monkeypatch.setattr(figure_tables, "dashboard_tables", tables)
    return calls


@pytest.fixture
def delivered(monkeypatch) -> list[tuple]:
    calls: list[tuple] = []

    def write_delivery(municipality, start, end, now, out):
        calls.append((municipality, start, end, now))
        out.write(f'{{"gemeente": "{municipality.code}", "naam": "Zoë"}}')

    monkeypatch.setattr(ddas_export, "write_delivery", write_delivery)
    return calls


@pytest.fixture
def supervisor(municipality) -> Client:
    return staff("teamleider", SUPERVISOR, municipality)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_anonymous_visitors_are_sent_to_the_login(asked):
    client = Client()
    for url in ("/dashboard/", "/dashboard/bereik.csv", "/dashboard/ddas.json"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert asked == []


def test_a_caseworker_may_not_see_the_dashboard(municipality, asked, delivered):
    client = staff("consulent", CASEWORKER, municipality)
    for url in ("/dashboard/", "/dashboard/bereik.csv", "/dashboard/ddas.json"):
        assert client.get(url).status_code == 403
    assert asked == [] and delivered == []


def test_a_supervisor_sees_her_municipality_over_the_last_twelve_months(
    supervisor, municipality, asked
):
    response = supervisor.get("/dashboard/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    today = timezone.localdate()
    ((asked_for, start, end, now),) = asked
    assert (asked_for, end) == (municipality, today)
    assert start == dashboard_views.default_start(today) and (end - start).days in (364, 365)
    assert abs((now - timezone.now()).total_seconds()) < 60


def test_the_page_shows_every_table_with_counts_beside_fractions_and_a_chart(
    supervisor, municipality, asked
):
    page = supervisor.get(f"/dashboard/?municipality=0344&{PERIOD}").content.decode()
    assert asked[0][1:3] == (date(2026, 1, 1), date(2026, 3, 31))
    assert '<h2 id="bereik-title">Bereik per signaalpartner</h2>' in page
    assert "12 van 40 (30%; 95%: 18\u201345%)" in page  # Wilson: 18.1% to 45.4%
    assert "3 van 7 (te weinig voor een percentage)" in page
    assert '<td class="num">40</td>' in page and '<th scope="row">Energie</th>' in page
    assert "<caption" in page and 'tabindex="0"' in page
    assert page.count('role="img"') == 1  # the table without a chart column has none
    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    assert len(ET.fromstring(svg).findall(".//{http://www.w3.org/2000/svg}rect[@class='bar']")) == 1
    csv_link = f'href="/dashboard/bereik.csv?municipality=0344&amp;{PERIOD.replace("&", "&amp;")}"'
    assert csv_link in page
    assert 'href="/dashboard/ddas.json?municipality=0344&amp;' in page
    assert "DDAS-levering downloaden" in page


def test_text_from_the_figures_is_escaped_on_the_page(supervisor, asked):
    page = supervisor.get("/dashboard/").content.decode()
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_choice_of_municipality_offers_only_her_own(
    supervisor, municipality, other_municipality, asked
):
    page = supervisor.get("/dashboard/").content.decode()
    assert 'value="0344" selected' in page and 'value="0307"' not in page


def test_another_municipality_is_not_found_on_the_page_or_in_a_download(
    supervisor, other_municipality, asked, delivered
):
    for url in ("/dashboard/", "/dashboard/bereik.csv", "/dashboard/ddas.json"):
        assert supervisor.get(f"{url}?municipality=0307").status_code == 404
    assert supervisor.get("/dashboard/?municipality=9999").status_code == 404
    assert asked == [] and delivered == []


def test_a_supervisor_of_two_municipalities_chooses_either(municipality, other_municipality, asked):
    client = staff("regio", SUPERVISOR, municipality, other_municipality)
    assert client.get("/dashboard/?municipality=0344").status_code == 200
    assert asked[-1][0] == municipality
    assert client.get("/dashboard/").status_code == 200
    assert asked[-1][0] == other_municipality  # the first by code (0307) when none is chosen


def test_an_administrator_sees_the_dashboard(municipality, asked):
    response = staff("beheerder", ADMINISTRATOR, municipality).get("/dashboard/")
    assert response.status_code == 200 and asked[0][0] == municipality


def test_a_supervisor_without_municipalities_is_told_so(asked):
    client = staff("nieuw", SUPERVISOR)
    response = client.get("/dashboard/")
    assert response.status_code == 200 and "geen gemeente gekoppeld" in response.content.decode()
    assert client.get("/dashboard/bereik.csv").status_code == 404
    assert asked == []


@pytest.mark.parametrize(
    ("query", "message", "invalid"),
    [
        ("from=2026-02-30", "De datum bij Van is ongeldig", 1),
        ("to=morgen", "De datum bij Tot en met is ongeldig", 1),
        ("from=2026-04-01&to=2026-03-01", "De begindatum ligt na de einddatum.", 2),
    ],
)
def test_a_bad_period_is_explained_on_the_page_and_refused_for_downloads(
    supervisor, asked, delivered, query, message, invalid
):
    response = supervisor.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'role="alert"' in page
    assert page.count('aria-invalid="true"') == invalid
    for url in ("/dashboard/bereik.csv", "/dashboard/ddas.json"):
        refused = supervisor.get(f"{url}?{query}")
        assert refused.status_code == 400 and message in refused.content.decode()
    assert asked == [] and delivered == []


def test_a_table_downloads_as_csv_with_rates_expanded_and_formulas_escaped(
    supervisor, municipality, asked
):
    response = supervisor.get(f"/dashboard/bereik.csv?municipality=0344&{PERIOD}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        'attachment; filename="bereik-0344-2026-01-01-2026-03-31.csv"'
    )
    header, energie, water, formula = csv_rows(response)
    assert header[:5] == [
        "Signaalpartner",
        "Signalen",
        "Bereikt aantal",
        "Bereikt totaal",
        "Bereikt fractie",
    ]
    assert energie[:5] == ["Energie", "40", "12", "40", "0,3000"]
    assert water == ["Water", "7", "3", "7", "", "", ""]
    assert formula[0] == "'" + FORMULA
    assert asked[0][:3] == (municipality, date(2026, 1, 1), date(2026, 3, 31))


def test_an_unknown_table_is_not_found(supervisor, asked):
    assert supervisor.get("/dashboard/geen-tabel.csv").status_code == 404


def test_the_ddas_delivery_streams_as_an_attachment_for_her_municipality(
    supervisor, municipality, delivered
):
    response = supervisor.get(f"/dashboard/ddas.json?municipality=0344&{PERIOD}")
    assert response.status_code == 200 and isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == (
        'attachment; filename="ddas-0344-2026-01-01-2026-03-31.json"'
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body == '{"gemeente": "0344", "naam": "Zoë"}'
    assert delivered[0][:3] == (municipality, date(2026, 1, 1), date(2026, 3, 31))


def test_a_delivery_larger_than_memory_allows_streams_whole_from_disk(
    supervisor, monkeypatch, delivered
):
    monkeypatch.setattr(dashboard_views, "SPOOL_BYTES", 8)
    response = supervisor.get("/dashboard/ddas.json")
    assert int(response["Content-Length"]) == len('{"gemeente": "0344", "naam": "Zoë"}'.encode())
    assert b"".join(response.streaming_content).decode() == '{"gemeente": "0344", "naam": "Zoë"}'


def test_the_menu_links_the_dashboard_for_supervisors_only(municipality, supervisor, asked):
    assert 'href="/dashboard/"' in supervisor.get("/feedback/").content.decode()
    caseworker = staff("consulent", CASEWORKER, municipality)
    assert 'href="/dashboard/"' not in caseworker.get("/").content.decode()
