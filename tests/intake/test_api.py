"""POST /api/v1/signals: partners deliver with their own token."""

import hashlib
import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from outreach.core.models import Municipality
from outreach.intake.models import ImportRun, Signal, SignalPartner
from outreach.intake.partners import issue_token, register_partner
from tests.conftest import csv_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/signals"
REPORT_KEYS = [
    "accepted",
    "rejected",
    "duplicates",
    "warnings",
    "rejections",
    "warnings_total",
    "rejections_total",
]


def item(ref="H-1", partner="Huur", **client):
    person = {"Achternaam": "Jansen", "Postcode": "3511AB", "Huisnummer": "12"}
    person.update(client)
    return {
        "ID": ref,
        "bedrag": "300,00",
        "signaaldatum": "2026-04-01",
        "crisissignaal": False,
        "signaalpartner": {"type": partner},
        "client": person,
        "contact": {"telefoonnummer": "06-12345678", "email": "jansen@example.nl"},
    }


@pytest.fixture
def partner(municipality):
    return register_partner("Huur", "Woonstichting De Linde", [municipality])


@pytest.fixture
def token(partner):
    return issue_token(partner)


@pytest.fixture
def api(token):
    client = Client()

    def post(body, content_type="application/json", query="", auth=f"Bearer {token}"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        headers = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
        return client.post(URL + query, data=body, content_type=content_type, **headers)

    return post


def test_without_a_token(api):
    response = api({"vroegsignalen": []}, query="?gemeentecode=0344", auth=None)
    assert response.status_code == 401
    assert "token" in response.json()["error"]
    assert Signal.objects.count() == 0


@pytest.mark.parametrize("auth", ["Bearer wrong-token", "Bearer ", "Basic dXNlcjpwdw=="])
def test_with_a_wrong_token(api, auth):
    response = api({"vroegsignalen": [item()]}, query="?gemeentecode=0344", auth=auth)
    assert response.status_code == 401
    assert Signal.objects.count() == 0


def test_a_new_token_replaces_the_old_one(api, token, partner):
    issue_token(partner)
    response = api({"vroegsignalen": [item()]}, query="?gemeentecode=0344")
    assert response.status_code == 401


def test_municipality_the_partner_may_not_report_to(api, token):
    Municipality.objects.create(code="0307", name="Amersfoort")
    response = api({"vroegsignalen": [item()]}, query="?gemeentecode=0307")
    assert response.status_code == 403
    assert "0307" in response.json()["error"]
    response = api({"gemeentecode": "0518", "vroegsignalen": [item()]})
    assert response.status_code == 403  # a municipality that is not registered at all
    assert Signal.objects.count() == 0


def test_json_body_is_imported(api, partner, write_csv, run_command, tmp_path):
    body = {"vroegsignalen": [item("H-1"), item("H-2"), item("H-1")]}
    body["vroegsignalen"][1]["bedrag"] = "veel"
    response = api(body, query="?gemeentecode=0344")
    assert response.status_code == 200, response.content
    report = response.json()
    assert list(report) == REPORT_KEYS
    assert (report["accepted"], report["rejected"], report["duplicates"]) == (1, 1, 1)
    assert report["rejections"] == [
        {"row": 2, "field": "bedrag", "reason": "'veel' is not an amount: use 1234,56 or 1234.56"}
    ]
    signal = Signal.objects.get()
    assert signal.partner == partner
    assert (signal.partner_type, signal.partner_ref) == ("Huur", "H-1")
    assert signal.person.phone_numbers.get().e164 == "+31612345678"
    run = ImportRun.objects.get()
    assert run.partner == partner
    assert run.source == f"api:{partner.pk}"

    # The command prints the same report for the same delivery.
    Municipality.objects.create(code="0307", name="Amersfoort")
    path = tmp_path / "same.json"
    path.write_text(json.dumps(body))
    printed = json.loads(
        run_command(
            "import-signals",
            path,
            "--municipality",
            "0307",
            "--partner-name",
            "Woonstichting De Linde",
            "--json",
        )
    )
    assert printed == report


def test_the_deadline_counts_from_the_request(api):
    before = timezone.now()
    response = api({"vroegsignalen": [item("H-1")]}, query="?gemeentecode=0344")
    after = timezone.now()
    assert response.status_code == 200, response.content
    signal = Signal.objects.select_related("case").get()
    assert before <= signal.received_at <= after
    assert signal.signal_date == date(2026, 4, 1)
    received = timezone.localdate(signal.received_at)
    assert signal.case.deadline == received + timedelta(days=28)


def test_a_file_import_does_not_grant_a_token_access(api, partner, write_csv, run_command):
    Municipality.objects.create(code="0307", name="Amersfoort")
    path = write_csv(
        [
            {
                "id": "F-1",
                "signaalpartner": "Huur",
                "partner_naam": "Woonstichting De Linde",
                "bedrag": "300",
                "signaaldatum": "2026-04-01",
                "achternaam": "Jansen",
                "postcode": "3811AA",
                "huisnummer": "1",
            }
        ]
    )
    assert (
        json.loads(run_command("import-signals", path, "--municipality", "0307", "--json"))[
            "accepted"
        ]
        == 1
    )
    response = api({"vroegsignalen": [item("H-9")]}, query="?gemeentecode=0307")
    assert response.status_code == 403


def test_ddas_document_names_the_municipality(api, partner):
    Municipality.objects.create(code="0518", name="'s-Gravenhage")
    partner.municipalities.add(Municipality.objects.get(code="0518"))
    document = {"leveringen": [{"gemeentecode": "0518", "vroegsignalen": [item()]}]}
    response = api(document)
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1
    assert Signal.objects.get().municipality.code == "0518"


def test_ddas_document_for_several_municipalities(api, partner):
    document = {
        "leveringen": [
            {"gemeentecode": "0344", "vroegsignalen": [item("H-1")]},
            {"gemeentecode": "0307", "vroegsignalen": [item("H-2")]},
        ]
    }
    response = api(document)
    assert response.status_code == 400
    assert "0344, 0307" in response.json()["error"]
    assert Signal.objects.count() == 0


def test_without_a_municipality(api):
    response = api({"vroegsignalen": [item()]})
    assert response.status_code == 400
    assert "gemeentecode" in response.json()["error"]


def test_csv_body(api):
    rows = [
        {
            "id": "C-1",
            "bedrag": "45,00",
            "signaaldatum": "01-04-2026",
            "achternaam": "Müller",
            "postcode": "3511 ab",
            "huisnummer": "12a",
        },
        {
            "id": "C-2",
            "bedrag": "450,00",
            "signaaldatum": "01-04-2026",
            "achternaam": "Smit",
            "postcode": "3512AB",
            "huisnummer": "3",
            "signaalpartner": "huur",
        },
    ]
    response = api(
        csv_bytes(rows), content_type="text/csv; charset=utf-8", query="?gemeentecode=0344"
    )
    assert response.status_code == 200, response.content
    report = response.json()
    assert list(report) == REPORT_KEYS
    assert (report["accepted"], report["rejected"]) == (2, 0)
    mueller = Signal.objects.get(partner_ref="C-1")
    assert mueller.person.surname == "Müller"
    assert mueller.household.key == "3511AB|12|A"
    assert mueller.partner_type == "Huur"


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("1e30", "is not an amount"),
        ("1e300", "is not an amount"),
        ("Infinity", "is not an amount"),
        ("NaN", "is not an amount"),
    ],
)
def test_a_json_amount_beyond_cents_is_rejected_with_its_reason(api, amount, reason):
    """A JSON number too large to count in cents (or not a number at all) is a bad amount of
    its row, not a server error."""
    body = json.dumps({"vroegsignalen": [item(), item("H-2", Postcode="3512AB")]})
    body = body.replace('"bedrag": "300,00"', f'"bedrag": {amount}', 1)
    response = api(body, query="?gemeentecode=0344")
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    [rejection] = report["rejections"]
    assert (rejection["row"], rejection["field"]) == (1, "bedrag")
    assert reason in rejection["reason"]


