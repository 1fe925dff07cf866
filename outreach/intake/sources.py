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
from django.db.models import Q
from django.utils.module_loading import import_string

from outreach.core.models import Municipality
from outreach.intake.models import DebtHelpClient, RegisterEntry


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
    if query.address_key != address_key or query.surname.lower() != surname.lower():
        return False
    return query.birth_date is None or birth is None or query.birth_date == birth


def _candidates(
    model: type[T], municipality: Municipality, people: Sequence[PersonQuery]
) -> dict[str, list[T]]:
    bsns = {p.bsn for p in people if p.bsn}
    keys = {p.address_key for p in people}
    rows = model.objects.filter(municipality=municipality).filter(
        Q(bsn__in=bsns) | Q(address_key__in=keys)
    )
    found: dict[str, list[T]] = {}
    for row in rows:
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
            entry = matches[0]
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
