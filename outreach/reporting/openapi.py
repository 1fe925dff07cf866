"""The partner API's OpenAPI 3.1 description: the one description of POST /api/v1/signals and
GET /api/v1/feedback, served at /api/v1/openapi.json and tested against the API
(tests/reporting/test_openapi.py runs schemathesis on it).

The signals' schema is the DDAS standard's own: its definitions (`$defs`) and its vroegsignaal
are taken from the exchange model this project ships (ddas_schema/), so the API speaks the
standard's words (`bedrag`, `signaaldatum`, `client.Achternaam`, ...) and moves with it. Beside
it the description names what the API takes besides: the flat columns of a CSV file in JSON, a
`contact` block, amounts and dates in the other notations the CSV files use.

The description holds no personal data and no configuration; it is the same for everyone.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

from outreach.intake.readers import REQUIRED_COLUMNS, SIGNAL_COLUMNS
from outreach.reporting.delivery import DEFAULT_LIMIT, MAX_LIMIT
from outreach.reporting.models import PartnerFeedback
from outreach.reporting.records import COLUMNS

DDAS_SCHEMA_FILE = Path(__file__).parent / "ddas_schema" / "json_schema_Uitwisselmodel.json"
SCHEMAS = "#/components/schemas/"
JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": SCHEMAS + name}


def _rebased(schema: Any) -> Any:
    """The DDAS schema's pieces with their `#/$defs/X` references pointing at the description's
    components instead (where its definitions are put)."""
    if isinstance(schema, dict):
        return {
            key: (
                SCHEMAS + value.removeprefix("#/$defs/")
                if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/")
                else _rebased(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [_rebased(item) for item in schema]
    return schema


def ddas_schemas() -> dict[str, Any]:
    """The DDAS exchange model as component schemas: its definitions, the whole document
    (`Uitwisselmodel`) and its vroegsignaal (`DdasVroegsignaal`)."""
    model = json.loads(DDAS_SCHEMA_FILE.read_text(encoding="utf-8"))
    definitions = _rebased(model.pop("$defs"))
    for key in ("$schema", "$id"):
        model.pop(key, None)
    model = _rebased(model)
    signal = model["properties"]["leveringen"]["items"]["properties"]["vroegsignalen"]["items"]
    return {**definitions, "Uitwisselmodel": model, "DdasVroegsignaal": copy.deepcopy(signal)}


def _text(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


ERROR = {
    "type": "object",
    "description": "Why the request was not taken; nothing of it was stored.",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}

FINDING = {
    "type": "object",
    "description": "One finding about one row: its number (1 = the first signal), the field "
    "and the reason.",
    "properties": {
        "row": {"type": "integer", "minimum": 0},
        "field": {"type": "string"},
        "reason": {"type": "string"},
    },
    "required": ["row", "field", "reason"],
}

IMPORT_REPORT = {
    "type": "object",
    "description": "What became of the delivery. Every good signal is taken; a bad one is "
    "rejected on its own, with its row, field and reason, and a bad phone number or e-mail "
    "address only drops that field (a warning). A signal delivered before counts as a "
    "duplicate and is not taken again.",
    "properties": {
        "accepted": {"type": "integer", "minimum": 0},
        "rejected": {"type": "integer", "minimum": 0},
        "duplicates": {"type": "integer", "minimum": 0},
        "warnings": {"type": "array", "items": _ref("Finding")},
        "rejections": {"type": "array", "items": _ref("Finding")},
    },
    "required": ["accepted", "rejected", "duplicates", "warnings", "rejections"],
}

AMOUNT = {
    "description": "The arrears in euros, more than 0 and below 10,000,000: DDAS's whole euros, "
    "or with cents as a JSON number (45.5) or as text in Dutch or English notation ('45,50', "
    "'1.234,56', '€ 45,00').",
    "anyOf": [
        {"allOf": [_ref("bedrag"), {"exclusiveMinimum": 0}]},
        {"type": "number", "exclusiveMinimum": 0},
        {"type": "string", "pattern": r"^\s*(€|EUR)?\s*[0-9][0-9.,]*(,-)?\s*$"},
    ],
}

DATE = {
    "description": "DDAS's YYYY-MM-DD, or DD-MM-YYYY (also with /).",
    "anyOf": [
        _ref("datum"),
        {"type": "string", "pattern": r"^[0-9]{1,2}([-/])[0-9]{1,2}\1[0-9]{4}$"},
    ],
}

YES_NO = {
    "description": "true/false, or as text: ja/nee, true/false, 1/0 (any case).",
    "anyOf": [
        {"type": "boolean"},
        {"enum": ["ja", "nee", "j", "n", "true", "false", "yes", "no", "1", "0", "waar", "onwaar"]},
    ],
}

POSTCODE = {
    "type": "string",
    "description": "A Dutch postcode: 4 digits (the first not 0) and 2 letters, any spacing and "
    "case.",
    "pattern": r"^\s*[1-9][0-9]{3}\s*[A-Za-z]{2}\s*$",
}

HOUSE_NUMBER = {
    "type": "string",
    "description": "1 to 99999; a letter or addition may be glued on (12A, 12-A, 12 bis).",
    "pattern": r"^\s*[0-9]{1,5}",
}

SURNAME = {"type": "string", "pattern": r"\S"}

CONTACT = {
    "type": "object",
    "description": "How the partner reaches the resident (not in DDAS). A number or address "
    "that cannot be read is dropped with a warning; the signal is still taken.",
    "properties": {
        "telefoonnummer": _text("Any common Dutch or international notation."),
        "email": _text("An e-mail address."),
    },
}


def vroegsignaal(ddas_signal: dict[str, Any]) -> dict[str, Any]:
    """The DDAS vroegsignaal as the API takes it: with the partner's name and a contact block,
    amounts and dates also in the CSV notations, and without DDAS's required ID and partner
    type (a signal without ID is known by its content; the type is the token's partner's)."""
    signal = copy.deepcopy(ddas_signal)
    properties = signal["properties"]
    properties["bedrag"] = AMOUNT
    properties["ontstaansdatum"] = DATE
    properties["signaaldatum"] = {**DATE, "description": properties["signaaldatum"]["description"]}
    properties["crisissignaal"] = {
        **YES_NO,
        "description": properties["crisissignaal"]["description"].strip(),
    }
    properties["ID"] = _text(
        "The partner's own reference; with the partner it identifies the signal, so a signal "
        "delivered again is counted as a duplicate."
    )
    partner = properties["signaalpartner"]
    partner["properties"]["naam"] = _text("The name of the reporting organisation.")
    partner["properties"]["type"] = {
        "description": "A DDAS EnumSignaalpartner, in any case; it must be the token's "
        "partner's type.",
        "type": "string",
    }
    client = properties["client"]
    client["properties"]["Geboortedatum"] = {
        **DATE,
        "description": client["properties"]["Geboortedatum"]["description"],
    }
    client["properties"]["Voornaam"] = {"type": "string"}
    client["properties"]["Postcode"] = POSTCODE
    client["properties"]["Huisnummer"] = HOUSE_NUMBER
    client["properties"]["Achternaam"] = SURNAME
    client["required"] = ["Achternaam", "Postcode", "Huisnummer"]
    properties["contact"] = CONTACT
    properties["klantnummer"] = _text("The energy customer number.")
    signal["required"] = ["bedrag", "signaaldatum", "client"]
    return signal


FLAT_SIGNAL = {
    "type": "object",
    "description": "A signal as one row of a CSV file: the columns of the signal format "
    "(DDAS's names, flattened), each as text.",
    "properties": {
        **{column: {"type": "string"} for column in SIGNAL_COLUMNS},
        "postcode": POSTCODE,
        "huisnummer": HOUSE_NUMBER,
        "achternaam": SURNAME,
    },
    "required": list(REQUIRED_COLUMNS),
}

SIGNAL_DELIVERY = {
    "description": 'Signals as {"vroegsignalen": [...]} (with the municipality\'s '
    "`gemeentecode`, or name it in the query), as a DDAS document (its deliveries for one "
    "municipality), or as a bare list.",
    "anyOf": [
        {
            "type": "object",
            "properties": {
                "gemeentecode": _text("CBS gemeentecode of the municipality, e.g. 0307."),
                "vroegsignalen": {"type": "array", "items": _ref("Vroegsignaal")},
            },
            "required": ["vroegsignalen"],
        },
        {"allOf": [_ref("Uitwisselmodel"), {"required": ["leveringen"]}]},
        {"type": "array", "items": _ref("Vroegsignaal")},
    ],
}

# A made-up resident (the postcode is the municipality's office's).
EXAMPLE_SIGNAL = {
    "ID": "H-2026-0001",
    "crisissignaal": False,
    "bedrag": 450,
    "ontstaansdatum": "2026-03-01",
    "signaaldatum": "2026-04-01",
    "signaalpartner": {"type": "Huur", "naam": "Woonstichting De Linde"},
    "client": {
        "Voorletters": "A.",
        "Achternaam": "Voorbeeld",
        "Postcode": "3511AB",
        "Huisnummer": "12",
        "Plaatsnaam": "Utrecht",
    },
    "contact": {"telefoonnummer": "06 12345678"},
}
EXAMPLE_CSV = (
    "id;bedrag;signaaldatum;achternaam;postcode;huisnummer\r\n"
    "H-2026-0002;125,50;01-04-2026;Voorbeeld;3511 AB;12A\r\n"
)

FEEDBACK_RECORD = {
    "type": "object",
    "description": "What became of one of the partner's signals: the fact, no names, no reasons.",
    "properties": {
        "change": {
            "type": "integer",
            "minimum": 1,
            "description": "The record's change number: pass it as `after` to read what came "
            "later.",
        },
        "signal_id": _text("The partner's ID of the signal, or ours ('S123') when it sent none."),
        "municipality": _text("CBS gemeentecode."),
        "signal_date": {"type": "string", "format": "date"},
        "received_on": {
            "type": "string",
            "format": "date",
            "description": "The day the municipality received the signal.",
        },
        "fact": {"type": "string", "enum": list(PartnerFeedback.Outcome.values)},
        "fact_label": {"type": "string", "description": "The fact in Dutch."},
        "changed_at": {"type": "string", "format": "date-time"},
    },
    "required": list(COLUMNS),  # every column of a feedback record
}

FEEDBACK_PAGE = {
    "type": "object",
    "properties": {
        "records": {"type": "array", "items": _ref("FeedbackRecord")},
        "next": {
            "type": "integer",
            "minimum": 0,
            "description": "The change number to pass as `after` for what follows.",
        },
        "more": {"type": "boolean", "description": "More records wait after `next`."},
    },
    "required": ["records", "next", "more"],
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref("Error")}}}


# Every answer of the API may be one of these.
COMMON_ERRORS = {
    "401": _error("No token, or one that is not (or no longer) a partner's."),
    "413": _error("The request is larger than the API takes."),
}


def _signals_operation() -> dict[str, Any]:
    csv_columns = ", ".join(SIGNAL_COLUMNS)
    return {
        "operationId": "postSignals",
        "summary": "Deliver signals to a municipality",
        "description": "The partner delivers signals to a municipality it is registered for. "
        "Each signal is checked on its own; the answer reports what was taken, what was "
        "rejected and why.",
        "parameters": [
            {
                "name": "gemeentecode",
                "in": "query",
                "required": False,
                "description": "CBS gemeentecode of the municipality; required for CSV and for "
                "JSON that does not name it. Takes precedence over the document's.",
                "schema": {"type": "string"},
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
                    "schema": _ref("SignalDelivery"),
                    "example": {"gemeentecode": "0344", "vroegsignalen": [EXAMPLE_SIGNAL]},
                },
                "text/csv": {
                    "schema": {
                        "type": "string",
                        "description": "UTF-8 or Windows-1252, `;` or `,` separated, a header "
                        f"row of the columns ({csv_columns}; required: "
                        f"{', '.join(REQUIRED_COLUMNS)}) and one signal a row.",
                    },
                    "example": EXAMPLE_CSV,
                },
            },
        },
        "responses": {
            "200": {
                "description": "The delivery was read; the report says what became of each signal.",
                "content": {JSON: {"schema": _ref("ImportReport")}},
            },
            "400": _error(
                "The delivery cannot be read at all (not JSON or CSV, no header, no "
                "municipality named, ...)."
            ),
            **COMMON_ERRORS,
            "403": _error("The token's partner is not registered for this municipality."),
            "415": _error("Neither application/json nor text/csv."),
        },
    }


def _feedback_operation() -> dict[str, Any]:
    return {
        "operationId": "getFeedback",
        "summary": "Fetch the feedback on the partner's own signals",
        "description": "Records of the partner's signals changed after `after`, or, without "
        "it, after the position the server remembers for the partner (which then moves to the "
        "last record returned). Each record and each change of it comes once; pass `after` to "
        "read a page again.",
        "parameters": [
            {
                "name": "after",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
            },
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
        ],
        "responses": {
            "200": {
                "description": "A page of records.",
                "content": {JSON: {"schema": _ref("FeedbackPage")}},
            },
            "400": _error("`after` or `limit` is not a whole number in its range."),
            **COMMON_ERRORS,
        },
    }


@cache
def document() -> dict[str, Any]:
    """The OpenAPI document (built once; callers must not change it)."""
    ddas = ddas_schemas()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "outreach partner API",
            "version": "1",
            "description": "Signal partners deliver early debt signals (vroegsignalen) to the "
            "municipalities they are registered for, and fetch what became of them. Each "
            "partner has its own token (`Authorization: Bearer <token>`). Signals follow the "
            "DDAS exchange model of VNG Realisatie (v0.9).",
        },
        "paths": {
            "/api/v1/signals": {"post": _signals_operation()},
            "/api/v1/feedback": {"get": _feedback_operation()},
            "/api/v1/openapi.json": {
                "get": {
                    "operationId": "getOpenapi",
                    "summary": "This description",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {JSON: {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "security": [{"partnerToken": []}],
        "components": {
            "securitySchemes": {
                "partnerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The partner's API token (`outreach add-partner` prints it "
                    "once).",
                }
            },
            "schemas": {
                **ddas,
                "Vroegsignaal": {
                    "description": "A signal: a DDAS vroegsignaal, or the flat columns of a "
                    "CSV row.",
                    "anyOf": [vroegsignaal(ddas["DdasVroegsignaal"]), FLAT_SIGNAL],
                },
                "SignalDelivery": SIGNAL_DELIVERY,
                "ImportReport": IMPORT_REPORT,
                "Finding": FINDING,
                "FeedbackRecord": FEEDBACK_RECORD,
                "FeedbackPage": FEEDBACK_PAGE,
                "Error": ERROR,
            },
        },
    }
