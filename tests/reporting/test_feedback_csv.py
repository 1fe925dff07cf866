"""The supervisor's download of a partner's feedback: scoped to her municipalities, `;`
separated, UTF-8, and no cell a spreadsheet would run as a formula."""

import csv
import io

import pytest
from django.test import Client

from outreach.core.roles import ADMINISTRATOR, CASEWORKER, SUPERVISOR
from outreach.reporting.feedback import record_feedback
from outreach.reporting.records import COLUMNS
from tests.conftest import signal_row
from tests.reporting.conftest import at, ingest, staff

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.org/x","klik")'


@pytest.fixture
def feedback(municipality, partner):
    """Two records of the partner in Utrecht; one partner_ref is a spreadsheet formula."""
    signals = ingest(
        [signal_row(id=FORMULA, postcode="3511AA"), signal_row(id="-2", postcode="3511AB")],
        municipality,
        at("2026-05-15"),
        partner=partner,
    )
    assert record_feedback(at("2026-06-12")) == 2
    return signals


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_a_supervisor_downloads_a_partners_records_with_formulas_escaped(
    feedback, partner, municipality
):
    browser = staff("teamleider", SUPERVISOR, municipality)
    response = browser.get(f"/feedback/{partner.pk}.csv")
    assert response.status_code == 200
    header, *rows = rows_of(response)
    assert header == list(COLUMNS)
    by_ref = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_ref) == {"'" + FORMULA, "'-2"}
    record = by_ref["'" + FORMULA]
    assert (record["municipality"], record["received_on"]) == ("0344", "2026-05-15")
    assert record["fact_label"] == "niet bereikt of geen hulp gewenst"


def test_the_overview_lists_the_partners_with_counts(feedback, partner, municipality):
    response = staff("teamleider", SUPERVISOR, municipality).get("/feedback/")
    assert response.status_code == 200
    (row,) = response.context["rows"]
    assert row.partner == partner and row.by_fact["not_reached"] == 2 and row.total == 2
    assert f'href="/feedback/{partner.pk}.csv"' in response.content.decode()


def test_a_supervisor_of_another_municipality_gets_nothing(feedback, partner, other_municipality):
    browser = staff("elders", SUPERVISOR, other_municipality)
    assert browser.get(f"/feedback/{partner.pk}.csv").status_code == 404
    assert browser.get("/feedback/").context["rows"] == []


def test_a_partner_of_both_municipalities_shows_only_her_own(
    feedback, partner, municipality, other_municipality
):
    partner.municipalities.add(other_municipality)
    ingest([signal_row(id="A-1")], other_municipality, at("2026-05-16"), partner=partner)
    record_feedback(at("2026-06-13"))
    browser = staff("elders", ADMINISTRATOR, other_municipality)
    _, *rows = rows_of(browser.get(f"/feedback/{partner.pk}.csv"))
    assert [row[1] for row in rows] == ["A-1"]


def test_a_caseworker_has_no_access(feedback, partner, municipality):
    browser = staff("consulent", CASEWORKER, municipality)
    assert browser.get("/feedback/").status_code == 403
    assert browser.get(f"/feedback/{partner.pk}.csv").status_code == 403
    assert "/feedback/" not in browser.get("/").content.decode()


def test_the_navigation_links_supervisors_to_the_feedback(municipality):
    response = staff("teamleider", SUPERVISOR, municipality).get("/feedback/")
    assert '<a href="/feedback/">Terugmelding</a>' in response.content.decode()


def test_login_required(feedback, partner):
    response = Client().get(f"/feedback/{partner.pk}.csv")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
