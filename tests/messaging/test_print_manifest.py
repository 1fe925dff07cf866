"""The print house's manifest is opened in a spreadsheet: a name a partner delivered that starts
with a formula character comes out as text, never as a live formula (outreach.core.csvsafe)."""

import csv
from pathlib import Path

import pytest

from outreach.messaging.printing.batches import make_print_batches
from tests.cadence.conftest import ingest
from tests.conftest import signal_row
from tests.messaging.channels import at, letters

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("channel_campaign", "transports"),
]

FRIDAY = at("2026-05-15")
# Names a partner may deliver (intake keeps them as they are). A tab or carriage return cannot
# start the address cell (intake and the manifest strip each line); tests/core/test_csvsafe.py
# has the writer escape those too.
NAMES = ['=HYPERLINK("http://x","y")', "+31612345678", "-2+3", "@SUM(A1)"]


def test_names_that_start_a_formula_are_text_in_the_manifest(municipality, engine):
    # No first name or initials: the address's first line is the surname alone.
    rows = [
        signal_row(voornaam="", voorletters="", achternaam=name, huisnummer=str(10 + i))
        for i, name in enumerate([*NAMES, "Jansen"])
    ]
    ingest(rows, municipality, FRIDAY)
    engine(FRIDAY)
    firsts = sorted(letter.to.splitlines()[0] for letter in letters())
    assert firsts == sorted([*NAMES, "Jansen"])  # the letters carry the names as they are

    (batch,) = make_print_batches(at("2026-05-15", "15:00"))
    path = Path(batch.folder) / batch.csv_name
    with path.open(encoding="utf-8", newline="") as handle:
        manifest = list(csv.DictReader(handle, delimiter=";"))
    firsts = sorted(row["address"].split(" | ")[0] for row in manifest)
    assert firsts == sorted(["'" + name for name in NAMES] + ["Jansen"])
    assert all(row["batch"] == str(batch.pk) for row in manifest)  # plain cells stay as they are
