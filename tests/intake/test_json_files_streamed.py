"""JSON signal files are streamed (issue 12): a large delivery is read in bounded memory, a bad
signal is reported by its number beside the good ones, and a broken file is refused before any
row is taken, saying where without quoting it."""

import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from outreach.intake.models import Signal
from outreach.intake.readers import FileRejected, open_delivery

LARGE = 200_000


def signal(n: int) -> dict[str, Any]:
    return {
        "ID": f"S-{n}",
        "bedrag": "120,00",
        "signaaldatum": "2026-04-01",
        "signaalpartner": {"type": "Water"},
        "client": {"Achternaam": "Bakker", "Postcode": "3511AB", "Huisnummer": str(n)},
    }


def write_signals(
    path: Path, count: int, item: Callable[[int], Any] = signal, end: str = "\n]}\n"
) -> Path:
    """{"vroegsignalen": [...]} with one signal a line (signal n on line n + 1), written as it
    goes: the test holds no more of it than the reader should."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"gemeentecode": "0344", "vroegsignalen": [')
        for n in range(1, count + 1):
            out.write(("\n" if n == 1 else ",\n") + json.dumps(item(n)))
        out.write(end)
    return path


def every_thousandth_not_a_signal(n: int) -> Any:
    return "geen signaal" if n % 1000 == 0 else signal(n)


def test_a_large_json_delivery_is_read_in_bounded_memory(tmp_path):
    path = write_signals(tmp_path / "large.json", LARGE, every_thousandth_not_a_signal)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        delivery = open_delivery(path)
        rows = bad = 0
        bad_numbers = []
        for row in delivery.rows:
            rows += 1
            if "__error__" in row.fields:
                bad += 1
                if len(bad_numbers) < 3:
                    bad_numbers.append((row.number, row.fields["__error__"]))
            elif row.number == LARGE - 1:
                last_good = row
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Read whole, the file took several times its size (bytes, text and objects).
    assert size > 25 * 2**20
    assert peak < 2 * 2**20, f"peak {peak / 2**20:.1f} MB for a file of {size / 2**20:.0f} MB"
    assert delivery.municipality_code == "0344"
    assert (rows, bad) == (LARGE, LARGE // 1000)
    assert bad_numbers == [(n, "a signal must be a JSON object") for n in (1000, 2000, 3000)]
    assert last_good.fields["id"] == f"S-{LARGE - 1}"
    assert last_good.fields["huisnummer"] == str(LARGE - 1)


@pytest.mark.django_db
def test_valid_signals_beside_bad_ones_are_imported_and_the_bad_reported_by_number(
    tmp_path, run_command, municipality
):
    def item(n: int) -> Any:
        if n % 500 == 0:
            return "geen signaal"
        if n % 500 == 250:
            return {**signal(n), "bedrag": "veel"}
        return signal(n)

    path = write_signals(tmp_path / "mixed.json", 2_000, item)
    report = json.loads(run_command("import-signals", path, "--json"))
    assert (report["accepted"], report["rejected"]) == (1_992, 8)
    assert [(r["row"], r["field"]) for r in report["rejections"]] == [
        (250, "bedrag"),
        (500, "row"),
        (750, "bedrag"),
        (1000, "row"),
        (1250, "bedrag"),
        (1500, "row"),
        (1750, "bedrag"),
        (2000, "row"),
    ]
    assert Signal.objects.count() == 1_992
    assert not Signal.objects.filter(partner_ref__in=["S-250", "S-500"]).exists()


def test_a_broken_large_file_is_refused_before_any_row_saying_where(tmp_path):
    # Signal 20,000 lacks its closing brace: the next line's "{" stands where a key should.
    def item(n: int) -> Any:
        return (
            signal(n) if n != 20_000 else {"ID": "S-20000", "client": {"Achternaam": "Pietersen"}}
        )

    path = write_signals(tmp_path / "broken.json", 30_000, item)
    text = path.read_text().replace('"Pietersen"}}', '"Pietersen"}', 1)
    path.write_text(text)
    with pytest.raises(FileRejected) as refused:
        open_delivery(path)
    message = str(refused.value)
    assert message.startswith("not valid JSON: parse error: ")
    assert message.endswith("(line 20002, column 1)")
    assert "Pietersen" not in message  # the parser's own report quotes the text around it


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"vroegsignalen": [\n{"ID": "S-1"}\n', "parse error: premature EOF"),
        (b'[{"ID": "S-1"}] [', "parse error: trailing garbage"),
        (b'[\n  {"achternaam": Jansen}]', "lexical error: invalid char in json text. (line 2"),
        # yajl's report is bytes where its quote of the text is not UTF-8: still not quoted.
        (b'[\n  {"achternaam": Jansen}]\xc3', "lexical error: invalid char in json text. (line 2"),
        (b"[" * 5_000, "nested more than 100 levels deep"),
    ],
)
def test_a_file_that_is_not_json_is_refused_with_the_reason(tmp_path, data, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(FileRejected, match=r"^not valid JSON: ") as refused:
        open_delivery(path)
    assert reason in str(refused.value)
    assert "Jansen" not in str(refused.value)


@pytest.mark.django_db
def test_import_of_a_broken_file_stores_nothing(tmp_path, run_command, municipality):
    path = write_signals(tmp_path / "cut.json", 3_000, end="\n")  # the list is never closed
    with pytest.raises(CommandError, match=r"cut.json: not valid JSON: parse error: premature EOF"):
        run_command("import-signals", path)
    assert not Signal.objects.exists()
