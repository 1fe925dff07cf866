"""The `outreach` command line: dashes for underscores, JSON output, clear errors."""

import json
from datetime import date, datetime

import pytest
from django.core.management import CommandError
from django.db import connections
from django.utils import timezone

from outreach.casework.models import Case
from outreach.cli import main
from outreach.core.models import Municipality
from outreach.intake.integrity import dangling_references
from outreach.intake.models import Signal, SignalPartner
from outreach.intake.partners import token_digest
from tests.conftest import AMSTERDAM, signal_row

pytestmark = pytest.mark.django_db

REPORT_KEYS = {
    "accepted",
    "rejected",
    "duplicates",
    "warnings",
    "rejections",
    "warnings_total",
    "rejections_total",
}
CASE_KEYS = {
    "id",
    "household",
    "signals",
    "kind",
    "score",
    "tier",
    "reasons",
    "campaign",
    "received",
    "deadline",
    "state",
    "result",
}


@pytest.fixture
def keep_test_connection(monkeypatch):
    """A command run from the command line closes every connection when it ends; in a test
    that would close the connection that holds the test's transaction."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


@pytest.mark.usefixtures("keep_test_connection")
def test_add_municipality_with_dashes(capsys):
    main(["outreach", "add-municipality", "0307", "Amersfoort"])
    assert "municipality 0307 Amersfoort registered" in capsys.readouterr().out
    municipality = Municipality.objects.get(code="0307")
    assert municipality.name == "Amersfoort"
    assert municipality.thresholds == {}


@pytest.mark.usefixtures("keep_test_connection")
def test_add_municipality_with_thresholds_and_rename(capsys):
    main(["outreach", "add-municipality", "0307", "Amersfoort", "--threshold", "zorg=100"])
    main(["outreach", "add_municipality", "0307", "Gemeente Amersfoort"])
    municipality = Municipality.objects.get(code="0307")
    assert municipality.name == "Gemeente Amersfoort"
    assert municipality.thresholds == {"Zorg": 100}


@pytest.mark.usefixtures("keep_test_connection")
def test_add_municipality_with_arrears_days(capsys):
    main(["outreach", "add-municipality", "0307", "Amersfoort", "--arrears-days", "30-365"])
    municipality = Municipality.objects.get(code="0307")
    assert municipality.arrears_days == {"min": 30, "max": 365}
    assert (municipality.arrears_bounds().min, municipality.arrears_bounds().max) == (30, 365)
    main(["outreach", "add-municipality", "0307", "Amersfoort", "--arrears-days", "14-"])
    municipality.refresh_from_db()
    assert municipality.arrears_days == {"min": 14, "max": None}
    main(["outreach", "add-municipality", "0307", "Gemeente Amersfoort"])  # keeps the bounds
    municipality.refresh_from_db()
    assert municipality.arrears_days == {"min": 14, "max": None}


@pytest.mark.usefixtures("keep_test_connection")
def test_add_municipality_sets_capacity_quiet_hours_retention_and_window(capsys, settings):
    main([
        "outreach", "add-municipality", "0307", "Amersfoort", "--threshold", "huur=100",
        "--capacity", "phone=30", "--capacity", "visit=8", "--quiet-hours", "20:00-08:30",
        "--retention-days", "365", "--window-days", "10",
    ])  # fmt: skip
    place = Municipality.objects.get(code="0307")
    assert (place.thresholds, place.capacity) == ({"Huur": 100}, {"phone": 30, "visit": 8})
    assert (place.quiet_hours, place.retention_days, place.window_days) == ("20:00-08:30", 365, 10)
    assert (place.threshold_for("Huur"), place.capacity_for("visit")) == (100, 8)
    assert place.quiet_hours_in_force() == "20:00-08:30"
    assert (place.retention_days_in_force(), place.window_days_in_force()) == (365, 10)
    # A rename keeps them; one option changes one setting; "default" gives it back.
    main(["outreach", "add-municipality", "0307", "Gemeente Amersfoort", "--capacity", "phone=25"])
    place.refresh_from_db()
    assert place.capacity == {"phone": 25, "visit": 8} and place.window_days == 10
    main([
        "outreach", "add-municipality", "0307", "Amersfoort", "--quiet-hours", "default",
        "--retention-days", "default", "--window-days", "default",
    ])  # fmt: skip
    place.refresh_from_db()
    assert (place.quiet_hours, place.retention_days, place.window_days) == ("", None, None)
    settings.OUTREACH_QUIET_HOURS, settings.OUTREACH_RETENTION_DAYS = "22:00-07:00", 200
    settings.OUTREACH_WINDOW_DAYS = 9
    assert place.quiet_hours_in_force() == "22:00-07:00"
    assert (place.retention_days_in_force(), place.window_days_in_force()) == (200, 9)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add-municipality", "307", "Amersfoort"], "four digits"),
        (["add-municipality", "0307", "X", "--threshold", "Bakker=5"], "TYPE=EUROS"),
        (["add-municipality", "0307", "X", "--arrears-days", "30"], "use MIN-MAX in days"),
        (["add-municipality", "0307", "X", "--arrears-days", "dertig-60"], "use MIN-MAX"),
        (
            ["add-municipality", "0307", "X", "--arrears-days", "400-30"],
            "arrears_days: min (400) is more than max (30)",
        ),
        (
            ["add-municipality", "0307", "X", "--threshold", "Bakker=5"],
            "'Bakker' is not a partner type",
        ),
        (["add-municipality", "0307", "X", "--threshold", "Huur=veel"], "use TYPE=EUROS"),
        (["add-municipality", "0307", "X", "--capacity", "phone"], "use KIND=PER_DAY"),
        (["add-municipality", "0307", "X", "--capacity", "desk=3"], "KIND phone or visit"),
        (["add-municipality", "0307", "X", "--capacity", "visit=-2"], "use KIND=PER_DAY"),
        (["add-municipality", "0307", "X", "--quiet-hours", "21-8"], "use HH:MM-HH:MM"),
        (
            ["add-municipality", "0307", "X", "--quiet-hours", "25:00-08:00"],
            "is not a time of day",
        ),
        (
            ["add-municipality", "0307", "X", "--quiet-hours", "08:00-08:00"],
            "starts and ends at the same time",
        ),
        (
            ["add-municipality", "0307", "X", "--retention-days", "half"],
            "--retention-days 'half': use a whole number of days or default",
        ),
        (
            ["add-municipality", "0307", "X", "--retention-days", "0"],
            "--retention-days '0': must be from 1 to 3650 days",
        ),
        (
            ["add-municipality", "0307", "X", "--window-days", "400"],
            "--window-days '400': must be from 0 to 365 days",
        ),
    ],
)
@pytest.mark.usefixtures("keep_test_connection")
def test_add_municipality_errors_exit(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(["outreach", *argv])
    assert info.value.code == 1
    assert message in capsys.readouterr().err
    assert not Municipality.objects.exists()


@pytest.mark.usefixtures("keep_test_connection")
def test_add_contact_with_dashes_and_its_errors_exit(capsys):
    main(["outreach", "add-municipality", "0307", "Amersfoort", "--contact=worker_name=Sanne",
          "--contact=worker_phone=033 123 4567"])  # fmt: skip
    main(["outreach", "add-contact", "0307", "Iris de Boer", "--phone", "0331234568", "--default"])
    assert "Iris de Boer is the team's contact person of 0307 Amersfoort" in (
        capsys.readouterr().out
    )
    with pytest.raises(SystemExit) as info:
        main(["outreach", "add-contact", "0307", "Piet", "--phone", "12"])
    assert info.value.code == 1
    assert "phone: not a valid phone number" in capsys.readouterr().err
    people = Municipality.objects.get(code="0307").contact_people.order_by("name")
    assert [(p.name, p.is_default) for p in people] == [("Iris de Boer", True), ("Sanne", False)]


@pytest.mark.usefixtures("keep_test_connection")
def test_add_partner_prints_a_token_that_works(capsys, municipality):
    main(["outreach", "add-partner", "huur", "Woonstichting De Linde", "--municipality", "0344"])
    out = capsys.readouterr().out
    token = out.rsplit(": ", 1)[1].strip()
    partner = SignalPartner.objects.get()
    assert (partner.type, partner.name) == ("Huur", "Woonstichting De Linde")
    assert list(partner.municipalities.all()) == [municipality]
    assert partner.token_hash == token_digest(token)
    assert token not in partner.token_hash


def test_import_signals_json_report(write_csv, run_command, municipality, now):
    path = write_csv(
        [
            signal_row(id="A"),
            signal_row(id="B", postcode="nope"),
            signal_row(id="C", postcode="3512AB", email="kapot"),
            signal_row(id="A"),
        ]
    )
    out = run_command(
        "import-signals", path, "--municipality", "0344", "--json", "--now", now.isoformat()
    )
    report = json.loads(out)
    assert set(report) == REPORT_KEYS
    assert (report["accepted"], report["rejected"], report["duplicates"]) == (2, 1, 1)
    assert report["rejections"][0]["row"] == 2
    assert report["rejections"][0]["field"] == "postcode"
    assert report["warnings"] == [
        {
            "row": 3,
            "field": "email",
            "reason": "not an e-mail address: it has no @; dropped",
        }
    ]


@pytest.mark.usefixtures("keep_test_connection")
def test_import_signals_through_main(write_csv, capsys, municipality):
    path = write_csv([signal_row(id="A", achternaam="Müller")])
    main(["outreach", "import-signals", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert set(report) == REPORT_KEYS
    assert report["accepted"] == 1


def test_import_signals_text_report(write_csv, run_command, municipality):
    path = write_csv([signal_row(id="A"), signal_row(id="B", bedrag="0")])
    out = run_command("import-signals", path, "--municipality", "0344")
    assert "0344 Utrecht: accepted 1, rejected 1, duplicates 0, warnings 0" in out
    assert "rejected row 2, bedrag: '0' is zero" in out


def test_import_signals_ddas_document_names_the_municipality(tmp_path, run_command):
    Municipality.objects.create(code="0518", name="'s-Gravenhage")
    Municipality.objects.create(code="0344", name="Utrecht")
    document = {
        "leveringen": [
            {
                "gemeentecode": "0518",
                "vroegsignalen": [
                    {
                        "ID": "VS-1",
                        "bedrag": 450,
                        "signaaldatum": "2025-01-05",
                        "signaalpartner": {"type": "Energie"},
                        "client": {"Achternaam": "Dijk", "Postcode": "1234AB", "Huisnummer": "10"},
                    }
                ],
            }
        ]
    }
    path = tmp_path / "ddas.json"
    path.write_text(json.dumps(document))
    report = json.loads(run_command("import-signals", path, "--json"))
    assert report["accepted"] == 1
    assert Case.objects.get().municipality.code == "0518"


def test_cases_json(write_csv, run_command, municipality, now):
    path = write_csv(
        [
            signal_row(
                id="E-1", signaalpartner="Energie", huisnummer="12", huisnummertoevoeging="a"
            ),
            signal_row(id="H-1", signaalpartner="Huur", huisnummer="12-A"),
            signal_row(id="", signaalpartner="Water", postcode="3512CD", huisnummer="5"),
            signal_row(id="LOW", bedrag="10", postcode="3513EF", huisnummer="1"),
        ]
    )
    run_command("import-signals", path, "--json", "--now", now.isoformat())
    cases = json.loads(run_command("cases", "--json"))
    assert isinstance(cases, list)
    assert len(cases) == 3
    for case in cases:
        assert set(case) >= CASE_KEYS
    by_household = {case["household"]: case for case in cases}
    assert set(by_household) == {"3511AB 12A", "3512CD 5", "3513EF 1"}

    multiple = by_household["3511AB 12A"]
    assert sorted(multiple["signals"]) == ["E-1", "H-1"]
    assert multiple["kind"] == "multiple"
    # The 28 days count from the import (Friday 15 May), not from the signal date (1 April).
    assert multiple["received"] == "2026-05-15"
    assert multiple["deadline"] == "2026-06-12"
    assert multiple["state"] == "new"
    assert multiple["result"] is None
    assert multiple["tier"] == "high"
    assert multiple["campaign"] == "intensive"
    assert multiple["score"] == sum(r["weight"] for r in multiple["reasons"])
    assert {"rule": "multiple_partners", "weight": 30} in [
        {"rule": r["rule"], "weight": r["weight"]} for r in multiple["reasons"]
    ]
    assert multiple["id"] == Case.objects.get(household__key="3511AB|12|A").pk

    no_ref = by_household["3512CD 5"]
    assert no_ref["signals"] == [f"S{Case.objects.get(pk=no_ref['id']).signals.get().pk}"]

    closed = by_household["3513EF 1"]
    assert closed["state"] == "closed"
    assert closed["result"] == "Niet opgepakt: onterecht signaal"
    assert closed["received"] == "2026-05-15"
    assert cases[-1] is closed  # open cases first

    assert json.loads(run_command("cases", "--json", "--municipality", "0344")) == cases


def test_cases_text(write_csv, run_command, municipality, now):
    path = write_csv([signal_row(id="E-1", huisnummer="12", huisnummertoevoeging="b")])
    run_command("import-signals", path, "--now", now.isoformat())
    out = run_command("cases")
    (line,) = out.splitlines()
    assert "3511AB 12B" in line
    assert "deadline 2026-06-12" in line


def test_signals_taken_over_count_from_their_receipt(write_csv, run_command, municipality, now):
    # A file taken over from another system: the municipality received it on 2 April.
    path = write_csv([signal_row(id="E-1", signaaldatum="2026-04-01")])
    run_command("import-signals", path, "--now", now.isoformat(), "--received", "2026-04-02")
    (case,) = json.loads(run_command("cases", "--json"))
    assert (case["received"], case["deadline"]) == ("2026-04-02", "2026-04-30")
    assert timezone.localtime(Signal.objects.get().received_at) == datetime(
        2026, 4, 2, tzinfo=AMSTERDAM
    )


def test_a_receipt_date_that_cannot_be(write_csv, run_command, municipality, now):
    path = write_csv([signal_row(signaaldatum="2026-04-01")])
    with pytest.raises(CommandError, match=r"--received '2\.4\.2026': use an ISO date"):
        run_command("import-signals", path, "--now", now.isoformat(), "--received", "2.4.2026")
    with pytest.raises(CommandError, match=r"--received '2026-05-16' is after the import's time"):
        run_command("import-signals", path, "--now", now.isoformat(), "--received", "2026-05-16")
    assert not Signal.objects.exists()
    # A signal dated after the receipt is a bad row, reported; the others are kept.
    path = write_csv(
        [
            signal_row(id="OK", signaaldatum="2026-04-01"),
            signal_row(id="LATE", signaaldatum="2026-04-03"),
        ]
    )
    report = json.loads(
        run_command(
            "import-signals", path, "--json", "--now", now.isoformat(), "--received", "2026-04-02"
        )
    )
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["rejections"] == [
        {
            "row": 2,
            "field": "signaaldatum",
            "reason": "2026-04-03 is after the day the signal was received, 2026-04-02",
        }
    ]


def test_cases_json_empty(run_command, municipality):
    assert json.loads(run_command("cases", "--json")) == []


def test_missing_file_is_a_command_error(run_command, tmp_path, municipality):
    with pytest.raises(CommandError, match=r"missing\.csv: cannot open missing\.csv"):
        run_command("import-signals", tmp_path / "missing.csv", "--municipality", "0344")


def test_unknown_municipality_is_a_command_error(write_csv, run_command, municipality):
    path = write_csv([signal_row()])
    with pytest.raises(CommandError, match=r"no municipality with code '9999'.*add-municipality"):
        run_command("import-signals", path, "--municipality", "9999")
    with pytest.raises(CommandError, match="no municipality with code '9999'"):
        run_command("cases", "--municipality", "9999")


def test_several_municipalities_need_one_named(write_csv, run_command, municipality):
    Municipality.objects.create(code="0307", name="Amersfoort")
    with pytest.raises(CommandError, match="--municipality"):
        run_command("import-signals", write_csv([signal_row()]))


def test_unknown_partner_type_and_bad_time(write_csv, run_command, municipality):
    path = write_csv([signal_row()])
    with pytest.raises(CommandError, match="not a DDAS partner type"):
        run_command("import-signals", path, "--partner", "Bakker")
    with pytest.raises(CommandError, match="ISO date or time"):
        run_command("import-signals", path, "--now", "gisteren")
    with pytest.raises(CommandError, match="--partner-name is longer than 200"):
        run_command("import-signals", path, "--partner-name", "x" * 201)


@pytest.mark.usefixtures("keep_test_connection")
def test_command_error_through_main_exits(capsys, tmp_path, municipality):
    with pytest.raises(SystemExit) as info:
        main(["outreach", "import-signals", str(tmp_path / "missing.csv"), "--json"])
    assert info.value.code == 1
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "error": "cannot open missing.csv: No such file or directory"
    }
    assert "cannot open missing.csv" in captured.err


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_parallel_import_reports_like_a_single_pass(
    write_csv, run_command, municipality, now, workers
):
    # A partner re-sends every signal with a corrected address in the same file. Enough rows
    # that the workers' transactions overlap in time.
    count = 2000
    rows = [
        signal_row(id=f"R{n}", postcode=f"{1000 + n}AB", huisnummer=str(n % 50 + 1))
        for n in range(count)
    ]
    rows += [
        signal_row(id=f"R{n}", postcode=f"{5000 + n}CD", huisnummer=str(n % 50 + 2))
        for n in range(count)
    ]
    path = write_csv(rows)
    report = json.loads(
        run_command(
            "import-signals",
            path,
            "--workers",
            workers,
            "--json",
            "--now",
            now.isoformat(),
            "--received",
            "2026-05-01",
        )
    )
    assert (report["accepted"], report["duplicates"], report["rejected"]) == (count, count, 0)
    # Every worker stores the receipt moment and counts the deadline from it.
    received = {timezone.localdate(r) for r in Signal.objects.values_list("received_at", flat=True)}
    assert received == {date(2026, 5, 1)}
    assert set(Case.objects.values_list("deadline", flat=True)) == {date(2026, 5, 29)}
    assert set(dangling_references().values()) == {0}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_parallel_import_lists_the_same_first_rejections(
    write_csv, run_command, municipality, now, workers, settings
):
    # Each worker lists the first rejections of its own rows; together they are the first of
    # the file, in row order, and the totals are the file's.
    settings.OUTREACH_REPORT_MAX_LISTED = 30
    rows = [
        signal_row(id=f"B{n}", bedrag="veel", postcode=f"{1000 + n}AB", telefoonnummer="1")
        for n in range(200)
    ]
    path = write_csv(rows)
    report = json.loads(
        run_command(
            "import-signals", path, "--workers", workers, "--json", "--now", now.isoformat()
        )
    )
    assert (report["rejected"], report["rejections_total"], report["warnings_total"]) == (
        200,
        200,
        200,
    )
    assert [r["row"] for r in report["rejections"]] == list(range(1, 31))
    assert [r["row"] for r in report["warnings"]] == list(range(1, 31))
