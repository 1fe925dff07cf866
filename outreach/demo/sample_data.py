"""Synthetic, deterministic sample data: signals, a population register and debt-help clients.

Everything here is made up. The town is "Voorbeeldstad"; names are common first names and
surnames combined at random; e-mail addresses use the reserved example.org/.net/.com domains;
mobile numbers are random numbers in the 06-1x..06-5x ranges. BSNs pass the eleven-test (the
importer demands it) and all start with 9; they are computed from the household index, so no
real person's data is attached to them.

The data feeds the demo (`make run` loads a few hundred signals) and the benchmark (a file of a
million signals), so it is streamed and cheap:

- `SamplePopulation.household(index)` derives a household from (seed, index) alone: a 128-bit
  mix of the index supplies the random choices, and the address and the BSNs come from affine
  permutations of the index, so they are unique within a population without storing anything.
- `SamplePopulation.signal_rows` draws groups of signals per household from one seeded
  `random.Random` and passes them through a small shuffle buffer, so memory stays constant and
  a household's signals do not sit next to each other in the file.

Command line: `python -m outreach.demo.sample_data {signals,register,clients} OUT.csv ...`
(see `--help`).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import unicodedata
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from hashlib import blake2b
from math import gcd
from operator import itemgetter
from pathlib import Path
from random import Random
from typing import NamedTuple

from outreach.core.private import open_private
from outreach.intake.readers import SIGNAL_COLUMNS

__all__ = [
    "CLIENT_COLUMNS",
    "DEMO_AREA",
    "REGISTER_COLUMNS",
    "SIGNAL_COLUMNS",
    "Household",
    "Person",
    "SampleArea",
    "SamplePopulation",
    "is_valid_bsn",
    "main",
    "write_csv",
]


@dataclass(frozen=True)
class SampleArea:
    """A municipality's postcode areas (4 digits) and its streets and town."""

    postcode_areas: tuple[str, ...]
    town: str
    streets: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.postcode_areas or not self.streets:
            raise ValueError("a SampleArea needs at least one postcode area and one street")
        for area in self.postcode_areas:
            if len(area) != 4 or not area.isdigit() or area[0] == "0":
                raise ValueError(f"postcode area must be 4 digits, not starting with 0: {area!r}")


DEMO_AREA = SampleArea(
    postcode_areas=("3811", "3812", "3813", "3814", "3815", "3816", "3817", "3818"),
    town="Voorbeeldstad",
    streets=(
        "Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Julianalaan", "Beatrixstraat",
        "Wilhelminastraat", "Oranjestraat", "Schoolstraat", "Lindelaan", "Eikenlaan",
        "Berkenlaan", "Beukenlaan", "Kastanjelaan", "Populierenlaan", "Rozenstraat",
        "Tulpstraat", "Merelstraat", "Zwaluwstraat", "Vinkenweg", "Kievitstraat",
        "Reigerstraat", "Havenstraat", "Marktplein", "Bergstraat", "Parkweg", "Nieuwstraat",
        "Van Goghlaan", "Rembrandtlaan", "Vondelstraat", "Burgemeester de Withstraat",
        "Sint Jansplein",
    ),
)  # fmt: skip

REGISTER_COLUMNS: tuple[str, ...] = (
    "bsn",
    "voorletters",
    "voorvoegsel",
    "achternaam",
    "geboortedatum",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
    "overlijdensdatum",
    "minderjarigen",
)
CLIENT_COLUMNS: tuple[str, ...] = (
    "bsn",
    "achternaam",
    "geboortedatum",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
)


@dataclass(frozen=True, slots=True)
class Person:
    """An adult in a sample household. `telefoon` is in national notation ("0612345678")."""

    bsn: str
    voornaam: str
    voorletters: str
    voorvoegsel: str
    achternaam: str
    geboortedatum: date
    telefoon: str
    email: str
    overlijdensdatum: date | None


@dataclass(frozen=True, slots=True)
class Household:
    """A sample household; the same (seed, index) always gives the same household.

    `postcode` is canonical ("3811AB"); `toevoeging` is "" or an addition such as "A", "2",
    "hs", "bis". `persons` are the adults, the main person first. `registered` is False for a
    household that moved away (absent from the register, ~3%); `debt_help_client` marks the
    ~5% already known to municipal debt help.
    """

    index: int
    postcode: str
    huisnummer: int
    toevoeging: str
    straatnaam: str
    plaatsnaam: str
    persons: tuple[Person, ...]
    minderjarigen: int
    registered: bool
    debt_help_client: bool


# --- names ---------------------------------------------------------------------------------
# Common first names and surnames, combined at random: the people are fictional.

