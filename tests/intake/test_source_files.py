"""Loading the screening sources: debt-help clients and the population register copy."""

import json
from datetime import date

import pytest
from django.core.management import CommandError

from outreach.core.bsn import open_
from outreach.core.models import Municipality
from outreach.intake.models import DebtHelpClient, RegisterEntry
from outreach.intake.readers import FileRejected
from outreach.intake.source_files import load_clients, load_register

pytestmark = pytest.mark.django_db


def person(**values):
    row = {
        "bsn": "",
        "achternaam": "Jansen",
        "geboortedatum": "1980-02-03",
        "postcode": "3511AB",
        "huisnummer": "12",
        "huisnummertoevoeging": "",
    }
    row.update(values)
    return row


CLIENTS = [
    person(bsn="111222333"),
    person(achternaam="Smit", postcode="3511ZZ", bsn="123456789"),  # fails the eleven-test
    person(achternaam="de Vries", postcode="35 11 ab", huisnummer="7-b"),
    person(achternaam="", postcode=""),
    person(achternaam="Bakker", huisnummer="twaalf"),
]


@pytest.mark.parametrize("command", ["import-clients", "import-register"])
def test_bad_rows_are_reported_and_good_rows_kept(write_csv, run_command, municipality, command):
    path = write_csv(CLIENTS, "people.csv")
    report = json.loads(run_command(command, path, "--municipality", "0344", "--json"))
    assert report["loaded"] == 2
    assert report["rejected"] == 3
    assert [(r["row"], r["field"]) for r in report["rejections"]] == [
        (2, "bsn"),
        (4, "postcode"),
        (4, "achternaam"),
        (5, "huisnummer"),
    ]
    assert "eleven-test" in report["rejections"][0]["reason"]
    assert report["rejections"][1]["reason"] == "required, but empty"
    model = DebtHelpClient if command == "import-clients" else RegisterEntry
    stored = model.objects.filter(municipality=municipality).order_by("surname")
    assert [
        (p.surname, p.address_key, p.bsn_encrypted and open_(p.bsn_encrypted)) for p in stored
    ] == [
        ("Jansen", "3511AB|12|", "111222333"),
        ("de Vries", "3511AB|7|B", ""),
    ]
    assert stored[0].birth_date == date(1980, 2, 3)


def test_text_report_names_row_and_field(write_csv, run_command, municipality):
    path = write_csv(CLIENTS, "clients.csv")
    out = run_command("import-clients", path, "--municipality", "0344")
    assert "0344 Utrecht: loaded 2, rejected 3" in out
    assert "rejected row 2, bsn: not a BSN: it fails the eleven-test" in out
    assert "123456789" not in out  # a BSN with one wrong digit still names someone
    assert "rejected row 5, huisnummer:" in out


def test_register_fields(write_csv, municipality):
    path = write_csv(
        [
            person(overlijdensdatum="01-01-2026", minderjarigen="3"),
            person(achternaam="Kind", minderjarigen="veel"),
        ],
        "brp.csv",
    )
    report = load_register(path, municipality)
    assert (report.loaded, report.rejected) == (1, 1)
    assert report.rejections == [
        {"row": 2, "field": "minderjarigen", "reason": "'veel' is not a count"}
    ]
    entry = RegisterEntry.objects.get()
    assert entry.deceased_on == date(2026, 1, 1)
    assert entry.minors_in_household == 3


@pytest.mark.parametrize(
    ("loader", "model"), [(load_clients, DebtHelpClient), (load_register, RegisterEntry)]
)
def test_a_reload_replaces_the_snapshot(write_csv, municipality, loader, model):
    other = Municipality.objects.create(code="0307", name="Amersfoort")
    loader(write_csv([person(achternaam="Ander")], "other.csv"), other)
    loader(
        write_csv([person(achternaam="Oud"), person(achternaam="Ouder")], "first.csv"),
        municipality,
    )
    assert model.objects.filter(municipality=municipality).count() == 2

    report = loader(write_csv([person(achternaam="Nieuw")], "second.csv"), municipality)
    assert report.loaded == 1
    names = list(model.objects.filter(municipality=municipality).values_list("surname", flat=True))
    assert names == ["Nieuw"]
    # another municipality's snapshot is untouched
    assert list(model.objects.filter(municipality=other).values_list("surname", flat=True)) == [
        "Ander"
    ]


def test_a_rejected_file_keeps_the_previous_snapshot(write_csv, tmp_path, municipality):
    load_clients(write_csv([person(achternaam="Blijft")], "good.csv"), municipality)
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"bsn;achternaam\r\n111222333;Weg\r\n")
    with pytest.raises(FileRejected, match="postcode, huisnummer"):
        load_clients(broken, municipality)
    assert list(DebtHelpClient.objects.values_list("surname", flat=True)) == ["Blijft"]


def test_command_errors(write_csv, run_command, tmp_path, municipality):
    with pytest.raises(CommandError, match="cannot open"):
        run_command("import-register", tmp_path / "missing.csv", "--municipality", "0344")
    path = write_csv([person()], "c.csv")
    with pytest.raises(CommandError, match="no municipality with code '9999'"):
        run_command("import-clients", path, "--municipality", "9999")


def test_the_only_municipality_is_the_default(write_csv, run_command, municipality):
    out = run_command("import-clients", write_csv([person()], "c.csv"))
    assert "0344 Utrecht: loaded 1, rejected 0" in out
    assert DebtHelpClient.objects.get().municipality == municipality
