"""Reports of large deliveries list the first rejections and count them all (issue 12: a file
of 300,000 bad rows took 713 MB for its report)."""

import json

import pytest

from outreach.intake import source_files
from outreach.intake.models import RegisterEntry, Signal

pytestmark = pytest.mark.django_db

BAD_ROWS = 20_000


def bad_signal_file(tmp_path, rows=BAD_ROWS):
    """Rows with an unreadable amount and postcode: two rejections each."""
    lines = ["id;signaalpartner;bedrag;signaaldatum;achternaam;postcode;huisnummer"]
    lines += [f"B-{n};Huur;veel;2026-04-01;Jansen;nergens;12" for n in range(1, rows + 1)]
    path = tmp_path / "bad.csv"
    path.write_text("\r\n".join(lines) + "\r\n")
    return path


def test_import_signals_lists_the_first_rejections_and_says_the_total(
    tmp_path, run_command, municipality
):
    path = bad_signal_file(tmp_path)
    out = run_command("import-signals", path, "--municipality", "0344").splitlines()
    assert out[0] == f"{municipality}: accepted 0, rejected {BAD_ROWS}, duplicates 0, warnings 0"
    listed = [line for line in out if line.startswith("  rejected row ")]
    assert len(listed) == 100
    assert listed[0].startswith("  rejected row 1, bedrag: ")
    assert listed[-1].startswith("  rejected row 50, postcode: ")
    assert out[-1] == (
        f"  only the first 100 of {2 * BAD_ROWS} rejections are listed (at most 100 each)"
    )
    assert Signal.objects.count() == 0


def test_import_signals_json_report_is_bounded(tmp_path, run_command, municipality, settings):
    settings.OUTREACH_REPORT_MAX_LISTED = 10
    path = bad_signal_file(tmp_path)
    report = json.loads(run_command("import-signals", path, "--municipality", "0344", "--json"))
    assert report["rejected"] == BAD_ROWS
    assert report["rejections_total"] == 2 * BAD_ROWS
    assert [(r["row"], r["field"]) for r in report["rejections"]][:2] == [
        (1, "bedrag"),
        (1, "postcode"),
    ]
    assert len(report["rejections"]) == 10
    assert report["note"].startswith(f"only the first 10 of {2 * BAD_ROWS} rejections")


def test_a_short_report_has_no_note(write_csv, run_command, municipality):
    from tests.conftest import signal_row

    path = write_csv([signal_row(bedrag="veel"), signal_row(telefoonnummer="123")])
    report = json.loads(run_command("import-signals", path, "--municipality", "0344", "--json"))
    assert (report["rejections_total"], report["warnings_total"]) == (1, 1)
    assert len(report["rejections"]) == len(report["warnings"]) == 1
    assert "note" not in report


@pytest.mark.parametrize("command", ["import-clients", "import-register"])
def test_source_files_list_the_first_rejections(tmp_path, run_command, municipality, command):
    lines = ["bsn;achternaam;postcode;huisnummer"]
    lines += [f"12;Jansen;3511AB;{n}" for n in range(1, 151)]  # a BSN of two digits
    lines += ["111222333;Smit;3511AB;200"]
    path = tmp_path / "people.csv"
    path.write_text("\n".join(lines) + "\n")
    report = json.loads(run_command(command, path, "--municipality", "0344", "--json"))
    assert (report["loaded"], report["rejected"], report["rejections_total"]) == (1, 150, 150)
    assert len(report["rejections"]) == 100
    assert report["note"] == "only the first 100 of 150 rejections are listed (at most 100 each)"
    out = run_command(command, path, "--municipality", "0344").splitlines()
    assert sum(line.startswith("  rejected row") for line in out) == 100
    assert out[-1] == "  only the first 100 of 150 rejections are listed (at most 100 each)"


def test_the_register_is_stored_in_chunks(tmp_path, municipality, monkeypatch):
    monkeypatch.setattr(source_files, "CHUNK", 2)
    lines = ["achternaam;postcode;huisnummer"] + [f"Jansen;3511AB;{n}" for n in range(1, 8)]
    path = tmp_path / "register.csv"
    path.write_text("\n".join(lines) + "\n")
    report = source_files.load_register(path, municipality)
    assert report.loaded == 7
    assert RegisterEntry.objects.filter(municipality=municipality).count() == 7
    # Loading again replaces the snapshot; it does not add to it.
    assert source_files.load_register(path, municipality).loaded == 7
    assert RegisterEntry.objects.filter(municipality=municipality).count() == 7
