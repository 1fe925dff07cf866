"""Screening sources: current debt-help clients and the population register (BRP).

Both are pluggable (settings name the class). The defaults read local tables that
`outreach import-clients` and `outreach import-register` load; a Haal Centraal BRP adapter can
replace the register by implementing the same `check` method.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, TypeVar

from django.conf import settings
from django.utils.module_loading import import_string

from outreach.core import bulk
from outreach.core.models import Municipality
from outreach.intake.models import DebtHelpClient, RegisterEntry
from outreach.intake.validation import surname_core


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """What a signal tells about the person, enough to look them up."""

    bsn: str
    address_key: str
    surname: str
    birth_date: date | None


class Residency(enum.Enum):
    RESIDENT = "resident"
    NOT_RESIDENT = "not_resident"
    DECEASED = "deceased"
    UNKNOWN = "unknown"  # no register to check against


@dataclass(frozen=True, slots=True)
class RegisterOutcome:
    residency: Residency
    minors: int | None = None  # minor children in the household, when the register knows


T = TypeVar("T", DebtHelpClient, RegisterEntry)


class DebtHelpClients(Protocol):
    def known(self, municipality: Municipality, people: Sequence[PersonQuery]) -> list[bool]: ...


class PopulationRegister(Protocol):
    def check(
        self, municipality: Municipality, people: Sequence[PersonQuery]
    ) -> list[RegisterOutcome]: ...


def same_person(
    query: PersonQuery, bsn: str, address_key: str, surname: str, birth: date | None
) -> bool:
    """BSN decides when both sides have one; otherwise address, surname and birth date."""
    if query.bsn and bsn:
        return query.bsn == bsn
    if query.address_key != address_key or surname_core(query.surname) != surname_core(surname):
        return False
    return query.birth_date is None or birth is None or query.birth_date == birth


def _candidates(
    model: type[T], municipality: Municipality, people: Sequence[PersonQuery]
) -> dict[str, list[T]]:
    bsns = list({p.bsn for p in people if p.bsn})
    keys = list({p.address_key for p in people})
    fields = ["id", "bsn", "address_key", "surname", "birth_date"]
    if model is RegisterEntry:
        fields += ["deceased_on", "minors_in_household"]
    rows = bulk.select(
        f"SELECT {', '.join(fields)} FROM {bulk.table(model)} "
        "WHERE municipality_id = %s AND (bsn = ANY(%s) OR address_key = ANY(%s))",
        [municipality.pk, bsns, keys],
    )
    found: dict[str, list[T]] = {}
    for values in rows:
        data = dict(zip(fields, values, strict=True))
        for name in ("birth_date", "deceased_on"):
            if name in data:
                data[name] = bulk.as_date(data[name])
        row = model(municipality=municipality, **data)
        if row.bsn:
            found.setdefault("bsn:" + row.bsn, []).append(row)
        found.setdefault(row.address_key, []).append(row)
    return found


def _matches(query: PersonQuery, found: dict[str, list[T]]) -> list[T]:
    pool = found.get("bsn:" + query.bsn, []) if query.bsn else []
    pool = pool + found.get(query.address_key, [])
    return [r for r in pool if same_person(query, r.bsn, r.address_key, r.surname, r.birth_date)]


class LocalDebtHelpClients:
    def known(self, municipality: Municipality, people: Sequence[PersonQuery]) -> list[bool]:
        found = _candidates(DebtHelpClient, municipality, people)
        return [bool(_matches(p, found)) for p in people]


class LocalPopulationRegister:
    """The local register copy. An empty register for a municipality means: not checked."""

    def check(
        self, municipality: Municipality, people: Sequence[PersonQuery]
    ) -> list[RegisterOutcome]:
        if not RegisterEntry.objects.filter(municipality=municipality).exists():
            return [RegisterOutcome(Residency.UNKNOWN)] * len(people)
        found = _candidates(RegisterEntry, municipality, people)
        outcomes = []
        for person in people:
            matches = _matches(person, found)
            if not matches:
                outcomes.append(RegisterOutcome(Residency.NOT_RESIDENT))
                continue
            # The BSN decides when it matches; otherwise a living match wins: a deceased
            # namesake at the address must not close the case.
            by_bsn = [m for m in matches if person.bsn and m.bsn == person.bsn]
            entry = min(by_bsn or matches, key=lambda e: e.deceased_on is not None)
            residency = Residency.DECEASED if entry.deceased_on else Residency.RESIDENT
            outcomes.append(RegisterOutcome(residency, entry.minors_in_household))
        return outcomes


def debt_help_clients() -> DebtHelpClients:
    cls = import_string(settings.OUTREACH_CLIENT_SOURCE)
    source: DebtHelpClients = cls()
    return source


def population_register() -> PopulationRegister:
    cls = import_string(settings.OUTREACH_POPULATION_REGISTER)
    register: PopulationRegister = cls()
    return register
