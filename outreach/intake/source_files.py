"""Loading the local screening sources: debt-help clients and the population register copy.

Each load replaces the municipality's previous snapshot; bad rows are reported, good rows kept.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from outreach.core.bsn import bsn_fields
from outreach.core.models import Municipality
from outreach.intake.models import DebtHelpClient, RegisterEntry
from outreach.intake.parsing import (
    ParseError,
    normalise_postcode,
    parse_bsn,
    parse_date,
    parse_house_number,
)
from outreach.intake.readers import RawRow, read_csv_file
from outreach.intake.validation import Finding, household_key

PERSON_COLUMNS = ("achternaam", "postcode", "huisnummer")
CLIENT_COLUMNS = frozenset(
    {"bsn", "achternaam", "geboortedatum", "postcode", "huisnummer", "huisnummertoevoeging"}
)
REGISTER_COLUMNS = CLIENT_COLUMNS | {
    "voorletters",
    "voorvoegsel",
    "overlijdensdatum",
    "minderjarigen",
}


@dataclass
class LoadReport:
    loaded: int = 0
    rejected: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"loaded": self.loaded, "rejected": self.rejected, "rejections": self.rejections}


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
    take("geboortedatum", parse_date)
    take("postcode", normalise_postcode, required=True)
    take("overlijdensdatum", parse_date)
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
) -> LoadReport:
    report = LoadReport()
    objects = []
    for row in read_csv_file(path, PERSON_COLUMNS, known):
        errors: list[Finding] = []
        person = _person_row(row, errors)
        if person is None:
            report.rejected += 1
            report.rejections.extend(e.as_dict() for e in errors)
            continue
        objects.append(build(person))
    with transaction.atomic():
        model.objects.filter(municipality=municipality).delete()
        model.objects.bulk_create(objects, batch_size=5000)
    report.loaded = len(objects)
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
    )
