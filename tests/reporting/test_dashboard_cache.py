"""The dashboard's figures are counted once for the page and its downloads, for a few minutes."""

from datetime import date, timedelta

import pytest

from outreach.reporting import dashboard_cache
from outreach.reporting import tables as figure_tables
from outreach.reporting.tables import Column, Table

pytestmark = pytest.mark.django_db

START, END = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture
def counts(monkeypatch) -> list[tuple]:
    """Each count of the figures, recorded; the tables say which count made them."""
    calls: list[tuple] = []

    def count(municipality, start, end, now):
        calls.append((municipality.code, start, end, now))
        return [Table("t", "T", (Column("n", "n"),), ((len(calls),),))]

    monkeypatch.setattr(figure_tables, "dashboard_tables", count)
    return calls


def test_the_figures_are_counted_once_and_kept_for_the_downloads(municipality, now, counts):
    first = dashboard_cache.dashboard_tables(municipality, START, END, now)
    later = now + timedelta(minutes=2)
    again = dashboard_cache.dashboard_tables(municipality, START, END, later)
    assert len(counts) == 1
    assert not first.cached and again.cached
    assert again.tables == first.tables and again.at == now  # when they were counted


def test_asking_for_a_fresh_count_counts_again(municipality, now, counts):
    dashboard_cache.dashboard_tables(municipality, START, END, now)
    fresh = dashboard_cache.dashboard_tables(municipality, START, END, now, fresh=True)
    assert len(counts) == 2 and not fresh.cached
    assert fresh.tables[0].rows == ((2,),)
    # The fresh count is the one kept from now on.
    assert dashboard_cache.dashboard_tables(municipality, START, END, now).tables[0].rows == ((2,),)


def test_another_period_or_municipality_is_counted_on_its_own(municipality, now, counts):
    from outreach.core.models import Municipality

    other = Municipality.objects.create(code="0307", name="Amersfoort")
    dashboard_cache.dashboard_tables(municipality, START, END, now)
    dashboard_cache.dashboard_tables(municipality, START, END + timedelta(days=1), now)
    dashboard_cache.dashboard_tables(other, START, END, now)
    assert [c[0] for c in counts] == ["0344", "0344", "0307"]


def test_without_a_cache_time_every_request_counts(municipality, now, counts, settings):
    settings.OUTREACH_DASHBOARD_CACHE_SECONDS = 0
    dashboard_cache.dashboard_tables(municipality, START, END, now)
    assert not dashboard_cache.dashboard_tables(municipality, START, END, now).cached
    assert len(counts) == 2


def test_a_download_after_the_page_is_the_table_the_page_showed(municipality, counts):
    from outreach.core.roles import SUPERVISOR
    from tests.reporting.conftest import staff

    client = staff("sanne", SUPERVISOR, municipality)
    query = {"municipality": municipality.code, "from": "2026-01-01", "to": "2026-03-31"}
    page = client.get("/dashboard/", query)
    assert page.status_code == 200 and "Opnieuw tellen" in page.content.decode()
    download = client.get("/dashboard/t.csv", query)
    assert download.status_code == 200
    assert download.content.decode("utf-8-sig").splitlines()[1] == "1"  # the first count's
    assert len(counts) == 1
    client.get("/dashboard/", {**query, "fresh": "1"})
    assert len(counts) == 2
