"""GET /api/v1/feedback: a partner fetches the facts about its own signals with its token, each
record once through the server's cursor, and again on request."""

import json

import pytest
from django.test import Client

from outreach.casework import workflow
from outreach.core.ddas import EndResult
from outreach.core.models import Municipality
from outreach.intake.partners import issue_token, register_partner
from outreach.reporting.feedback import record_feedback
from outreach.reporting.records import COLUMNS
from tests.conftest import signal_row
from tests.reporting.conftest import at, ingest

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback"


def get(token, query=""):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token is not None else {}
    return Client().get(URL + query, **headers)


def records(token, query=""):
    response = get(token, query)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def other_partner(municipality):
    return register_partner("Energie", "Stroom BV", [municipality])


@pytest.fixture
def signals(municipality, partner, other_partner):
    """Two signals of the partner (one without its own id), one of the other partner, taken in
    on 15 May 2026; their 28 days end on 12 June."""
    own = ingest(
        [signal_row(id="H-1", postcode="3511AA"), signal_row(id="", postcode="3511AB")],
        municipality,
        at("2026-05-15"),
        partner=partner,
    )
    other = ingest(
        [signal_row(id="E-1", postcode="3511AC")], municipality, at("2026-05-15"), other_partner
    )
    assert record_feedback(at("2026-06-12")) == 3
    return own, other


def test_without_a_token(signals):
    response = get(None)
    assert response.status_code == 401
    assert "token" in response.json()["error"]


@pytest.mark.parametrize("auth", ["Bearer wrong-token", "Bearer ", "Basic dXNlcjpwdw=="])
def test_with_a_wrong_token(signals, auth):
    response = Client().get(URL, HTTP_AUTHORIZATION=auth)
    assert response.status_code == 401


def test_a_partner_gets_only_the_facts_about_its_own_signals(signals, token):
    (_, without_ref), _ = signals
    page = records(token)
    assert page["more"] is False
    assert [r["signal_id"] for r in page["records"]] == ["H-1", f"S{without_ref.pk}"]
    first = page["records"][0]
    assert list(first) == list(COLUMNS)  # nothing else: no names, reasons or results
    assert first == {
        "change": first["change"],
        "signal_id": "H-1",
        "municipality": "0344",
        "signal_date": "2026-04-01",
        "received_on": "2026-05-15",
        "fact": "not_reached",
        "fact_label": "niet bereikt of geen hulp gewenst",
        "changed_at": "2026-06-12T09:00:00+02:00",
    }
    assert page["next"] == page["records"][-1]["change"]
    assert "Jansen" not in json.dumps(page)


def test_the_cursor_gives_each_record_once_and_again_on_request(signals, token):
    first = records(token)
    assert len(first["records"]) == 2
    second = records(token)
    assert second == {"records": [], "next": first["next"], "more": False}
    again = records(token, "?after=0")
    assert again["records"] == first["records"]
    assert records(token)["records"] == []  # asking again did not move the position


def test_a_changed_record_is_delivered_again(signals, token):
    (with_ref, _), _ = signals
    before = records(token)
    workflow.close(with_ref.case, EndResult.FOLLOW_UP_FINANCIAL, at("2026-06-20"))
    assert record_feedback(at("2026-06-20", "09:10")) == 1
    page = records(token)
    (changed,) = page["records"]
    assert changed["signal_id"] == "H-1"
    assert (changed["fact"], changed["fact_label"]) == ("helped", "wil hulp")
    assert changed["change"] > before["next"]
    # Read from the start, the record is there once, as it is now.
    facts = {r["signal_id"]: r["fact"] for r in records(token, "?after=0")["records"]}
    assert facts["H-1"] == "helped"


def test_another_partner_sees_none_of_the_first_partners_records(signals, other_partner):
    page = records(issue_token(other_partner))
    assert [r["signal_id"] for r in page["records"]] == ["E-1"]


def test_a_limit_pages_through_the_records(signals, token):
    first = records(token, "?limit=1")
    assert len(first["records"]) == 1 and first["more"] is True
    second = records(token, "?limit=1")
    assert second["records"][0]["change"] > first["next"] and second["more"] is False
    assert records(token, "?limit=1")["records"] == []
    assert len(records(token, f"?after={first['next']}")["records"]) == 1


@pytest.mark.parametrize(
    "query", ["?after=-1", "?after=abc", "?limit=0", "?limit=5001", "?limit=", "?after=½"]
)
def test_bad_parameters_are_refused_clearly(signals, token, query):
    response = get(token, query)
    assert response.status_code == 400
    name = query[1:].split("=")[0]
    assert name in response.json()["error"]
    assert records(token)["records"]  # the position did not move


def test_only_the_municipalities_the_partner_is_registered_for(signals, token, partner):
    elsewhere = Municipality.objects.create(code="0307", name="Amersfoort")
    ingest([signal_row(id="H-9")], elsewhere, at("2026-05-16"), partner=partner)
    assert record_feedback(at("2026-06-13")) == 1  # the file was imported there
    assert "H-9" not in {r["signal_id"] for r in records(token)["records"]}
    partner.municipalities.add(elsewhere)
    assert "H-9" in {r["signal_id"] for r in records(token, "?after=0")["records"]}


def test_only_get(token):
    assert Client().post(URL, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 405
