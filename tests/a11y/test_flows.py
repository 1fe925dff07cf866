"""What supervisors and caseworkers do in the browser: a supervisor opens the dashboard, picks a
period, downloads a table as CSV and the DDAS delivery; a caseworker filters her queue.

Debian's Chromium driven by Playwright on the shared site of tests/a11y/harness.py."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import csv
import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from outreach.core.roles import CASEWORKER, SUPERVISOR
from tests.a11y.harness import DESKTOP, PHONE, browser, open_page, site
from tests.browser import expect

# The site is built once and committed; the tests only read, through the live server.
pytestmark = pytest.mark.django_db


def test_a_supervisor_picks_a_period_and_downloads_a_table_and_the_ddas_delivery(site, open_page):
    page = open_page(SUPERVISOR, DESKTOP)
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    today = timezone.localdate()
    start = today - timedelta(days=30)
    page.get_by_label("Van", exact=True).fill(start.isoformat())
    page.get_by_label("Tot en met", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Toon").click()
    expect(page).to_have_url(re.compile(rf"from={start}&to={today}"))
    section = page.locator("section#pogingen-per-contactsoort")
    expect(section.get_by_role("heading", level=2)).to_be_visible()
    expect(section.locator("svg[role=img]")).to_be_visible()
    expect(section.get_by_role("rowheader", name="Brief", exact=True)).to_be_visible()

    with page.expect_download() as download_info:
        section.get_by_role("link", name="downloaden (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "contactsoort"
    letters = [row for row in rows[1:] if row[0] == "Brief"]
    assert len(letters) == 1 and int(letters[0][1]) > 0

    with page.expect_download() as download_info:
        page.get_by_role("link", name="DDAS-levering downloaden").click()
    delivery = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert delivery["startdatumLevering"] == start.isoformat()
    assert delivery["einddatumLevering"] == today.isoformat()
    (levering,) = delivery["leveringen"]
    assert levering["gemeentecode"] == site.municipality.code
    assert levering["vroegsignalen"] and levering["vroegsignaalzaken"]


def test_a_caseworker_filters_her_queue_on_a_phone_and_clears_the_filters(site, open_page):
    page = open_page(CASEWORKER, PHONE)
    page.goto("/")
    total = page.locator("table tbody tr").count()
    assert total > 5
    page.get_by_label("Soort zaak").select_option(label="meervoudig")
    page.get_by_label("Sorteren op").select_option(index=1)
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_text("met deze filters")).to_be_visible()
    kinds = page.locator("table tbody tr td:nth-child(3)").all_inner_texts()
    assert kinds and set(kinds) == {"meervoudig"} and len(kinds) < total
    assert "kind=multiple" in page.url
    expect(page.get_by_label("Soort zaak")).to_have_value("multiple")

    page.get_by_label("Postcodegebied").fill("38")
    page.get_by_role("button", name="Filteren").click()
    expect(page.get_by_role("alert")).to_contain_text("Postcodegebied")

    page.get_by_role("link", name="Wis filters").click()
    expect(page.get_by_text("met deze filters")).to_have_count(0)
    assert page.locator("table tbody tr").count() == total