_DUTCH_FIRST_OLD = (
    "Jan", "Pieter", "Kees", "Henk", "Gerrit", "Willem", "Johannes", "Cornelis", "Hendrik",
    "Dirk", "Bert", "Theo", "Gerard", "Ton", "Frans", "Wim", "Maria", "Anna", "Johanna",
    "Cornelia", "Elisabeth", "Wilhelmina", "Geertje", "Ingrid", "Tineke", "Ria", "Joke", "Els",
    "Annie", "Gerda", "Truus", "Marian", "Hanneke", "Marjolein", "Yvonne", "Petra",
)  # fmt: skip
_DUTCH_FIRST_YOUNG = (
    "Bram", "Daan", "Sem", "Lucas", "Thijs", "Ruben", "Jeroen", "Mark", "Erik", "Sander", "Bas",
    "Martijn", "Niels", "Tim", "Joost", "Wouter", "Jesse", "Stijn", "Marieke", "Sanne", "Lotte",
    "Femke", "Anouk", "Eva", "Emma", "Julia", "Sophie", "Lisa", "Iris", "Esther", "Monique",
    "Linda", "Marloes", "Noor", "Fleur", "Saskia", "Kim", "Britt",
)  # fmt: skip
_DUTCH_SURNAMES = (
    ("de", "Jong"), ("", "Jansen"), ("de", "Vries"), ("van den", "Berg"), ("van", "Dijk"),
    ("", "Bakker"), ("", "Janssen"), ("", "Visser"), ("", "Smit"), ("", "Meijer"),
    ("de", "Boer"), ("", "Mulder"), ("de", "Groot"), ("", "Bos"), ("", "Vos"), ("", "Peters"),
    ("", "Hendriks"), ("van", "Leeuwen"), ("", "Dekker"), ("", "Brouwer"), ("de", "Wit"),
    ("", "Dijkstra"), ("", "Smits"), ("de", "Graaf"), ("van der", "Meer"),
    ("van der", "Linden"), ("", "Kok"), ("", "Jacobs"), ("de", "Haan"), ("", "Vermeulen"),
    ("van den", "Heuvel"), ("van der", "Veen"), ("van den", "Broek"), ("de", "Bruijn"),
    ("van der", "Heijden"), ("", "Schouten"), ("van", "Beek"), ("", "Willems"),
    ("van", "Vliet"), ("van de", "Ven"), ("", "Hoekstra"), ("", "Maas"), ("", "Verhoeven"),
    ("", "Koster"), ("van", "Dam"), ("van der", "Wal"), ("", "Prins"), ("", "Blom"),
    ("", "Huisman"), ("in 't", "Veld"), ("van 't", "Hof"), ("ter", "Horst"), ("ten", "Brink"),
    ("op den", "Kamp"), ("", "Kuipers"), ("", "Postma"), ("", "Wijnands"), ("", "Zwart"),
)  # fmt: skip
_OTHER_GROUPS: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    # (cumulative share per 1024, first names, surnames); the rest of the population is Dutch.
    (51, ("Mehmet", "Ayşe", "Fatma", "Mustafa", "Emre", "Elif", "Zeynep", "Hasan", "Özlem"),
     ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan")),  # noqa: RUF001
    (102, ("Mohamed", "Fatima", "Youssef", "Khadija", "Ahmed", "Nadia", "Said", "Samira"),
     ("El Amrani", "Bouzid", "El Idrissi", "Ait Taleb", "Benali", "Ouali", "El Khatib")),
    (143, ("Rakesh", "Sharmila", "Ravi", "Shanti", "Marlon", "Gisela", "Roy", "Priya"),
     ("Ramdin", "Mahabier", "Sewnath", "Pinas", "Wijngaarde", "Kartodikromo", "Doekhie")),
    (174, ("Piotr", "Agnieszka", "Tomasz", "Katarzyna", "Marek", "Magdalena", "Paweł"),
     ("Nowak", "Kowalski", "Wiśniewski", "Lewandowski", "Zieliński", "Wójcik")),
    (205, ("Ahmad", "Rania", "Omar", "Lina", "Yonas", "Semhar", "Tesfay", "Huda"),
     ("Al-Hassan", "Haile", "Tesfamariam", "Alkhatib", "Mohammadi", "Ghebremedhin")),
)  # fmt: skip


class _Origin(NamedTuple):
    first_old: tuple[str, ...]  # first names for people born before 1975
    first_young: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]  # (voorvoegsel, achternaam)


_ORIGIN_CUM = tuple(g[0] for g in _OTHER_GROUPS)
_ORIGINS = (
    *(_Origin(g[1], g[1], tuple(("", s) for s in g[2])) for g in _OTHER_GROUPS),
    _Origin(_DUTCH_FIRST_OLD, _DUTCH_FIRST_YOUNG, _DUTCH_SURNAMES),
)

_ASCII_FIXES = str.maketrans({"\u0131": "i", "ł": "l", "Ł": "L", "ø": "o", "ß": "ss"})


def _ascii_token(text: str) -> str:
    """Lower-case ASCII letters of `text`, for building e-mail addresses."""
    folded = unicodedata.normalize("NFKD", text.translate(_ASCII_FIXES))
    return "".join(ch for ch in folded.lower() if "a" <= ch <= "z")


# ASCII forms of every first name and of every voorvoegsel + achternaam, for e-mail addresses.
_ASCII: dict[str, str] = {
    text: _ascii_token(text)
    for origin in _ORIGINS
    for text in (
        *origin.first_old,
        *origin.first_young,
        *(prefix + name for prefix, name in origin.surnames),
    )
}

# The initials after the first one ("J." + "P." = "J.P."), looked up by 8 random bits: none for
# half the people, one for three in eight, two for one in eight.
_MIDDLE_INITIALS = "JMAHCPWEGLTRSFBDK"
_INITIAL_SUFFIXES = tuple(
    "".join(
        f"{_MIDDLE_INITIALS[(bits >> 3) * (5 + 7 * i) % len(_MIDDLE_INITIALS)]}."
        for i in range((0, 0, 0, 0, 1, 1, 1, 2)[bits & 7])
    )
    for bits in range(256)
)

_EMAIL_DOMAINS = ("example.org", "example.net", "example.com")

# Additions for the ~12% of addresses that have one; letters most often.
_ADDITIONS = ("A", "A", "A", "A", "B", "B", "C", "D", "1", "1", "2", "2", "3", "hs", "hs", "bis")

_OLD_FIRST = date(1940, 1, 1).toordinal()
_YOUNG_FIRST = date(1999, 1, 1).toordinal()  # young adults: 18-27 around 2026
_YOUNG_LAST = date(2006, 12, 31).toordinal()
_OLD_SPAN = _YOUNG_FIRST - _OLD_FIRST
_YOUNG_SPAN = _YOUNG_LAST + 1 - _YOUNG_FIRST
_BORN_1960 = date(1960, 1, 1).toordinal()
_BORN_1965 = date(1965, 1, 1).toordinal()
_BORN_1966 = date(1966, 1, 1).toordinal()
_BORN_1975 = date(1975, 1, 1).toordinal()
_BORN_2003 = date(2003, 1, 1).toordinal()
_DEATH_FIRST = date(2025, 1, 1).toordinal()
_DEATH_SPAN = date(2026, 7, 1).toordinal() - _DEATH_FIRST
_TWO_ADULTS = 61  # of 128: ~48% of households have two adults
_MINOR_CUTS = (67, 90, 113, 123, 127)  # of 128: 0 minors for ~52%, then 1, 2, 3, 4, 5

