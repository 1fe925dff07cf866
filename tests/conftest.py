"""Shared fixtures for the integration tests (run against PostgreSQL via DATABASE_URL)."""

import csv
import io
import itertools
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from outreach.core.models import ContactPerson, Municipality
from outreach.core.municipalities import PERSON_KEYS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of concurrent writers need PostgreSQL; the embedded SQLite skips them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def celery_in_process() -> Any:
    """Tasks run in the test's own process, as in the embedded default, even where REDIS_URL
    is set (CI): only the reliability tests use real workers, and they say so."""
    from outreach.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture(autouse=True)
def empty_cache() -> Any:
    """Each test starts with an empty cache (the dashboard keeps its figures there)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def data_files(tmp_path: Path, settings: Any) -> None:
    """The file outbox and the print folder of each test are its own (never the real var/)."""
    settings.OUTREACH_OUTBOX_FILE = tmp_path / "data" / "outbox.jsonl"
    settings.OUTREACH_PRINT_DIR = tmp_path / "data" / "print"


AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_refs = itertools.count(1)


# What every text needs (outreach.core.municipalities.REQUIRED_CONTACT): without it no
# campaign starts and no text is made. worker_name and worker_phone are the default contact
# person (a ContactPerson), reply_number is in Municipality.contact.
CONTACT = {
    "worker_name": "Sanne de Vries",
    "worker_phone": "030 286 1000",
    "reply_number": "+3197010000001",
}


def municipality_with_contact(
    code: str, name: str, contact: dict[str, Any] | None = None
) -> Municipality:
    """A municipality with every detail of CONTACT (or `contact`): its letterhead and its
    default contact person."""
    place = Municipality.objects.create(code=code, name=name)
    return set_contact(place, CONTACT if contact is None else contact)


def set_contact(place: Municipality, contact: dict[str, Any]) -> Municipality:
    """Give `place` these contact details, written as the contact JSON once held them: the
    letterhead keys go to `Municipality.contact`, worker_name and worker_phone (when both are
    given) make its default contact person, in place of the one before."""
    place.contact = {k: v for k, v in contact.items() if k not in PERSON_KEYS}
    place.save()
    ContactPerson.objects.filter(municipality=place, is_default=True).delete()
    name = str(contact.get("worker_name") or "").strip()
    phone = str(contact.get("worker_phone") or "").strip()
    if name and phone:
        ContactPerson.objects.create(municipality=place, name=name, phone=phone, is_default=True)
    return place


@pytest.fixture
def municipality(db) -> Municipality:
    return municipality_with_contact("0344", "Utrecht")


@pytest.fixture
def now() -> datetime:
    """Friday 15 May 2026, 09:00 in Amsterdam: after every signal date the tests use."""
    return datetime(2026, 5, 15, 9, 0, tzinfo=AMSTERDAM)


def signal_row(**values: Any) -> dict[str, str]:
    """A valid signal row (formats/signals.md); keyword arguments replace or add columns."""
    row = {
        "id": f"REF-{next(_refs)}",
        "signaalpartner": "Energie",
        "partner_naam": "Stroom BV",
        "bedrag": "250,00",
        "ontstaansdatum": "2026-03-01",
        "signaaldatum": "2026-04-01",
        "crisissignaal": "nee",
        "bsn": "",
        "voorletters": "J.",
        "voornaam": "Jan",
        "voorvoegsel": "",
        "achternaam": "Jansen",
        "geboortedatum": "1980-02-03",
        "straatnaam": "Kerkstraat",
        "plaatsnaam": "Utrecht",
        "postcode": "3511AB",
        "huisnummer": "12",
        "huisnummertoevoeging": "",
        "telefoonnummer": "06 12345678",
        "email": "jan@example.nl",
        "klantnummer": "",
    }
    row.update({k: str(v) for k, v in values.items()})
    return row


def stored_raw(signal: Any) -> dict[str, Any]:
    """The row a signal was delivered as: Signal.raw holds it as JSON (an object, or its text)."""
    raw = signal.raw
    return json.loads(raw) if isinstance(raw, str) else raw


def csv_bytes(
    rows: list[dict[str, str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    columns: list[str] | None = None,
) -> bytes:
    """Rows as CSV: the header is `columns`, or the keys of all rows in first-seen order."""
    header = columns or list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """write_csv(rows, name="signals.csv", delimiter=";", encoding="utf-8", bom=False)."""

    def write(
        rows: list[dict[str, str]],
        name: str = "signals.csv",
        *,
        delimiter: str = ";",
        encoding: str = "utf-8",
        bom: bool = False,
        columns: list[str] | None = None,
    ) -> Path:
        data = csv_bytes(rows, delimiter=delimiter, encoding=encoding, columns=columns)
        path = tmp_path / name
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
        return path

    return write


@pytest.fixture
def run_command() -> Callable[..., str]:
    """run_command("import-signals", path, "--json"): the command's stdout as text."""

    def run(name: str, *args: Any, **options: Any) -> str:
        out = io.StringIO()
        call_command(name.replace("-", "_"), *[str(a) for a in args], stdout=out, **options)
        return out.getvalue()

    return run
