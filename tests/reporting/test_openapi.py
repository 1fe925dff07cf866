"""The partner API and its OpenAPI description agree: schemathesis generates requests from the
description served at /api/v1/openapi.json and checks every answer against it (no server
error, only described status codes, content types and bodies)."""

import copy
import json
from typing import Any

import jsonschema
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from outreach.reporting.feedback import record_feedback
from outreach.reporting.openapi import DDAS_SCHEMA_FILE, document
from outreach.wsgi import application
from tests.conftest import signal_row
from tests.reporting.conftest import at, ingest

URL = "/api/v1/openapi.json"
CODE = "0344"  # the municipality fixture's, which the partner fixture is registered for
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _narrowed(node: Any) -> Any:
    """The description with every gemeentecode (query and documents) fixed to the partner's
    municipality: generated deliveries then reach the import instead of stopping at 403."""
    if isinstance(node, dict):
        result = {key: _narrowed(value) for key, value in node.items()}
        properties = result.get("properties")
        if isinstance(properties, dict) and "gemeentecode" in properties:
            properties["gemeentecode"] = {"type": "string", "const": CODE}
        if result.get("in") == "query" and result.get("name") == "gemeentecode":
            result["schema"] = {"type": "string", "const": CODE}
            result["required"] = True
        return result
    if isinstance(node, list):
        return [_narrowed(item) for item in node]
    return node


# The coverage phase's thousand-odd fixed cases per operation would take minutes; the fuzzing
# phase's generated ones (and the examples) find what they find in seconds.
CONFIG = {"phases": {"coverage": {"enabled": False}}}
served = schemathesis.openapi.from_wsgi(
    URL, application, config=SchemathesisConfig.from_dict(CONFIG)
)
# Only valid requests: the served description's run sends the invalid ones.
narrowed = schemathesis.openapi.from_dict(
    _narrowed(copy.deepcopy(document())),
    config=SchemathesisConfig.from_dict({**CONFIG, "generation": {"mode": "positive"}}),
)
narrowed.app = application


@pytest.fixture(autouse=True)
def connection_kept():
    """The WSGI application closes the database connection after each request, as it should in
    production; here the connection holds the test's transaction, so (as Django's test client
    does) it stays open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def feedback(municipality, partner):
    """Feedback on two of the partner's signals, for GET /api/v1/feedback to hand out."""
    ingest(
        [signal_row(id="H-1", postcode="3511AA"), signal_row(id="", postcode="3511AB")],
        municipality,
        at("2026-05-15"),
        partner=partner,
    )
    assert record_feedback(at("2026-06-12")) == 2


FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.mark.django_db
@served.parametrize()
@FUZZ
def test_the_api_answers_as_its_description_says(case, token, feedback):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[*CHECKS, ignored_auth],
    )


@pytest.mark.django_db
@narrowed.include(operation_id="postSignals").parametrize()
@FUZZ
def test_deliveries_to_the_partners_municipality_answer_as_described(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_the_description_is_public_and_valid_openapi(db):
    response = Client().get(URL)
    assert response.status_code == 200
    described = response.json()
    assert described == json.loads(json.dumps(document()))
    assert described["openapi"].startswith("3.1")
    assert described["paths"][URL]["get"]["security"] == []


def test_the_signal_schema_is_the_ddas_standards():
    """The description's DDAS definitions are the shipped standard's, word for word."""
    standard = json.loads(DDAS_SCHEMA_FILE.read_text(encoding="utf-8"))
    schemas = document()["components"]["schemas"]
    for name in ("EnumSignaalpartner", "EnumSignaalstatus", "datum", "bedrag"):
        assert schemas[name] == standard["$defs"][name]
    signal = standard["properties"]["leveringen"]["items"]["properties"]["vroegsignalen"]
    described = schemas["Vroegsignaal"]["anyOf"][0]["properties"]
    assert set(signal["items"]["properties"]) <= set(described)
    assert (
        described["client"]["properties"].keys()
        >= signal["items"]["properties"]["client"]["properties"].keys()
    )


DDAS_SIGNAL = {
    "ID": "VS-2026-0001",
    "crisissignaal": False,
    "bedrag": 450,
    "ontstaansdatum": "2026-03-10",
    "signaaldatum": "2026-04-05",
    "signaalpartner": {"type": "Huur"},
    "client": {"Voorletters": "A.", "Achternaam": "Dijk", "Postcode": "3511AB", "Huisnummer": "10"},
}


@pytest.mark.parametrize(
    "body",
    [
        {"gemeentecode": CODE, "vroegsignalen": [DDAS_SIGNAL]},
        [DDAS_SIGNAL],
        {
            "codeGegevensleverancier": "SOFT-123",
            "startdatumLevering": "2026-04-01",
            "einddatumLevering": "2026-04-30",
            "aanleverdatumEnTijd": "2026-05-05T10:30:00Z",
            "leveringen": [
                {
                    "teller": 1,
                    "gemeentecode": CODE,
                    "aanleverende_organisatie": {"naam": "Woonstichting De Linde"},
                    "vroegsignalen": [DDAS_SIGNAL],
                }
            ],
        },
        {"vroegsignalen": [signal_row(signaalpartner="Huur")]},
    ],
    ids=["vroegsignalen", "list", "ddas-document", "flat-columns"],
)
def test_a_delivery_the_api_takes_fits_the_description(body, api_client, token):
    jsonschema.validate(body, _resolvable(document(), "SignalDelivery"))
    response = api_client.post(
        "/api/v1/signals?gemeentecode=" + CODE,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 1, response.json()
    jsonschema.validate(response.json(), _resolvable(document(), "ImportReport"))


@pytest.fixture
def api_client(db) -> Client:
    return Client()


def _resolvable(described: dict[str, Any], name: str) -> dict[str, Any]:
    """The named component schema, with the components its references point at."""
    return {**described["components"]["schemas"][name], "components": described["components"]}
