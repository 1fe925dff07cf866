"""Loading the local screening sources: debt-help clients and the population register copy.

Each load replaces the municipality's previous snapshot; bad rows are reported, good rows kept.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from django.db import transaction

from outreach.core import audit
from outreach.core.bsn import bsn_fields
from outreach.core.models import Municipality
from outreach.intake.listing import add_listed, listed_limit, listing_note
from outreach.intake.models import DebtHelpClient, RegisterEntry
from outreach.intake.parsing import (
    ParseError,
    normalise_postcode,
    parse_bsn,
    parse_house_number,
)
from outreach.intake.readers import RawRow, read_csv_file
from outreach.intake.validation import Finding, household_key, parse_personal_date

PERSON_COLUMNS = ("achternaam", "postcode", "huisnummer")
CLIENT_COLUMNS = frozenset(
    {"bsn", "achternaam", "geboortedatum", "postcode", "huisnummer", "huisnummertoevoeging"}
)
CHUNK = 5000  # rows stored at a time: a large register never sits in memory whole
REGISTER_COLUMNS = CLIENT_COLUMNS | {
    "voorletters",
    "voorvoegsel",
    "overlijdensdatum",
    "minderjarigen",
}


@dataclass
class LoadReport:
    """The first `listed` rejections are listed, all of them counted."""

    loaded: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)
    rejections_total: int = 0
    listed: int = field(default_factory=listed_limit)

    def reject(self, findings: list[Finding]) -> None:
        self.rejected += 1
        self.rejections_total += add_listed(self.rejections, findings, self.listed)

    def as_dict(self) -> dict[str, Any]:
        report = {
            "loaded": self.loaded,
            "rejected": self.rejected,
            "rejections": self.rejections,
            "rejections_total": self.rejections_total,
        }
        note = listing_note(self.listed, rejections=(len(self.rejections), self.rejections_total))
        if note:
            report["note"] = note
        return report


@dataclass
class PersonRow:
    bsn: str = field(repr=False)  # never in a repr, so never in a log or traceback
    address_key: str
    surname: str
    birth_date: Any
    extra: dict[str, Any]


def _person_row(row: RawRow, errors: list[Finding]) -> PersonRow | None:
    f = row.fields
    if "__error__" in f:
        errors.append(Finding(row.number, "row", f["__error__"]))
        return None
    values: dict[str, Any] = {}

    def take(name: str, parser: Callable[[str], Any], required: bool = False) -> None:
        text = f.get(name, "").strip()
        if not text:
            if required:
                errors.append(Finding(row.number, name, "required, but empty"))
            values[name] = None
            return
        try:
            values[name] = parser(text)
        except ParseError as exc:
            errors.append(Finding(row.number, name, str(exc)))

    take("bsn", parse_bsn)
    take("geboortedatum", parse_personal_date)
    take("postcode", normalise_postcode, required=True)
    take("overlijdensdatum", parse_personal_date)
    surname = f.get("achternaam", "").strip()
    if not surname:
        errors.append(Finding(row.number, "achternaam", "required, but empty"))
    house = None
    try:
        house = parse_house_number(f.get("huisnummer", ""), f.get("huisnummertoevoeging", ""))
    except ParseError as exc:
        errors.append(Finding(row.number, "huisnummer", str(exc)))
    minors_text = f.get("minderjarigen", "").strip()
    minors = None
    if minors_text:
        if minors_text.isdigit() and int(minors_text) < 30:
            minors = int(minors_text)
        else:
            errors.append(Finding(row.number, "minderjarigen", f"{minors_text!r} is not a count"))
    if errors or house is None:
        return None
    return PersonRow(
        bsn=values["bsn"] or "",
        address_key=household_key(values["postcode"], house[0], house[1]),
        surname=surname[:200],
        birth_date=values["geboortedatum"],
        extra={"deceased_on": values["overlijdensdatum"], "minors": minors},
    )


def _load(
    path: Path,
    known: frozenset[str],
    build: Callable[[PersonRow], Any],
    model: Any,
    municipality: Municipality,
    name: str,
) -> LoadReport:
    report = LoadReport()
    rows = read_csv_file(path, PERSON_COLUMNS, known)
    with transaction.atomic():
        # The file is read in chunks inside the transaction: a file rejected on its header
        # (read on the first row) or halfway leaves the previous snapshot as it was.
        first = next(rows, None)
        model.objects.filter(municipality=municipality).delete()
        chunk: list[Any] = []
        for row in chain([first] if first is not None else [], rows):
            errors: list[Finding] = []
            person = _person_row(row, errors)
            if person is None:
                report.reject(errors)
                continue
            chunk.append(build(person))
            if len(chunk) >= CHUNK:
                report.loaded += len(model.objects.bulk_create(chunk))
                chunk = []
        report.loaded += len(model.objects.bulk_create(chunk))
        # Who and what, never the rows: the file's kind and its counts, in the same commit.
        audit.record(
            None, audit.Action.IMPORTED, audit.Kind.FILE, 0, municipality,
            f"{name}: {report.loaded} geladen, "
            f"{report.rejected} afgekeurd",
        )  # fmt: skip
    return report


def load_clients(path: Path, municipality: Municipality) -> LoadReport:
    return _load(
        path,
        CLIENT_COLUMNS,
        lambda p: DebtHelpClient(
            municipality=municipality,
            **bsn_fields(p.bsn),
            address_key=p.address_key,
            surname=p.surname,
            birth_date=p.birth_date,
        ),
        DebtHelpClient,
        municipality,
        "klantenbestand schuldhulp",
    )


def load_register(path: Path, municipality: Municipality) -> LoadReport:
    return _load(
        path,
        REGISTER_COLUMNS,
        lambda p: RegisterEntry(
            municipality=municipality,
            **bsn_fields(p.bsn),
            address_key=p.address_key,
            surname=p.surname,
            birth_date=p.birth_date,
            deceased_on=p.extra["deceased_on"],
            minors_in_household=p.extra["minors"],
        ),
        RegisterEntry,
        municipality,
        "bestand basisregistratie",
    )