# --- postcodes, BSNs, phone numbers ----------------------------------------------------------

# Letters F, I, O, Q, U and Y are not used in Dutch postcodes; SA, SD and SS never are.
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_LETTER_PAIRS = tuple(
    a + b for a in _POSTCODE_LETTERS for b in _POSTCODE_LETTERS if a + b not in {"SA", "SD", "SS"}
)
_PAIRS_PER_STREET = 6  # consecutive letter pairs share a street, each a stretch of numbers
_MIN_HOUSES_PER_POSTCODE = 20

# BSN = "9" d2..d7 a8 a9. The eleven-test weights of d2-d4 and d5-d7, looked up per 3 digits.
_BSN_SPACE = 9_000_000  # 10**6 prefixes "9dddddd" with 9 usable a8 digits each
_BSN_HI = tuple(8 * (x // 100) + 7 * (x // 10 % 10) + 6 * (x % 10) for x in range(1000))
_BSN_LO = tuple(5 * (x // 100) + 4 * (x // 10 % 10) + 3 * (x % 10) for x in range(1000))


def _bsn(k: int) -> str:
    """The k-th BSN (0 <= k < 9,000,000) starting with 9: distinct k give distinct BSNs."""
    q, j = divmod(k, 9)
    hi, lo = divmod(q, 1000)
    s = 81 + _BSN_HI[hi] + _BSN_LO[lo]
    bad = (10 - s) * 6 % 11  # the a8 whose check digit would have to be 10 (6 = 1/2 mod 11)
    a8 = j if j < bad else j + 1
    return f"9{q:06d}{a8}{(s + 2 * a8) % 11}"


def is_valid_bsn(value: str) -> bool:
    """True if `value` is 9 digits passing the BSN eleven-test."""
    if len(value) != 9 or not value.isdigit():
        return False
    total = sum(w * int(d) for w, d in zip((9, 8, 7, 6, 5, 4, 3, 2, -1), value, strict=True))
    return total % 11 == 0


def _phone_variant(national: str, variant: int) -> str:
    """A common notation of a Dutch number given as "0612345678" or "0331234567"."""
    if national[1] == "6":
        sub = national[2:]
        if variant == 0:
            return national
        if variant == 1:
            return f"06-{sub}"
        if variant == 2:
            return f"06 {sub[:4]} {sub[4:]}"
        if variant == 3:
            return f"+31{national[1:]}"
        if variant == 4:
            return f"+31 6 {sub[:4]} {sub[4:]}"
        if variant == 5:
            return f"0031{national[1:]}"
        return f"06 {sub}"
    area, sub = national[:3], national[3:]
    if variant <= 1:
        return f"{area}-{sub}" if variant else national
    if variant == 2:
        return f"{area} {sub[:3]} {sub[3:]}"
    if variant == 3:
        return f"+31 {area[1:]} {sub[:3]} {sub[3:]}"
    if variant == 4:
        return f"+31{national[1:]}"
    if variant == 5:
        return f"({area}) {sub}"
    return f"0031{national[1:]}"


# --- partners --------------------------------------------------------------------------------


class _Org(NamedTuple):
    name: str
    date_style: int  # 0 ISO, 1 DD-MM-YYYY, 2 DD/MM/YYYY
    no_crisis: str  # crisissignaal when there is no crisis: "nee" or left empty
    klantnummer: str  # "" or a prefix: the partner sends a customer number


class _PartnerType(NamedTuple):
    name: str  # DDAS EnumSignaalpartner
    weight: float  # share of signals, percent
    id_prefix: str
    orgs: tuple[_Org, ...]
    monthly: tuple[int, int]  # arrears per month in whole euros (low, high)
    lump: tuple[float, int, int]  # (chance, low, high): a one-off bill added to the arrears
    crisis: float  # chance of crisissignaal "ja"
    bsn: float  # chance the partner passes the BSN
    birth: float  # ... the birth date
    first_name: float  # ... the first name
    phone: float  # ... a phone number
    email: float  # ... an e-mail address


_PARTNER_TYPES: tuple[_PartnerType, ...] = (
    _PartnerType(
        "Zorg", 35.0, "ZORG",
        (_Org("Zorgverzekeraar Gezond Samen", 0, "nee", ""),
         _Org("ZorgZeker Midden", 1, "nee", ""),
         _Org("Onderlinge Zorgverzekeraar De Brug", 0, "", "")),
        (128, 178), (0.25, 60, 385), 0.0, 0.9, 1.0, 0.7, 0.5, 0.25,
    ),
    _PartnerType(
        "Energie", 25.0, "ENERGIE",
        (_Org("Energie Direct Noord", 0, "nee", "KL"),
         _Org("Groenstroom Voorbeeldland", 1, "", "40"),
         _Org("Stadswarmte Voorbeeldstad", 2, "nee", "SW")),
        (65, 210), (0.2, 150, 650), 0.10, 0.05, 0.6, 0.4, 0.7, 0.45,
    ),
    _PartnerType(
        "Huur", 20.0, "HUUR",
        (_Org("Woonstichting De Linde", 0, "nee", ""),
         _Org("Woningcorporatie Het Vlonder", 1, "nee", ""),
         _Org("Stichting Huurwoningen Voorbeeldstad", 0, "", "")),
        (400, 700), (0.1, 40, 300), 0.025, 0.05, 0.85, 0.4, 0.8, 0.3,
    ),
    _PartnerType(
        "Water", 15.0, "WATER",
        (_Org("Waterbedrijf Midden-Voorbeeldland", 0, "nee", ""),
         _Org("Drinkwater Heuvelrug-Oost", 1, "", "")),
        (22, 55), (0.5, 60, 250), 0.0, 0.05, 0.4, 0.3, 0.45, 0.2,
    ),
    _PartnerType(
        "Hypotheek", 1.2, "HYPOTHEEK",
        (_Org("Hypotheekbank Voorbeeldland", 0, "nee", ""),),
        (650, 1450), (0.0, 0, 0), 0.0, 0.5, 1.0, 0.6, 0.6, 0.4,
    ),
    _PartnerType(
        "CAK Zorgverzekeringen", 1.2, "CAKZV",
        (_Org("CAK", 0, "nee", ""),),
        (150, 190), (0.0, 0, 0), 0.0, 1.0, 1.0, 0.2, 0.2, 0.1,
    ),
    _PartnerType(
        "CAK Eigen bijdrage", 0.5, "CAKEB",
        (_Org("CAK", 0, "nee", ""),),
        (20, 210), (0.0, 0, 0), 0.0, 1.0, 1.0, 0.2, 0.2, 0.1,
    ),
    _PartnerType(
        "DUO", 0.8, "DUO",
        (_Org("DUO", 0, "nee", ""),),
        (90, 380), (0.0, 0, 0), 0.0, 1.0, 1.0, 0.9, 0.5, 0.5,
    ),
    _PartnerType(
        "Belastingdienst", 0.3, "BD",
        (_Org("Belastingdienst", 0, "nee", ""),),
        (60, 600), (0.3, 100, 900), 0.0, 1.0, 1.0, 0.2, 0.1, 0.0,
    ),
    _PartnerType(
        "Dienst Toeslagen", 0.3, "DT",
        (_Org("Dienst Toeslagen", 0, "nee", ""),),
        (80, 450), (0.0, 0, 0), 0.0, 1.0, 1.0, 0.2, 0.1, 0.0,
    ),
    _PartnerType(
        "Overige", 0.7, "OVERIGE",
        (_Org("Telecom Voorbeeld", 1, "", ""),
         _Org("Gemeentebelastingen Voorbeeldstad", 0, "nee", "")),
        (25, 140), (0.2, 50, 400), 0.0, 0.3, 0.7, 0.4, 0.6, 0.4,
    ),
)  # fmt: skip
_TYPE_CUM: tuple[float, ...] = tuple(
    sum(t.weight for t in _PARTNER_TYPES[: i + 1]) for i in range(len(_PARTNER_TYPES))
)
_TYPE_TOTAL = _TYPE_CUM[-1]

_TYPE_CUTS = _TYPE_CUM[:-1]  # bisect(_TYPE_CUTS, x) for 0 <= x < _TYPE_TOTAL: a type index

# Signals per household sequence: 1, 2, 3 or 4. Sequences are cut off at the ends of a batch,
# so of the households in a batch of three to six months about two thirds have one signal
# (fewer for shorter batches), and about half of all signals are single.
_GROUP_SIZE_CUM = (0.56, 0.79, 0.93)
_MAX_MONTHS = 5  # arrears grow with the months since they began, up to this many
_SMALL_AMOUNT_SHARE = 0.02  # a few signals under EUR 50, for a threshold to filter
_SHUFFLE_BUFFER = 512  # rows held back and emitted in random order

_COMMA_CENTS = tuple(f",{c:02d}" for c in range(100))
_DOT_CENTS = tuple(f".{c:02d}" for c in range(100))


@lru_cache(maxsize=1 << 17)
def _date_text(ordinal: int, style: int) -> str:
    """A date as a partner writes it: 0 ISO, 1 DD-MM-YYYY, 2 DD/MM/YYYY (cached: few dates)."""
    d = date.fromordinal(ordinal)
    if style == 0:
        return d.isoformat()
    sep = "-" if style == 1 else "/"
    return f"{d.day:02d}{sep}{d.month:02d}{sep}{d.year}"


def _format_amount(cents: int, r: float) -> str:
    """Mostly Dutch notation ("1.234,56", "450,00"); some "450.00", "€ 45,00", "45"."""
    euros, rest = divmod(cents, 100)
    if r < 0.72:
        if r < 0.62 and euros >= 1000:
            return f"{euros:,}".replace(",", ".") + _COMMA_CENTS[rest]
        return str(euros) + _COMMA_CENTS[rest]
    if r < 0.86:
        return str(euros) + _DOT_CENTS[rest]
    if r < 0.95:
        return "€ " + f"{euros:,}".replace(",", ".") + _COMMA_CENTS[rest]
    return str(euros + (rest >= 50))


def _house_number(number: int, addition: str, variant: int) -> tuple[str, str]:
    """(huisnummer, huisnummertoevoeging) in one of the notations partners use."""
    if not addition:
        return str(number), ""
    if addition.isdigit():  # "12-2" or "12" + "2"
        return (f"{number}-{addition}", "") if variant & 1 else (str(number), addition)
    if variant == 0:
        return str(number), addition
    if variant == 1:
        return f"{number}{addition}", ""
    if variant == 2:
        return f"{number}-{addition.lower()}", ""
    if variant == 3:
        return f"{number} {addition}", ""
    if variant == 4:
        return str(number), addition.lower()
    return f"{number}-{addition}", ""


def _postcode_variant(postcode: str, r: float) -> str:
    """Canonical for r < 0.68, else with a space and/or in lower case."""
    if r < 0.68:
        return postcode
    if r < 0.9:
        return f"{postcode[:4]} {postcode[4:]}"
    if r < 0.96:
        return postcode.lower()
    return f"{postcode[:4]} {postcode[4:].lower()}"


def _coprime_multiplier(modulus: int, seed_value: int) -> int:
    """A multiplier coprime with `modulus` near the golden ratio of it, to spread indices."""
    if modulus <= 2:
        return 1
    mul = (int(modulus * 0.6180339887) + seed_value) % modulus or 1
    while gcd(mul, modulus) != 1:
        mul = mul % (modulus - 1) + 1
    return mul


# 256-bit mixing of a key: multiply / xor-shift rounds, as in MurmurHash3's finaliser.
_M128 = (1 << 128) - 1
_M256 = (1 << 256) - 1
_K1 = 0x9E3779B97F4A7C15F39CC0605CEDC835BF58476D1CE4E5B94D049BB133111EBB
_K2 = 0xBF58476D1CE4E5B94D049BB133111EBB94D049BB133111EBD6E8FEB86659FD93
_K3 = 0x94D049BB133111EBD6E8FEB86659FD939E3779B97F4A7C15F39CC0605CEDC835


class _RawPerson(NamedTuple):
    slot: int  # 0 main person, 1 partner
    voornaam: str
    voorletters: str
    voorvoegsel: str
    achternaam: str
    birth: int  # date ordinal
    bits: int  # 128 random bits: see SamplePopulation._person


class _RawHousehold(NamedTuple):
    idx: int
    postcode: str
    number: int
    number_text: str
    addition: str
    street: str
    bits: int  # 128 random bits: see SamplePopulation._raw_household
    main: _RawPerson


_Item = tuple[int, int, int, dict[str, str]]  # (household index, partner type, year, row)


class SamplePopulation:
    """A synthetic municipality of `households` households, reproducible from `seed`.

    Nothing is stored per household: `household(index)` recomputes it, so a population of a
    million costs no memory.
    """

    MAX_HOUSEHOLDS = _BSN_SPACE // 2

    def __init__(self, area: SampleArea, households: int, seed: int = 1) -> None:
        if not 1 <= households <= self.MAX_HOUSEHOLDS:
            raise ValueError(f"households must be between 1 and {self.MAX_HOUSEHOLDS}")
        self.area = area
        self.households = households
        self.seed = seed
        self._town = area.town
        key = blake2b(f"outreach-sample:{seed}".encode(), digest_size=32).digest()
        self._salt = int.from_bytes(key, "little")
        salt = int.from_bytes(blake2b(key, digest_size=32).digest(), "little")
        self._postcodes = tuple(a + pair for a in area.postcode_areas for pair in _LETTER_PAIRS)
        self._streets = tuple(
            area.streets[(area_i * 7 + pair_i // _PAIRS_PER_STREET) % len(area.streets)]
            for area_i in range(len(area.postcode_areas))
            for pair_i in range(len(_LETTER_PAIRS))
        )
        self._per_postcode = max(_MIN_HOUSES_PER_POSTCODE, -(-households // len(self._postcodes)))
        self._capacity = len(self._postcodes) * self._per_postcode
        self._addr_mul = _coprime_multiplier(self._capacity, salt % 9973)
        self._addr_add = (salt >> 16) % self._capacity
        self._bsn_mul = _coprime_multiplier(_BSN_SPACE, (salt >> 64) % 7919)
        self._bsn_add = (salt >> 80) % _BSN_SPACE
        self._hh_mul = _coprime_multiplier(households, (salt >> 128) % 6007)
        self._hh_add = (salt >> 144) % households

    # --- households ----------------------------------------------------------------------

    def household(self, index: int) -> Household:
        """The household at `index` (0 <= index < households), always the same one."""
        if not 0 <= index < self.households:
            raise IndexError(f"household index {index} outside 0..{self.households - 1}")
        raw = self._raw_household(index)
        bits = raw.bits
        people = [raw.main]
        if self._adults(raw) == 2:
            people.append(self._partner(index, bits, raw.main))
        minors = 0
        if _BORN_1966 <= raw.main.birth < _BORN_2003:  # parents of minors: 23 to 60 in 2026
            minors = bisect(_MINOR_CUTS, (bits >> 41) & 127)
        return Household(
            index=index,
            postcode=raw.postcode,
            huisnummer=raw.number,
            toevoeging=raw.addition,
            straatnaam=raw.street,
            plaatsnaam=self.area.town,
            persons=tuple(self._public_person(index, p) for p in people),
            minderjarigen=minors,
            registered=(bits >> 48) & 1023 >= 31,
            debt_help_client=(bits >> 58) & 1023 < 51,
        )

    def _mix(self, key: int) -> int:
        """256 well-mixed bits from `key` and the seed."""
        x = (key * _K1 + self._salt) & _M256
        x ^= x >> 131
        x = (x * _K2) & _M256
        x ^= x >> 125
        x = (x * _K3) & _M256
        return x ^ (x >> 128)

    def _raw_household(self, idx: int) -> _RawHousehold:
        """Address and main person; the rest of the household follows from `bits`.

        Bits: 0-9 has an addition, 10-13 which, 14-23 young main person, 24-33 origin of the
        names, 34-40 adults, 41-47 minors, 48-57 registered, 58-67 debt-help client,
        68-89 which organisation of each partner type, 100-119 the monthly arrears.
        """
        slot = (self._addr_mul * idx + self._addr_add) % self._capacity
        postcode_i, house_i = divmod(slot, self._per_postcode)
        number = 1 + (postcode_i % len(_LETTER_PAIRS) % _PAIRS_PER_STREET) * self._per_postcode
        mixed = self._mix(idx * 2)
        bits = mixed & _M128
        main = self._person(0, mixed >> 128, bits, None)
        return _RawHousehold(
            idx,
            self._postcodes[postcode_i],
            number + house_i,
            str(number + house_i),
            _ADDITIONS[(bits >> 10) & 15] if bits & 1023 < 128 else "",
            self._streets[postcode_i],
            bits,
            main,
        )

    @staticmethod
    def _adults(raw: _RawHousehold) -> int:
        return 2 if (raw.bits >> 34) & 127 < _TWO_ADULTS else 1

    def _partner(self, idx: int, household_bits: int, main: _RawPerson) -> _RawPerson:
        return self._person(1, self._mix(idx * 2 + 1) & _M128, household_bits, main)

    @staticmethod
    def _person(slot: int, bits: int, household_bits: int, main: _RawPerson | None) -> _RawPerson:
        """An adult from 128 random bits: the main person (slot 0) or the partner (slot 1).

        Bits: 0-15 birth date, 16-31 first name, 32-47 surname, 48-50 partner shares the
        surname, 51-58 initials, 59-85 phone digits, 86-92 landline, 93-104 e-mail,
        105-127 death.
        """
        fraction = bits & 0xFFFF
        if main is not None:
            delta = fraction % 4001 - 2000  # within about 5.5 years of the main person
            birth = main.birth + delta
            if not _OLD_FIRST <= birth <= _YOUNG_LAST:
                birth = main.birth - delta
        elif (household_bits >> 14) & 1023 < 184:
            birth = _YOUNG_FIRST + (fraction * _YOUNG_SPAN >> 16)
        else:
            birth = _OLD_FIRST + (fraction * _OLD_SPAN >> 16)
        origin = _ORIGINS[bisect(_ORIGIN_CUM, (household_bits >> 24) & 1023)]
        firsts = origin.first_old if birth < _BORN_1975 else origin.first_young
        voornaam = firsts[((bits >> 16) & 0xFFFF) % len(firsts)]
        if main is not None and (bits >> 48) & 7 < 3:
            voorvoegsel, achternaam = main.voorvoegsel, main.achternaam
        else:
            voorvoegsel, achternaam = origin.surnames[
                ((bits >> 32) & 0xFFFF) % len(origin.surnames)
            ]
        voorletters = f"{voornaam[0]}.{_INITIAL_SUFFIXES[(bits >> 51) & 255]}"
        return _RawPerson(slot, voornaam, voorletters, voorvoegsel, achternaam, birth, bits)

    def _bsn_of(self, idx: int, slot: int) -> str:
        return _bsn((self._bsn_mul * (2 * idx + slot) + self._bsn_add) % _BSN_SPACE)

    @staticmethod
    def _phone_of(person: _RawPerson) -> str:
        """National notation: a mobile 06-1x..06-5x, or (older people more often) a landline."""
        digits = (person.bits >> 59) & 0x7FFFFFF
        if (person.bits >> 86) & 127 < (58 if person.birth < _BORN_1960 else 13):
            return f"033{2 + digits % 8}{digits // 8 % 10**6:06d}"
        return f"06{1 + digits % 5}{digits // 5 % 10**7:07d}"

    @staticmethod
    def _email_of(person: _RawPerson) -> str:
        bits = person.bits >> 93
        first = _ASCII[person.voornaam]
        last = _ASCII[person.voorvoegsel + person.achternaam]
        form = (bits & 7) % 5
        if form == 0:
            local = f"{first}.{last}"
        elif form == 1:
            local = f"{first[0]}{last}{_year(person.birth) % 100:02d}"
        elif form == 2:
            local = f"{first}{last}{(bits >> 5) % 90 + 10}"
        elif form == 3:
            local = f"{last}.{first}"
        else:
            local = f"{first}_{_year(person.birth)}"
        return f"{local}@{_EMAIL_DOMAINS[((bits >> 3) & 3) % 3]}"

    @staticmethod
    def _death_of(person: _RawPerson) -> date | None:
        """About 1 in 40 main persons born before 1965 died in 2025 or early 2026."""
        bits = person.bits >> 105
        if person.slot or person.birth >= _BORN_1965 or bits & 1023 >= 26:
            return None
        return date.fromordinal(_DEATH_FIRST + (bits >> 10) % _DEATH_SPAN)

    def _public_person(self, idx: int, person: _RawPerson) -> Person:
        return Person(
            bsn=self._bsn_of(idx, person.slot),
            voornaam=person.voornaam,
            voorletters=person.voorletters,
            voorvoegsel=person.voorvoegsel,
            achternaam=person.achternaam,
            geboortedatum=date.fromordinal(person.birth),
            telefoon=self._phone_of(person),
            email=self._email_of(person),
            overlijdensdatum=self._death_of(person),
        )

    # --- signals -------------------------------------------------------------------------

    def signal_rows(self, count: int, start: date, end: date) -> Iterator[dict[str, str]]:
        """`count` signal rows (columns SIGNAL_COLUMNS) with signaaldatum in [start, end].

        About two thirds of the households that get a signal get exactly one; the others get
        several, from several partners and/or the same partner in consecutive months.
        Households are taken from a permutation of the population; with fewer households
        than signal groups it wraps around, and households then come back more often.
        """
        return map(itemgetter(1), self.signal_records(count, start, end))

    def signal_records(
        self, count: int, start: date, end: date
    ) -> Iterator[tuple[int, dict[str, str]]]:
        """As `signal_rows`, with each row's household index: (index, row)."""
        if count < 0:
            raise ValueError("count must be >= 0")
        if end < start:
            raise ValueError("end must not be before start")
        return self._records(count, start, end)

    def _records(self, count: int, start: date, end: date) -> Iterator[tuple[int, dict[str, str]]]:
        rng = Random(f"outreach-signals:{self.seed}:{start.isoformat()}:{end.isoformat()}")
        rand = rng.random
        first_day, days = start.toordinal(), (end - start).days
        years = [date.fromordinal(first_day + offset).year for offset in range(days + 1)]
        counters = [0] * len(_PARTNER_TYPES)
        buffer: list[_Item] = []
        made = group = 0
        make_row = self._row
        while made < count:
            idx = (self._hh_mul * group + self._hh_add) % self.households
            group += 1
            hh = self._raw_household(idx)
            r = rand()
            if r < _GROUP_SIZE_CUM[0]:
                plan = [(int(rand() * (days + 1)), bisect(_TYPE_CUTS, rand() * _TYPE_TOTAL))]
            else:
                plan = _plan_several(rand, bisect(_GROUP_SIZE_CUM, r) + 1, days)
            started: dict[int, int] = {}  # partner type -> arrears start, shared by repeats
            for offset, t in plan:
                if not 0 <= offset <= days:  # outside this batch; fix the arrears start
                    if t not in started:
                        started[t] = first_day + offset - 30 - int(rand() * 93)
                    continue
                if made == count:
                    break
                made += 1
                day = first_day + offset
                item = (idx, t, years[offset], make_row(rand, hh, t, day, started))
                if len(buffer) < _SHUFFLE_BUFFER:
                    buffer.append(item)
                    continue
                j = int(rand() * _SHUFFLE_BUFFER)
                item, buffer[j] = buffer[j], item
                yield _finish(item, counters)
        rng.shuffle(buffer)
        for item in buffer:
            yield _finish(item, counters)

    def _row(
        self,
        rand: Callable[[], float],
        hh: _RawHousehold,
        t: int,
        day: int,
        started: dict[int, int],
    ) -> dict[str, str]:
        """One signal of partner type `t` on `day` (an ordinal) about household `hh`."""
        (name, _, _, orgs, (low, high), (lump_chance, lump_low, lump_high),
         crisis_p, bsn_p, birth_p, first_p, phone_p, email_p) = _PARTNER_TYPES[t]  # fmt: skip
        bits = hh.bits
        org = orgs[(bits >> (68 + 2 * t)) % len(orgs)]
        style = org.date_style

        # Arrears: a monthly amount (fixed per household and partner type) times the months
        # since the arrears began; a repeat signal keeps that start, so its amount grows.
        origin = started.get(t)
        if origin is None:
            origin = started[t] = day - 30 - int(rand() * 93)
        per_month = low + (high - low) * ((bits >> (100 + t)) & 1023) / 1023
        months = min(_MAX_MONTHS, max(1, (day - origin + 10) // 30))
        cents = int(per_month * months * (80 + 20 * rand()))
        if rand() < lump_chance:
            cents += int((lump_low + (lump_high - lump_low) * rand()) * 100)
        if rand() < _SMALL_AMOUNT_SHARE:
            cents = 500 + int(rand() * 4495)
        elif rand() < 0.3:  # arrears in whole euros
            cents -= cents % 100

        person = hh.main
        if rand() < 0.2 and (bits >> 34) & 127 < _TWO_ADULTS:
            person = self._partner(hh.idx, bits, person)
        voorvoegsel = person.voorvoegsel
        achternaam = person.achternaam
        if voorvoegsel and rand() < 0.06:  # the partner glued the prefix onto the surname
            voorvoegsel, achternaam = "", f"{voorvoegsel} {achternaam}"
        if hh.addition:
            number, addition = _house_number(hh.number, hh.addition, int(rand() * 6))
        else:
            number, addition = hh.number_text, ""
        r = rand()
        postcode = hh.postcode if r < 0.68 else _postcode_variant(hh.postcode, r)

        return {
            "id": "",
            "signaalpartner": name,
            "partner_naam": org.name,
            "bedrag": _format_amount(cents, rand()),
            "ontstaansdatum": _date_text(origin, style),
            "signaaldatum": _date_text(day, style),
            "crisissignaal": "ja" if rand() < crisis_p else org.no_crisis,
            "bsn": self._bsn_of(hh.idx, person.slot) if rand() < bsn_p else "",
            "voorletters": person.voorletters if rand() < 0.95 else "",
            "voornaam": person.voornaam if rand() < first_p else "",
            "voorvoegsel": voorvoegsel,
            "achternaam": achternaam,
            "geboortedatum": _date_text(person.birth, style) if rand() < birth_p else "",
            "straatnaam": hh.street if rand() < 0.97 else "",
            "postcode": postcode,
            "huisnummer": number,
            "huisnummertoevoeging": addition,
            "plaatsnaam": self._town if rand() < 0.95 else "",
            "telefoonnummer": (
                _phone_variant(self._phone_of(person), int(rand() * 7)) if rand() < phone_p else ""
            ),
            "email": self._email_of(person) if rand() < email_p else "",
            "klantnummer": (
                f"{org.klantnummer}{(hh.idx * 48271 + 7 * t) % 10**8:08d}"
                if org.klantnummer
                else ""
            ),
        }

    # --- register and clients ------------------------------------------------------------

    def register_rows(self, indices: Iterable[int]) -> Iterator[dict[str, str]]:
        """Population-register (BRP) rows, one per adult, for the registered households.

        Households that moved away (`registered` False, ~3%) yield no rows; ~1% of the main
        persons have an overlijdensdatum (2025 to mid-2026). Notation is canonical.
        """
        for index in indices:
            hh = self.household(index)
            if not hh.registered:
                continue
            for person in hh.persons:
                died = person.overlijdensdatum
                yield {
                    "bsn": person.bsn,
                    "voorletters": person.voorletters,
                    "voorvoegsel": person.voorvoegsel,
                    "achternaam": person.achternaam,
                    "geboortedatum": person.geboortedatum.isoformat(),
                    "postcode": hh.postcode,
                    "huisnummer": str(hh.huisnummer),
                    "huisnummertoevoeging": hh.toevoeging,
                    "overlijdensdatum": died.isoformat() if died else "",
                    "minderjarigen": str(hh.minderjarigen),
                }

    def client_rows(self, indices: Iterable[int]) -> Iterator[dict[str, str]]:
        """Debt-help client rows (the main person) for every household in `indices`.

        `achternaam` is without voorvoegsel, as in the register.
        """
        for index in indices:
            hh = self.household(index)
            person = hh.persons[0]
            yield {
                "bsn": person.bsn,
                "achternaam": person.achternaam,
                "geboortedatum": person.geboortedatum.isoformat(),
                "postcode": hh.postcode,
                "huisnummer": str(hh.huisnummer),
                "huisnummertoevoeging": hh.toevoeging,
            }

    def client_indices(self, limit: int | None = None) -> Iterator[int]:
        """Indices (below `limit`, default all) of households known to debt help (~5%)."""
        stop = self.households if limit is None else min(limit, self.households)
        for index in range(stop):
            if (self._mix(index * 2) >> 58) & 1023 < 51:
                yield index


def _plan_several(rand: Callable[[], float], size: int, days: int) -> list[tuple[int, int]]:
    """(day offset, partner type) of a household's `size` signals, in date order.

    Either one partner month after month, or several partners around the same time, where
    sometimes the first partner reports again a month later. The sequence may start before
    the batch or run on after it (offsets outside 0..days): those signals are left out, as
    they would be when a stream of signals is cut into batches, so the dates stay uniform.
    """
    kind = rand()
    if kind < 0.45:
        t = bisect(_TYPE_CUTS, rand() * _TYPE_TOTAL)
        step = 28 + int(rand() * 4)
        span = step * (size - 1)
        first = int(rand() * (days + span + 1)) - span
        return [(first + i * step + int(rand() * 4), t) for i in range(size)]
    taken: list[int] = []
    while len(taken) < size:
        t = bisect(_TYPE_CUTS, rand() * _TYPE_TOTAL)
        if t not in taken:
            taken.append(t)
    window = 21
    first = int(rand() * (days + window + 1)) - window
    plan = [(first + int(rand() * (window + 1)), t) for t in taken]
    if kind > 0.8:  # the first partner reports again a month later
        plan[-1] = (plan[0][0] + 28 + int(rand() * 6), taken[0])
    plan.sort()
    return plan


@lru_cache(maxsize=1 << 16)
def _year(ordinal: int) -> int:
    return date.fromordinal(ordinal).year


def _finish(item: _Item, counters: list[int]) -> tuple[int, dict[str, str]]:
    """Give a row its partner reference ("HUUR-2026-000123"), numbered in file order."""
    index, t, year, row = item
    counters[t] += 1
    row["id"] = f"{_PARTNER_TYPES[t].id_prefix}-{year}-{counters[t]:06d}"
    return index, row


# --- CSV -------------------------------------------------------------------------------------


def write_csv(
    path: Path, rows: Iterable[dict[str, str]], columns: Sequence[str], delimiter: str = ";"
) -> int:
    """Stream `rows` to `path` as UTF-8 CSV with a header of `columns`; return the row count.

    Missing keys are written empty; keys outside `columns` are ignored. Quoting follows the
    csv module (minimal); rows that need none are joined directly, which is much faster.
    """
    names = tuple(columns)
    if not names:
        raise ValueError("columns must not be empty")
    getter = itemgetter(*names)
    single = len(names) == 1
    separators = len(names) - 1
    count = 0
    # Made-up people, but in the shape of real ones: the owner's only, as real data would be.
    fd = open_private(path)
    with open(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
        write = fh.write
        writer = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            count += 1
            try:
                values = (getter(row),) if single else getter(row)
            except KeyError:
                values = tuple(row.get(name, "") for name in names)
            try:
                line = delimiter.join(values)
            except TypeError:  # a value that is not a string
                writer.writerow(values)
                continue
            if (
                line.count(delimiter) != separators
                or '"' in line
                or "\n" in line
                or "\r" in line
                or (single and not line)
            ):
                writer.writerow(values)
            else:
                write(line + "\r\n")
    return count


# --- command line ----------------------------------------------------------------------------


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m outreach.demo.sample_data",
        description="Write synthetic sample data (signals, population register, debt-help "
        "clients) for the fictional municipality Voorbeeldstad.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("out", type=Path, help="the CSV file to write")
        p.add_argument("--seed", type=int, default=1)
        p.add_argument("--delimiter", default=";", help="CSV delimiter (default ';')")

    signals = sub.add_parser("signals", help="signal rows (formats/signals.md)")
    common(signals)
    signals.add_argument("--count", type=int, required=True, help="number of signals")
    signals.add_argument("--start", type=date.fromisoformat, help="first signaaldatum")
    signals.add_argument("--end", type=date.fromisoformat, help="last signaaldatum")
    signals.add_argument("--households", type=int, help="population size (default: --count)")
    for name, what in (
        ("register", "population-register rows for the first H households"),
        ("clients", "debt-help clients among the first H households (about 5%%)"),
    ):
        p = sub.add_parser(name, help=what)
        common(p)
        p.add_argument("--households", type=int, required=True, help="H")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """`signals OUT.csv --count N [--seed S --start D --end D --households H]`,
    `register OUT.csv --households H`, `clients OUT.csv --households H`.

    Without --end the signals end today; without --start, 90 days before the end.
    """
    args = _parse_args(argv)
    began = time.perf_counter()
    rows: Iterable[dict[str, str]]
    if args.command == "signals":
        end = args.end or date.today()
        start = args.start or end - timedelta(days=90)
        population = SamplePopulation(DEMO_AREA, args.households or max(args.count, 1), args.seed)
        rows, columns = population.signal_rows(args.count, start, end), SIGNAL_COLUMNS
    elif args.command == "register":
        population = SamplePopulation(DEMO_AREA, args.households, args.seed)
        rows, columns = population.register_rows(range(args.households)), REGISTER_COLUMNS
    else:
        population = SamplePopulation(DEMO_AREA, args.households, args.seed)
        rows, columns = population.client_rows(population.client_indices()), CLIENT_COLUMNS
    written = write_csv(args.out, rows, columns, args.delimiter)
    seconds = time.perf_counter() - began
    rate = written / seconds if seconds > 0 else float("inf")
    print(f"{args.out}: {written} rows in {seconds:.2f} s ({rate:,.0f} rows/s)", file=sys.stderr)


if __name__ == "__main__":
    main()
