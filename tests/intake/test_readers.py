"""Reading partner files: encodings, delimiters, headers, JSON shapes, and hostile input."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.core.bsn import open_
from outreach.intake.models import Signal
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import FileRejected, RawRow, open_delivery
from tests.conftest import csv_bytes, signal_row, stored_raw

# The DDAS example document (DDAS enkelvoudigVoorbeeld.json), the parts a reader needs.
DDAS_EXAMPLE = {
    "codeGegevensleverancier": "SOFT-123",
    "startdatumLevering": "2025-01-01",
    "einddatumLevering": "2025-01-31",
    "aanleverdatumEnTijd": "2025-02-05T10:30:00Z",
    "leveringen": [
        {
            "teller": 1,
            "gemeentecode": "0518",
            "aanleverende_organisatie": {"naam": "Gemeente Voorbeeld", "kvk-nummer": "12345678"},
            "vroegsignalen": [
                {
                    "ID": "VS-2025-0001",
                    "crisissignaal": False,
                    "warmeOverdracht": False,
                    "bedrag": 450,
                    "ontstaansdatum": "2024-12-10",
                    "signaaldatum": "2025-01-05",
                    "status": "Nog niet opgepakt",
                    "signaalpartner": {"type": "Energie"},
                    "client": {
                        "Burgerservicenummer": "123456789",
                        "Voorletters": "A.",
                        "Voorvoegsel": "van",
                        "Achternaam": "Dijk",
                        "Geboortedatum": "1985-06-15",
                        "Straatnaam": "Voorbeeldstraat",
                        "Postcode": "1234AB",
                        "Huisnummer": "10",
                        "Huisnummertoevoeging": "A",
                        "Plaatsnaam": "Voorbeeldstad",
                    },
                }
            ],
            "vroegsignaalzaken": [
                {
                    "resultaat": "Inwoner hoeft geen hulp vanuit vroegsignalering",
                    "vroegsignalen": [{"ID": "VS-2025-0001"}],
                }
            ],
        }
    ],
}

VALID_CSV = csv_bytes(
    [
        signal_row(id="T-1", achternaam="Müller", postcode="3511AB"),
        signal_row(id="T-2", achternaam="de Wit", postcode="3511 ac", bedrag="1.234,56"),
        signal_row(id="T-3", achternaam="Öztürk", postcode="3512CD", huisnummer="7-b"),
    ]
)
VALID_JSON = json.dumps(
    {
        "vroegsignalen": [
            {
                "ID": f"J-{n}",
                "bedrag": "120,00",
                "signaaldatum": "2026-04-01",
                "signaalpartner": {"type": "Water"},
                "client": {"Achternaam": "Bakker", "Postcode": "3511AB", "Huisnummer": str(n)},
            }
            for n in range(1, 4)
        ]
    }
).encode()


def read(path: Path) -> list[RawRow]:
    return list(open_delivery(path).rows)


def write(tmp_path: Path, data: bytes, name: str = "delivery.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def assert_only_file_rejected(path: Path) -> list[RawRow] | None:
    """Reading may reject the whole file, or give numbered rows; nothing else may escape."""
    try:
        rows = read(path)
    except FileRejected as exc:
        assert str(exc)
        return None
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.fields.items())
    return rows


# --- CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ","])
def test_delimiter_is_detected(tmp_path, write_csv, delimiter):
    path = write_csv(
        [signal_row(bedrag="45.00", achternaam="Jansen"), signal_row(achternaam="Smit")],
        delimiter=delimiter,
    )
    rows = read(path)
    assert [r.number for r in rows] == [1, 2]
    assert rows[0].fields["bedrag"] == "45.00"
    assert rows[0].fields["achternaam"] == "Jansen"
    assert rows[1].fields["achternaam"] == "Smit"
    assert rows[0].fields["postcode"] == "3511AB"


def test_utf8_with_bom(write_csv):
    path = write_csv([signal_row(achternaam="Müller", voornaam="Zoë")], bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    (row,) = read(path)
    assert "id" in row.fields  # the BOM is not glued to the first column name
    assert row.fields["achternaam"] == "Müller"
    assert row.fields["voornaam"] == "Zoë"


def test_windows_1252(write_csv):
    path = write_csv(
        [signal_row(achternaam="Müller", straatnaam="Café €-straat")], encoding="cp1252"
    )
    assert "Müller".encode("cp1252") in path.read_bytes()
    (row,) = read(path)
    assert row.fields["achternaam"] == "Müller"
    assert row.fields["straatnaam"] == "Café €-straat"


def test_mixed_encodings_are_decided_per_line(tmp_path):
    data = (
        csv_bytes([signal_row(achternaam="Müller")])
        + csv_bytes([signal_row(achternaam="Gödel")], encoding="cp1252").split(b"\r\n", 1)[1]
    )
    rows = read(write(tmp_path, data))
    assert [r.fields["achternaam"] for r in rows] == ["Müller", "Gödel"]


def test_headers_match_case_insensitively_in_any_order(tmp_path):
    data = (
        b"HuisNummer;POSTCODE; Achternaam ;SignaalDatum;Bedrag;SIGNAALPARTNER;E-mail\r\n"
        b"12;3511AB;Jansen;2026-04-01;45,00;Huur;a@b.nl\r\n"
    )
    (row,) = read(write(tmp_path, data))
    assert row.fields == {
        "huisnummer": "12",
        "postcode": "3511AB",
        "achternaam": "Jansen",
        "signaaldatum": "2026-04-01",
        "bedrag": "45,00",
        "signaalpartner": "Huur",
        "email": "a@b.nl",
    }
    assert row.raw["HuisNummer"] == "12"  # raw keeps the partner's own header


def test_missing_required_columns_are_named(tmp_path):
    data = b"id;bedrag;achternaam;huisnummer\r\n1;45;Jansen;12\r\n"
    with pytest.raises(FileRejected) as info:
        read(write(tmp_path, data))
    message = str(info.value)
    assert "signaaldatum" in message
    assert "postcode" in message
    assert "bedrag" not in message
    assert "achternaam" not in message


def test_file_without_a_header_is_rejected(tmp_path):
    with pytest.raises(FileRejected, match="no header row"):
        read(write(tmp_path, b"12;3511AB;Jansen\r\n13;3511AB;Smit\r\n"))


def test_doubled_column_is_rejected(tmp_path):
    data = b"bedrag;signaaldatum;achternaam;postcode;huisnummer;Bedrag\r\n"
    with pytest.raises(FileRejected, match=r"more than once.*bedrag"):
        read(write(tmp_path, data))


@pytest.mark.parametrize("data", [b"", b"\r\n\r\n  \n", b"\xef\xbb\xbf"])
def test_empty_file_is_rejected(tmp_path, data):
    with pytest.raises(FileRejected, match="empty"):
        read(write(tmp_path, data))


def test_missing_file_is_rejected(tmp_path):
    with pytest.raises(FileRejected, match="cannot open"):
        read(tmp_path / "nope.csv")


def test_row_with_too_few_fields_is_numbered(tmp_path):
    data = (
        b"bedrag;signaaldatum;achternaam;postcode;huisnummer\r\n"
        b"45;2026-04-01;Jansen;3511AB;12\r\n"
        b"\r\n"
        b"45;2026-04-01;Smit\r\n"
        b"50;2026-04-01;de Vries;3511AB;14\r\n"
    )
    rows = read(write(tmp_path, data))
    assert [r.number for r in rows] == [1, 2, 3]  # blank lines do not count
    assert rows[1].fields == {"__error__": "row has 3 fields, the header has 5"}
    assert rows[2].fields["achternaam"] == "de Vries"


@pytest.mark.django_db
def test_row_with_too_few_fields_is_reported_by_import(tmp_path, municipality, now):
    data = (
        b"bedrag;signaaldatum;achternaam;postcode;huisnummer;signaalpartner\r\n"
        b"45;2026-04-01;Jansen;3511AB;12;Huur\r\n"
        b"45;2026-04-01;Smit\r\n"
    )
    report = import_rows(read(write(tmp_path, data)), municipality=municipality, now=now)
    assert report.accepted == 1
    assert report.rejected == 1
    assert report.rejections == [
        {"row": 2, "field": "row", "reason": "row has 3 fields, the header has 6"}
    ]


def test_carriage_return_only_line_endings_are_rejected_clearly(tmp_path):
    # Old spreadsheet exports end lines with a bare CR.
    data = csv_bytes([signal_row(), signal_row()]).replace(b"\r\n", b"\r")
    with pytest.raises(FileRejected, match="bare carriage return"):
        read(write(tmp_path, data))


def test_overlong_header_field_is_rejected(tmp_path):
    data = b"bedrag;signaaldatum;achternaam;postcode;huisnummer;" + b"x" * 200_000 + b"\r\n"
    with pytest.raises(FileRejected):
        read(write(tmp_path, data))


def test_overlong_field_rejects_only_its_row(tmp_path):
    head = b"bedrag;signaaldatum;achternaam;postcode;huisnummer\r\n"
    data = head + b'"' + b"x" * 200_000 + b'";1;2;3;4\r\n45;2026-04-01;Smit;3511AB;12\r\n'
    rows = read(write(tmp_path, data))
    assert "__error__" in rows[0].fields
    assert rows[-1].fields["achternaam"] == "Smit"


# --- JSON ---------------------------------------------------------------------------------


def test_json_vroegsignalen_document(tmp_path):
    document = {
        "vroegsignalen": [
            {
                "ID": "E-1",
                "crisissignaal": True,
                "bedrag": 123.45,
                "signaaldatum": "2026-04-01",
                "signaalpartner": {"type": "Energie", "naam": "Stroom BV"},
                "client": {"Achternaam": "Jansen", "Postcode": "3511AB", "Huisnummer": "12"},
                "contact": {"telefoonnummer": "0612345678", "email": "j@example.nl"},
            }
        ]
    }
    delivery = open_delivery(write(tmp_path, json.dumps(document).encode(), "d.json"))
    (row,) = list(delivery.rows)
    assert delivery.municipality_code is None
    assert row.number == 1
    assert row.fields["id"] == "E-1"
    assert row.fields["crisissignaal"] == "ja"
    assert row.fields["bedrag"] == "123.45"
    assert row.fields["signaalpartner"] == "Energie"
    assert row.fields["partner_naam"] == "Stroom BV"
    assert row.fields["achternaam"] == "Jansen"
    assert row.fields["telefoonnummer"] == "0612345678"
    assert row.fields["email"] == "j@example.nl"
    assert row.raw == document["vroegsignalen"][0]


def test_json_bare_list_with_bom(tmp_path):
    items = [
        {"bedrag": "45", "signaalpartner": "Huur", "client": {"achternaam": "A"}},
        "not an object",
    ]
    data = b"\xef\xbb\xbf  \n" + json.dumps(items).encode()
    rows = read(write(tmp_path, data, "list.json"))
    assert [r.number for r in rows] == [1, 2]
    assert rows[0].fields["signaalpartner"] == "Huur"
    assert rows[0].fields["achternaam"] == "A"
    assert rows[1].fields == {"__error__": "a signal must be a JSON object"}


def test_ddas_example_document(tmp_path):
    delivery = open_delivery(write(tmp_path, json.dumps(DDAS_EXAMPLE).encode(), "ddas.json"))
    assert delivery.municipality_code == "0518"
    (row,) = list(delivery.rows)
    assert row.fields["id"] == "VS-2025-0001"
    assert row.fields["signaalpartner"] == "Energie"
    assert row.fields["bedrag"] == "450"
    assert row.fields["crisissignaal"] == "nee"
    assert row.fields["bsn"] == "123456789"
    assert row.fields["voorletters"] == "A."
    assert row.fields["voorvoegsel"] == "van"
    assert row.fields["achternaam"] == "Dijk"
    assert row.fields["postcode"] == "1234AB"
    assert row.fields["huisnummer"] == "10"
    assert row.fields["huisnummertoevoeging"] == "A"
    assert row.fields["plaatsnaam"] == "Voorbeeldstad"


def test_ddas_document_for_several_municipalities_is_rejected(tmp_path):
    # As DDAS's meervoudigVoorbeeld.json: one delivery for 0518, one for 0307. Taking the first
    # gemeentecode for all would import Amersfoort's residents into The Hague.
    document = json.loads(json.dumps(DDAS_EXAMPLE))
    second = json.loads(json.dumps(document["leveringen"][0]))
    second["gemeentecode"] = "0307"
    second["vroegsignalen"][0]["ID"] = "VS-2025-0002"
    document["leveringen"].append(second)
    with pytest.raises(FileRejected, match=r"several municipalities \(0518, 0307\)"):
        open_delivery(write(tmp_path, json.dumps(document).encode(), "multi.json"))
    document["leveringen"][1]["gemeentecode"] = "0518"
    delivery = open_delivery(write(tmp_path, json.dumps(document).encode(), "multi.json"))
    assert delivery.municipality_code == "0518"
    assert [r.fields["id"] for r in delivery.rows] == ["VS-2025-0001", "VS-2025-0002"]


@pytest.mark.django_db
def test_ddas_example_imports(tmp_path, municipality, now):
    # The example's BSN 123456789 fails the eleven-test: the signal is rejected on that alone.
    delivery = open_delivery(write(tmp_path, json.dumps(DDAS_EXAMPLE).encode(), "ddas.json"))
    report = import_rows(delivery.rows, municipality=municipality, now=now)
    assert report.rejections == [
        {"row": 1, "field": "bsn", "reason": "not a BSN: it fails the eleven-test"}
    ]
    fixed = json.loads(json.dumps(DDAS_EXAMPLE))
    fixed["leveringen"][0]["vroegsignalen"][0]["client"]["Burgerservicenummer"] = "111222333"
    delivery = open_delivery(write(tmp_path, json.dumps(fixed).encode(), "ddas.json"))
    report = import_rows(delivery.rows, municipality=municipality, now=now)
    assert (report.accepted, report.rejected) == (1, 0)
    signal = Signal.objects.get()
    assert signal.partner_ref == "VS-2025-0001"
    assert signal.household.key == "1234AB|10|A"
    assert open_(signal.person.bsn_encrypted) == "111222333"
    assert "111222333" not in signal.raw


def test_invalid_json_names_line_and_column(tmp_path):
    data = b'{"vroegsignalen": [\n  {"bedrag": 45,}\n]}'
    with pytest.raises(FileRejected, match=r"not valid JSON: .*\(line 2, column 17\)"):
        read(write(tmp_path, data, "bad.json"))


def test_json_of_the_wrong_shape_is_rejected(tmp_path):
    with pytest.raises(FileRejected, match="vroegsignalen"):
        read(write(tmp_path, b'{"signals": []}', "wrong.json"))


def test_json_not_utf8_is_rejected(tmp_path):
    data = '[{"achternaam": "Müller"}]'.encode("cp1252")
    with pytest.raises(FileRejected, match="UTF-8"):
        read(write(tmp_path, data, "cp.json"))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"[" * 100_000, id="deeply-nested"),
        pytest.param(b'[{"bedrag": ' + b"9" * 5000 + b"}]", id="huge-integer"),
    ],
)
def test_hostile_json_is_rejected(tmp_path, data):
    with pytest.raises(FileRejected):
        read(write(tmp_path, data, "hostile.json"))


@pytest.mark.django_db
def test_json_nul_and_lone_surrogate_do_not_break_storage(tmp_path, municipality, now):
    document = {
        "vroegsignalen": [
            {
                "ID": "N-1",
                "bedrag": "80",
                "signaaldatum": "2026-04-01",
                "signaalpartner": "Water",
                "opmerking": "a\x00b \ud800",
                "client": {"Achternaam": "Ja\x00nsen", "Postcode": "3511AB", "Huisnummer": "3"},
            }
        ]
    }
    data = json.dumps(document).encode()  # ensure_ascii keeps the escapes as \u0000, \ud800
    report = import_rows(
        read(write(tmp_path, data, "nul.json")), municipality=municipality, now=now
    )
    assert (report.accepted, report.rejected) == (1, 0)
    signal = Signal.objects.get()
    assert signal.person.surname == "Jansen"
    assert stored_raw(signal)["opmerking"] == "ab ?"


# --- nothing but FileRejected, whatever the bytes -------------------------------------------

fuzz_settings = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@fuzz_settings
@given(data=st.binary(max_size=2000))
def test_random_bytes_only_ever_reject_the_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "random.csv"
    path.write_bytes(data)
    assert_only_file_rejected(path)


@fuzz_settings
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"bedrag;signaaldatum;achternaam;postcode;"]),
    data=st.binary(max_size=2000),
)
def test_random_bytes_after_a_plausible_start(tmp_path_factory, prefix, data):
    path = tmp_path_factory.mktemp("fuzz") / "random.csv"
    path.write_bytes(prefix + data)
    assert_only_file_rejected(path)


@pytest.mark.parametrize(
    "seed_prefix", [b"", b"{", b"[", VALID_CSV[:80]], ids=["bare", "object", "list", "csv-header"]
)
def test_ten_kilobytes_of_urandom(tmp_path, seed_prefix):
    for attempt in range(5):
        path = write(tmp_path, seed_prefix + os.urandom(10 * 1024), f"urandom{attempt}.csv")
        assert_only_file_rejected(path)


@fuzz_settings
@given(source=st.sampled_from([VALID_CSV, VALID_JSON]), data=st.data())
def test_truncated_files_only_ever_reject_the_file(tmp_path_factory, source, data):
    cut = data.draw(st.integers(min_value=0, max_value=len(source)), label="cut")
    path = tmp_path_factory.mktemp("cut") / "cut.dat"
    path.write_bytes(source[:cut])
    rows = assert_only_file_rejected(path)
    if source is VALID_CSV and rows is not None:
        assert len(rows) <= 3
    if cut == len(source):
        assert rows is not None and len(rows) == 3


def _import_report(path: Path, municipality, now):
    try:
        delivery = open_delivery(path)
        return import_rows(delivery.rows, municipality=municipality, now=now)
    except FileRejected:
        return None


def _check_report(report, max_rows: int | None = None) -> None:
    if report is None:
        return
    assert report.rejected >= 0 and report.accepted >= 0
    for item in report.rejections:
        assert set(item) == {"row", "field", "reason"}
        assert isinstance(item["row"], int) and item["row"] >= 1
        assert item["reason"]
    if report.rejected:
        assert report.rejections
    if max_rows is not None:
        assert report.accepted + report.rejected + report.duplicates <= max_rows


db_fuzz_settings = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.django_db
@db_fuzz_settings
@given(source=st.sampled_from([VALID_CSV, VALID_JSON]), data=st.data())
def test_truncated_files_through_import_give_a_report(
    tmp_path_factory, municipality, now, source, data
):
    cut = data.draw(st.integers(min_value=0, max_value=len(source)), label="cut")
    path = tmp_path_factory.mktemp("cut") / "cut.dat"
    path.write_bytes(source[:cut])
    _check_report(_import_report(path, municipality, now), max_rows=3)


@pytest.mark.django_db
@db_fuzz_settings
@given(
    prefix=st.sampled_from([b"", VALID_CSV[: VALID_CSV.index(b"\n") + 1], b"[{", b"{"]),
    data=st.binary(max_size=1500),
)
def test_random_bytes_through_import_give_a_report(
    tmp_path_factory, municipality, now, prefix, data
):
    path = tmp_path_factory.mktemp("fuzz") / "random.dat"
    path.write_bytes(prefix + data)
    _check_report(_import_report(path, municipality, now))


@pytest.mark.django_db
def test_urandom_rows_under_a_valid_header_are_reported(tmp_path, municipality, now):
    header = VALID_CSV[: VALID_CSV.index(b"\n") + 1]
    body = os.urandom(10 * 1024)
    report = _import_report(write(tmp_path, header + body), municipality, now)
    assert report is not None
    _check_report(report)
    assert report.accepted == 0
    assert report.rejected >= 1


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (450, "450"),
        (45.5, "45.50"),
        (1234.56, "1234.56"),
        (45.125, "45.125 (more than two decimals)"),
    ],
)
def test_json_numbers_are_not_read_as_dutch_notation(tmp_path, number, text):
    items = [{"bedrag": number, "signaalpartner": {"type": "Huur"}}]
    (row,) = read(write(tmp_path, json.dumps(items).encode(), "numbers.json"))
    assert row.fields["bedrag"] == text


@pytest.mark.django_db
def test_json_amount_with_three_decimals_is_rejected_not_multiplied(tmp_path, municipality, now):
    item = {
        "ID": "J1",
        "bedrag": 45.125,
        "signaaldatum": "2026-04-01",
        "signaalpartner": {"type": "Huur"},
        "client": {"Achternaam": "Jansen", "Postcode": "3511AB", "Huisnummer": "12"},
    }
    path = write(tmp_path, json.dumps({"vroegsignalen": [item]}).encode(), "amount.json")
    report = import_rows(open_delivery(path).rows, municipality=municipality, now=now)
    assert report.accepted == 0
    assert report.rejections[0]["field"] == "bedrag"
    assert not Signal.objects.exists()
