"""Screening sources: current debt-help clients and the population register (BRP).

Both are pluggable (settings name the class). The defaults read local tables that
`outreach import-clients` and `outreach import-register` load; a Haal Centraal BRP adapter can
replace the register by implementing the same `check` method.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from django.conf import settings
from django.utils.module_loading import import_string

from outreach.core import bulk
from outreach.core.bsn import Keyring, keyring
from outreach.core.models import Municipality
from outreach.intake.models import DebtHelpClient, RegisterEntry
from outreach.intake.validation import surname_core


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """What a signal tells about the person, enough to look them up.

    `bsn` is the plain number, in memory only (a source such as a BRP service asks by it); the
    local tables hold it encrypted and are looked up by `bsn_indexes`, its blind index under
    every key (outreach.core.bsn), which the intake works out once per signal."""

    bsn: str = field(repr=False)  # never in a repr, so never in a log or traceback
    address_key: str
    surname: str
    birth_date: date | None
    bsn_indexes: tuple[str, ...] = ()

    def indexes(self, keys: Keyring) -> tuple[str, ...]:
        """The BSN's blind indexes (none without a BSN)."""
        if not self.bsn:
            return ()
        return self.bsn_indexes or keys.indexes(self.bsn)


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
    indexes: tuple[str, ...], query: PersonQuery, row: DebtHelpClient | RegisterEntry
) -> bool:
    """BSN decides when both sides have one (`indexes`: the query's blind indexes); otherwise
    address, surname and birth date."""
    if indexes and row.bsn_index:
        return row.bsn_index in indexes
    if query.address_key != row.address_key:
        return False
    if surname_core(query.surname) != surname_core(row.surname):
        return False
    return query.birth_date is None or row.birth_date is None or query.birth_date == row.birth_date


def _candidates(
    model: type[T], municipality: Municipality, people: Sequence[PersonQuery], keys: Keyring
) -> tuple[dict[str, list[T]], list[tuple[str, ...]]]:
    """The rows that may be these people, by blind index and by address; and each person's
    blind indexes."""
    indexes = [p.indexes(keys) for p in people]
    wanted = list({i for person in indexes for i in person})
    addresses = list({p.address_key for p in people})
    fields = ["id", "bsn_index", "address_key", "surname", "birth_date"]
    if model is RegisterEntry:
        fields += ["deceased_on", "minors_in_household"]
    rows = bulk.select(
        f"SELECT {', '.join(fields)} FROM {bulk.table(model)} "
        "WHERE municipality_id = %s AND (bsn_index = ANY(%s) OR address_key = ANY(%s))",
        [municipality.pk, wanted, addresses],
    )
    found: dict[str, list[T]] = {}
    for values in rows:
        data = dict(zip(fields, values, strict=True))
        for name in ("birth_date", "deceased_on"):
            if name in data:
                data[name] = bulk.as_date(data[name])
        row = model(municipality=municipality, **data)
        if row.bsn_index:
            found.setdefault("bsn:" + row.bsn_index, []).append(row)
        found.setdefault(row.address_key, []).append(row)
    return found, indexes


def _matches(query: PersonQuery, indexes: tuple[str, ...], found: dict[str, list[T]]) -> list[T]:
    pool = [row for index in indexes for row in found.get("bsn:" + index, [])]
    pool += found.get(query.address_key, [])
    return [row for row in pool if same_person(indexes, query, row)]


class LocalDebtHelpClients:
    def known(self, municipality: Municipality, people: Sequence[PersonQuery]) -> list[bool]:
        found, indexes = _candidates(DebtHelpClient, municipality, people, keyring())
        return [bool(_matches(p, i, found)) for p, i in zip(people, indexes, strict=True)]


class LocalPopulationRegister:
    """The local register copy. An empty register for a municipality means: not checked."""

    def check(
        self, municipality: Municipality, people: Sequence[PersonQuery]
    ) -> list[RegisterOutcome]:
        if not RegisterEntry.objects.filter(municipality=municipality).exists():
            return [RegisterOutcome(Residency.UNKNOWN)] * len(people)
        found, indexes = _candidates(RegisterEntry, municipality, people, keyring())
        outcomes = []
        for person, person_indexes in zip(people, indexes, strict=True):
            matches = _matches(person, person_indexes, found)
            if not matches:
                outcomes.append(RegisterOutcome(Residency.NOT_RESIDENT))
                continue
            # The BSN decides when it matches; otherwise a living match wins: a deceased
            # namesake at the address must not close the case.
            by_bsn = [m for m in matches if m.bsn_index and m.bsn_index in person_indexes]
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