def test_csv_body_without_the_required_columns(api):
    response = api(b"id;bedrag\r\n1;45\r\n", content_type="text/csv", query="?gemeentecode=0344")
    assert response.status_code == 400
    assert "signaaldatum" in response.json()["error"]


def test_invalid_json_body(api):
    response = api(b'{"vroegsignalen": [}', query="?gemeentecode=0344")
    assert response.status_code == 400
    assert "line 1, column 20" in response.json()["error"]


def test_a_row_of_another_partner_type_is_rejected(api):
    body = {"vroegsignalen": [item("E-1", partner="Energie"), item("H-1", Postcode="3512AB")]}
    response = api(body, query="?gemeentecode=0344")
    assert response.status_code == 200
    report = response.json()
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["rejections"] == [
        {
            "row": 1,
            "field": "signaalpartner",
            "reason": "'Energie' does not match this delivery's partner type 'Huur'",
        }
    ]
    assert list(Signal.objects.values_list("partner_ref", flat=True)) == ["H-1"]


def test_token_is_stored_hashed(api, token, partner):
    partner.refresh_from_db()
    assert partner.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not SignalPartner.objects.filter(token_hash=token).exists()
    assert api({"vroegsignalen": [item()]}, query="?gemeentecode=0344").status_code == 200
    with connection.cursor() as cursor:
        for table in ("intake_signalpartner", "intake_importrun", "intake_signal"):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                assert all(token not in str(value) for value in row), table


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "application/x-www-form-urlencoded"]
)
def test_other_content_types(api, content_type):
    response = api(b"bedrag=45", content_type=content_type, query="?gemeentecode=0344")
    assert response.status_code == 415
    assert Signal.objects.count() == 0


