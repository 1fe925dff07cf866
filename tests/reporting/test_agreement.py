"""The dashboard, `outreach report`, the DDAS export and `outreach cases --json` say the same
about the same data: weeks of the demo's history, run through the real intake, engine,
caseworker actions and replies."""

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from outreach.core.ddas import FOLLOWED_UP
from outreach.demo.loader import DEMO_CODE, load_demo
from outreach.reporting.ddas_export import write_delivery
from outreach.reporting.stats import Rate
from outreach.reporting.tables import Table, dashboard_tables

pytestmark = pytest.mark.django_db

WEEKS = 6


@pytest.fixture
def history(tmp_path, now):
    demo = load_demo(now=now, folder=tmp_path, history_weeks=WEEKS)
    start = timezone.localdate(now) - timedelta(weeks=WEEKS + 1)
    return demo.municipality, start, timezone.localdate(now)


def by_label(tables: list[Table], slug: str, key: str) -> dict[str, object]:
    (table,) = [t for t in tables if t.slug == slug]
    index = table.column_index(key)
    return {str(row[0]): row[index] for row in table.rows}


def count(cell: object) -> int:
    return cell.count if isinstance(cell, Rate) else int(cell)  # type: ignore[call-overload]


def test_report_dashboard_ddas_and_cases_agree(history, now, run_command):
    municipality, start, end = history
    period = ["--municipality", DEMO_CODE, "--from", start.isoformat(), "--to", end.isoformat()]
    report = json.loads(run_command("report", *period, "--json", "--now", now.isoformat()))
    cases = json.loads(run_command("cases", "--municipality", DEMO_CODE, "--json"))
    delivery_text = io.StringIO()
    write_delivery(municipality, start, end, now, delivery_text)
    (delivery,) = json.loads(delivery_text.getvalue())["leveringen"]
    tables = dashboard_tables(municipality, start, end, now)

    # The history is large enough to mean something.
    assert report["cases"] > 150 and report["attempts"] > 400
    assert report["reached_cases"] > 20 and report["accepted_cases"] > 5

    # Every case of the demo was received in the period: the report counts them all.
    assert report["cases"] == len(cases)
    attempts = [a for c in cases for a in c["attempts"]]
    assert report["attempts"] == len(attempts)
    per_kind = Counter(a["kind"] for a in attempts)
    reached_kind = Counter(a["kind"] for a in attempts if a["reached"])
    assert report["per_channel"] == {
        kind: {"attempts": n, "reached": reached_kind[kind]} for kind, n in per_kind.items()
    }
    assert report["reached_cases"] == sum(any(a["reached"] for a in c["attempts"]) for c in cases)
    accepted = [c for c in cases if c["offer"] and c["offer"]["answer"] == "accepted"]
    assert report["accepted_cases"] == len(accepted)

    # The DDAS delivery: a case per case, every attempt with its kind, reach and dagdeel.
    zaken = delivery["vroegsignaalzaken"]
    assert len(zaken) == report["cases"]
    pogingen = [p for z in zaken for p in z.get("contactpogingen", [])]
    assert Counter(p["soort"] for p in pogingen) == per_kind
    assert Counter(p["soort"] for p in pogingen if p["bereikt"]) == reached_kind
    assert Counter(p["dagdeel"] for p in pogingen) == Counter(
        {d: v["attempts"] for d, v in report["per_dagdeel"].items()}
    )
    closed = [c for c in cases if c["state"] == "closed"]
    assert Counter(z["resultaat"] for z in zaken if "resultaat" in z) == Counter(
        c["result"] for c in closed
    )
    signals = sum(len(c["signals"]) for c in cases)
    assert len(delivery["vroegsignalen"]) == signals
    followed = [s for s in delivery["vroegsignalen"] if s["status"] in FOLLOWED_UP]
    assert len(followed) >= report["followed_up"]

    # The dashboard's tables are the report's figures.
    channel_attempts = by_label(tables, "pogingen-per-contactsoort", "pogingen")
    assert {k: count(v) for k, v in channel_attempts.items() if count(v)} == dict(per_kind)
    channel_reached = by_label(tables, "pogingen-per-contactsoort", "bereikt")
    assert {k: count(v) for k, v in channel_reached.items()} == {
        k: reached_kind[k] for k in per_kind
    }
    key = by_label(tables, "kerncijfers", "waarde")
    assert key["Zaken ontvangen"] == report["cases"]
    assert key["Opgepakt (niet bij de screening gesloten)"] == report["followed_up"]
    assert key["Contactpogingen"] == report["attempts"]
    reached, accepted = (
        key["Bereikt (van de opgepakte zaken)"],
        key["Hulp geaccepteerd (van de opgepakte zaken)"],
    )
    assert isinstance(reached, Rate) and reached.as_dict() == report["reached"]
    assert isinstance(accepted, Rate) and accepted.count == report["accepted_cases"]
    in_time = key["Eerste poging binnen de wettelijke termijn"]
    assert isinstance(in_time, Rate) and in_time.fraction == pytest.approx(report["deadline_met"])
    per_case = by_label(tables, "pogingen-per-zaak", "zaken")
    assert {k: count(v) for k, v in per_case.items()} == report["attempts_per_case"]


def test_the_dashboard_page_shows_the_real_figures_and_offers_the_downloads(history, now):
    _, start, end = history
    supervisor = User.objects.get(username="supervisor")
    client = Client()
    client.force_login(supervisor)
    query = {"municipality": DEMO_CODE, "from": start.isoformat(), "to": end.isoformat()}
    page = client.get("/dashboard/", query)
    assert page.status_code == 200
    html = page.content.decode()
    for slug in ("pogingen-per-contactsoort", "bereik-per-campagne", "termijnen", "taken-per-dag"):
        assert f'id="{slug}"' in html and f"/dashboard/{slug}.csv?" in html
    assert html.count("<svg") >= 10
    download = client.get("/dashboard/pogingen-per-contactsoort.csv", query)
    assert download.status_code == 200
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    letters = {row[0]: int(row[1]) for row in rows[1:]}
    ddas = client.get("/dashboard/ddas.json", query)
    assert ddas.status_code == 200 and ddas.streaming
    delivery = json.loads(b"".join(ddas.streaming_content))  # type: ignore[attr-defined]
    (levering,) = delivery["leveringen"]
    assert levering["gemeentecode"] == DEMO_CODE
    assert date.fromisoformat(delivery["einddatumLevering"]) == end
    # The CSV the page offers and the delivery count the same attempts per contact kind.
    pogingen = Counter(
        p["soort"] for z in levering["vroegsignaalzaken"] for p in z.get("contactpogingen", [])
    )
    assert letters == dict(pogingen) and letters["Brief"] > 0
