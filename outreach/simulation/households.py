"""The generated households a simulation approaches, and the partner files that name them.

Everything comes from the demo's synthetic population (outreach.demo.sample_data): a partner
mix, single, multiple and consecutive signals (about two thirds of the households that get a
signal get exactly one), ages, languages, mobile numbers and e-mail at the partners' rates,
and a population register and a debt-help client list to screen against. The same seed gives
the same rows, so every simulated municipality gets the same households: the comparison of
campaigns is paired.

Deliveries: a signal dated on a day reaches the municipality on the next working day, read in
that morning (a partner's daily file or its API). Signals are dated over the first part of the
period (`signal_days`), so that the last ones still have their statutory four weeks and the
campaign's closing inside the period.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from outreach.core.calendar import add_working_days
from outreach.core.private import private_dir
from outreach.demo.sample_data import (
    CLIENT_COLUMNS,
    DEMO_AREA,
    REGISTER_COLUMNS,
    SIGNAL_COLUMNS,
    SamplePopulation,
    write_csv,
)
from outreach.intake.readers import RawRow, read_csv_file
from outreach.simulation.response import ADULT, SENIOR, YOUNG, Person

# The days after the last signal that a case needs: its 28 days, and a week to close.
TAIL_DAYS = 35
# Young people up to 27 (the weighing framework's group); pensioners from the state pension
# age (AOW, 67).
YOUNG_UNTIL = 27
SENIOR_FROM = 67

Address = tuple[str, int]  # (postcode, house number): unique within a population


def signal_days(days: int) -> int:
    """Over how many days the signals are dated: all but the last TAIL_DAYS, and at least the
    first half of the period."""
    return max(1, days - TAIL_DAYS, days // 2)


def delivery_day(signal_day: date) -> date:
    """The working day after the signal's date: when the municipality reads it in."""
    return add_working_days(signal_day, 1)


def segment(born: date, on: date) -> str:
    """The response model's segment by age on `on`."""
    age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if age <= YOUNG_UNTIL:
        return YOUNG
    return SENIOR if age >= SENIOR_FROM else ADULT


@dataclass(frozen=True)
class Generated:
    """A simulation's households and files: the deliveries by day, and the response model's
    person per address (the household index is its key: the same in every municipality)."""

    deliveries: list[tuple[date, list[RawRow]]]
    persons: dict[Address, Person]
    register: Path
    clients: Path
    signals: int

    @property
    def households(self) -> int:
        return len(self.persons)


def generate(signals: int, start: date, days: int, seed: int, folder: Path) -> Generated:
    """`signals` signals dated from `start` over signal_days(days) days, written to `folder`
    (signals, register and client files, as a municipality would receive them) and read back
    as the intake reads a partner's file."""
    private_dir(folder)
    population = SamplePopulation(DEMO_AREA, households=max(signals, 1), seed=seed)
    end = start + timedelta(days=signal_days(days) - 1)
    records = list(population.signal_records(signals, start, end))
    indices = sorted({index for index, _ in records})
    path = folder / "signals.csv"
    write_csv(path, (row for _, row in records), SIGNAL_COLUMNS)
    register = folder / "register.csv"
    write_csv(register, population.register_rows(indices), REGISTER_COLUMNS)
    clients = folder / "clients.csv"
    known = [i for i in indices if population.household(i).debt_help_client]
    write_csv(clients, population.client_rows(known), CLIENT_COLUMNS)
    return Generated(
        deliveries=_by_delivery_day(read_csv_file(path), [row for _, row in records]),
        persons=_persons(population, indices, start),
        register=register,
        clients=clients,
        signals=len(records),
    )


def _by_delivery_day(
    rows: Iterable[RawRow], written: list[dict[str, str]]
) -> list[tuple[date, list[RawRow]]]:
    """The rows as read, grouped by the day they are delivered (from the rows as written: the
    partners write dates in several notations)."""
    days: dict[date, list[RawRow]] = defaultdict(list)
    for row, original in zip(rows, written, strict=True):
        days[delivery_day(_signal_date(original["signaaldatum"]))].append(row)
    return sorted(days.items())


def _signal_date(text: str) -> date:
    """A date as the sample partners write it: ISO, DD-MM-YYYY or DD/MM/YYYY."""
    if "-" in text and len(text.split("-")[0]) == 4:
        return date.fromisoformat(text)
    day, month, year = (int(part) for part in text.replace("/", "-").split("-"))
    return date(year, month, day)


def _persons(population: SamplePopulation, indices: list[int], on: date) -> dict[Address, Person]:
    persons = {}
    for index in indices:
        household = population.household(index)
        main = household.persons[0]
        persons[(household.postcode, household.huisnummer)] = Person(
            key=str(index), segment=segment(main.geboortedatum, on)
        )
    return persons