def test_only_post(token):
    response = Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 405


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    content_type=st.sampled_from(["application/json", "text/csv"]),
    prefix=st.sampled_from([b"", b'{"vroegsignalen": [', b"bedrag;signaaldatum;achternaam;"]),
    body=st.binary(max_size=1000),
)
def test_any_body_gets_an_answer_not_a_crash(api, content_type, prefix, body):
    assume(prefix + body)  # the test client sends no Content-Type with an empty body
    response = api(prefix + body, content_type=content_type, query="?gemeentecode=0344")
    assert response.status_code in (200, 400)
    answer = response.json()
    if response.status_code == 400:
        assert answer["error"]
    else:
        assert list(answer) == REPORT_KEYS


# --- what one request may hold -------------------------------------------------------------


@pytest.fixture
def django_settings(settings):
    """pytest-django's settings fixture (this module's `settings` is hypothesis')."""
    return settings


def empty_signals(count: int) -> bytes:
    """{"vroegsignalen": [{}, {}, ...]}: three bytes a signal."""
    return b'{"vroegsignalen": [' + b"{}," * (count - 1) + b"{}]}"


def assert_split_answer(response, max_signals):
    assert response.status_code == 413
    answer = response.json()
    assert answer["max_signals"] == max_signals
    assert f"at most {max_signals} signals" in answer["error"]
    assert "split the delivery" in answer["error"]
    assert Signal.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_a_million_empty_signals_are_refused_before_they_are_parsed(api, monkeypatch):
    # The probe's body: 3 MB, a million signals. Refused whole, without making a million
    # objects (parse_json is never reached) or a million rejections.
    def never(data):
        raise AssertionError("the body was parsed")

    monkeypatch.setattr("outreach.intake.api.parse_json", never)
    response = api(empty_signals(1_000_000), query="?gemeentecode=0344")
    assert_split_answer(response, 10_000)


@pytest.mark.parametrize("content_type", ["application/json", "text/csv"])
def test_a_request_over_the_signal_limit_is_refused_whole(api, django_settings, content_type):
    django_settings.OUTREACH_API_MAX_SIGNALS = 3
    signals = [item(f"H-{n}", Postcode=f"35{n:02d}AB") for n in range(1, 5)]

    def body(items):
        if content_type == "application/json":
            return json.dumps({"vroegsignalen": items})
        flat = [
            {"id": s["ID"], "bedrag": "300", "signaaldatum": "2026-04-01", **s["client"]}
            for s in items
        ]
        return csv_bytes(flat, columns=["id", "bedrag", "signaaldatum", *item()["client"]])

    response = api(body(signals), content_type=content_type, query="?gemeentecode=0344")
    assert_split_answer(response, 3)
    response = api(body(signals[:3]), content_type=content_type, query="?gemeentecode=0344")
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 3


def test_a_body_over_the_byte_limit_gets_a_json_413_before_it_is_read(api, django_settings):
    django_settings.OUTREACH_API_MAX_BYTES = 1000
    response = api(
        {"vroegsignalen": [item(f"H-{n}") for n in range(10)]}, query="?gemeentecode=0344"
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    assert answer["max_bytes"] == 1000
    assert "larger than 1000 bytes" in answer["error"]
    assert "split the delivery" in answer["error"]
    assert Signal.objects.count() == 0


def test_a_large_delivery_within_the_api_limit_is_not_held_to_the_form_limit(api):
    # Django refuses form bodies over 2.5 MB with an HTML 400; the API reads its own body.
    body = json.dumps({"vroegsignalen": [item()]}).encode() + b" " * (3 * 1024 * 1024)
    response = api(body, query="?gemeentecode=0344")
    assert response.status_code == 200, response.content[:200]
    assert response.json()["accepted"] == 1


def test_the_answer_lists_the_first_rejections_and_counts_them_all(api):
    bad = [{"ID": f"X-{n}", "signaalpartner": "Huur"} for n in range(1, 151)]
    response = api({"vroegsignalen": bad}, query="?gemeentecode=0344")
    assert response.status_code == 200
    answer = response.json()
    # Each row lacks bedrag, signaaldatum, postcode, achternaam and huisnummer.
    assert answer["rejected"] == 150
    assert answer["rejections_total"] == 150 * 5
    assert len(answer["rejections"]) == 100
    assert answer["rejections"][0]["row"] == 1
    assert answer["rejections"][-1]["row"] == 20
    assert answer["note"] == ("only the first 100 of 750 rejections are listed (at most 100 each)")
