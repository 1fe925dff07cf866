"""Tests for the synthetic sample data (outreach.demo.sample_data)."""

from __future__ import annotations

import csv
import re
import tracemalloc
from collections import Counter, defaultdict
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from outreach.demo.sample_data import (
    CLIENT_COLUMNS,
    DEMO_AREA,
    REGISTER_COLUMNS,
    SIGNAL_COLUMNS,
    SamplePopulation,
    write_csv,
)

START, END = date(2026, 6, 1), date(2026, 11, 27)
DDAS_PARTNERS = {
    "Energie",
    "Huur",
    "Hypotheek",
    "CAK Zorgverzekeringen",
    "Zorg",
    "Water",
    "DUO",
    "Belastingdienst",
    "CAK Eigen bijdrage",
    "Overige",
    "Dienst Toeslagen",
}
REQUIRED = ("signaalpartner", "bedrag", "signaaldatum", "achternaam", "postcode", "huisnummer")
POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Za-z]{2})$")


# --- small local helpers (independent of the module under test) ------------------------------


def eleven_test(bsn: str) -> bool:
    if not re.fullmatch(r"\d{9}", bsn):
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, bsn, strict=True)) % 11 == 0


def parse_date(text: str) -> date:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    day, month, year = re.split(r"[-/]", text)
    return date(int(year), int(month), int(day))


def parse_amount(text: str) -> float:
    text = text.replace("€", "").strip()
    if "," in text:  # Dutch: dots group thousands, the comma is the decimal separator
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def norm(text: str) -> str:
    return re.sub(r"[\s-]", "", text).upper()


def address_key(row: dict[str, str]) -> tuple[str, str]:
    return norm(row["postcode"]), norm(row["huisnummer"] + row["huisnummertoevoeging"])


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def population() -> SamplePopulation:
    return SamplePopulation(DEMO_AREA, households=20_000, seed=7)


@pytest.fixture(scope="module")
def records(population: SamplePopulation) -> list[tuple[int, dict[str, str]]]:
    return list(population.signal_records(20_000, START, END))


@pytest.fixture(scope="module")
def rows(records: list[tuple[int, dict[str, str]]]) -> list[dict[str, str]]:
    return [row for _, row in records]


def share(items: list[dict[str, str]], predicate) -> float:
    return sum(1 for row in items if predicate(row)) / len(items)


# --- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_the_same_rows() -> None:
    first = list(SamplePopulation(DEMO_AREA, 3000, seed=3).signal_rows(2000, START, END))
    again = list(SamplePopulation(DEMO_AREA, 3000, seed=3).signal_rows(2000, START, END))
    assert len(first) == 2000
    assert first == again


def test_a_different_seed_gives_different_rows() -> None:
    first = list(SamplePopulation(DEMO_AREA, 3000, seed=3).signal_rows(2000, START, END))
    other = list(SamplePopulation(DEMO_AREA, 3000, seed=4).signal_rows(2000, START, END))
    without_id = [{k: v for k, v in row.items() if k != "id"} for row in first]
    other_without_id = [{k: v for k, v in row.items() if k != "id"} for row in other]
    same = sum(1 for row in without_id if row in other_without_id)
    assert same < 20
    assert SamplePopulation(DEMO_AREA, 100, seed=3).household(5) != SamplePopulation(
        DEMO_AREA, 100, seed=4
    ).household(5)


def test_household_depends_only_on_seed_and_index() -> None:
    population = SamplePopulation(DEMO_AREA, 1_000_000, seed=11)
    late = population.household(999_999)
    for index in range(50):  # touching other households changes nothing
        population.household(index)
    fresh = SamplePopulation(DEMO_AREA, 1_000_000, seed=11)
    assert fresh.household(999_999) == late
    assert fresh.household(12) == population.household(12)
    assert population.household(12) != population.household(13)
    assert late.index == 999_999


def test_household_index_outside_the_population_is_refused() -> None:
    population = SamplePopulation(DEMO_AREA, 10)
    with pytest.raises(IndexError):
        population.household(10)
    with pytest.raises(IndexError):
        population.household(-1)
    with pytest.raises(ValueError):
        SamplePopulation(DEMO_AREA, 0)
    with pytest.raises(ValueError):
        list(population.signal_rows(5, END, START))


def test_addresses_are_unique_within_a_population() -> None:
    population = SamplePopulation(DEMO_AREA, 5000, seed=2)
    addresses = Counter(
        (hh.postcode, hh.huisnummer, hh.toevoeging) for hh in map(population.household, range(5000))
    )
    assert len(addresses) == 5000


# --- shape of the rows -----------------------------------------------------------------------


def test_signal_columns_follow_the_format() -> None:
    assert SIGNAL_COLUMNS[:4] == ("id", "signaalpartner", "partner_naam", "bedrag")
    assert len(SIGNAL_COLUMNS) == 21
    assert len(set(SIGNAL_COLUMNS)) == 21


def test_every_row_has_the_columns_and_the_required_values(rows: list[dict[str, str]]) -> None:
    assert len(rows) == 20_000
    for row in rows:
        assert tuple(row) == SIGNAL_COLUMNS
        assert all(isinstance(value, str) for value in row.values())
        for column in REQUIRED:
            assert row[column], (column, row)
        assert row["signaalpartner"] in DDAS_PARTNERS


def test_partner_mix_matches_the_domain(rows: list[dict[str, str]]) -> None:
    counts = Counter(row["signaalpartner"] for row in rows)
    fractions = {name: n / len(rows) for name, n in counts.items()}
    assert 0.30 <= fractions["Zorg"] <= 0.40
    assert 0.21 <= fractions["Energie"] <= 0.29
    assert 0.16 <= fractions["Huur"] <= 0.24
    assert 0.12 <= fractions["Water"] <= 0.18
    others = 1 - sum(fractions[n] for n in ("Zorg", "Energie", "Huur", "Water"))
    assert 0.03 <= others <= 0.08
    assert {"Hypotheek", "CAK Zorgverzekeringen", "DUO", "Overige"} <= set(counts)
    names = defaultdict(set)
    for row in rows:
        names[row["signaalpartner"]].add(row["partner_naam"])
    assert len(names["Huur"]) >= 2 and len(names["Energie"]) >= 2
    assert all(name for row in rows for name in [row["partner_naam"]])


def test_ids_are_unique_per_partner_and_carry_the_signal_year(rows: list[dict[str, str]]) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        match = re.fullmatch(r"([A-Z]+)-(\d{4})-(\d{6})", row["id"])
        assert match, row["id"]
        assert int(match.group(2)) == parse_date(row["signaaldatum"]).year
        assert row["id"] not in seen[row["signaalpartner"]]
        seen[row["signaalpartner"]].add(row["id"])
    assert any(row["id"].startswith("HUUR-2026-") for row in rows)


# --- households and signals over time --------------------------------------------------------


def test_about_a_third_of_households_get_several_signals(
    records: list[tuple[int, dict[str, str]]],
) -> None:
    per_household = Counter(index for index, _ in records)
    multi = sum(1 for n in per_household.values() if n > 1) / len(per_household)
    assert 0.28 <= multi <= 0.40
    assert max(per_household.values()) <= 4
    single_signals = sum(1 for n in per_household.values() if n == 1) / len(records)
    assert 0.35 <= single_signals <= 0.55


def test_multi_signal_households_have_other_partners_or_repeats(
    records: list[tuple[int, dict[str, str]]],
) -> None:
    by_household: dict[int, list[dict[str, str]]] = defaultdict(list)
    for index, row in records:
        by_household[index].append(row)
    several_partners = repeats = 0
    for signals in by_household.values():
        if len(signals) < 2:
            continue
        partners = Counter(row["signaalpartner"] for row in signals)
        several_partners += len(partners) > 1
        for partner, n in partners.items():
            if n < 2:
                continue
            dates = sorted(
                parse_date(row["signaaldatum"])
                for row in signals
                if row["signaalpartner"] == partner
            )
            gaps = [(b - a).days for a, b in pairwise(dates)]
            assert min(gaps) >= 25, gaps  # a repeat comes about a month later
            assert max(gaps) <= 40, gaps
            starts = {row["ontstaansdatum"] for row in signals if row["signaalpartner"] == partner}
            assert len(starts) == 1  # the same arrears, reported again
            repeats += 1
    assert several_partners > 1000
    assert repeats > 1000


def test_the_same_household_keeps_its_address_in_any_notation(
    population: SamplePopulation, records: list[tuple[int, dict[str, str]]]
) -> None:
    by_household: dict[int, list[dict[str, str]]] = defaultdict(list)
    for index, row in records:
        by_household[index].append(row)
    varied = 0
    for index, signals in by_household.items():
        hh = population.household(index)
        expected = (hh.postcode, f"{hh.huisnummer}{hh.toevoeging}".upper())
        assert {address_key(row) for row in signals} == {expected}
        raw = {(row["postcode"], row["huisnummer"], row["huisnummertoevoeging"]) for row in signals}
        varied += len(raw) > 1
        for row in signals:
            assert row["straatnaam"] in ("", hh.straatnaam)
            assert row["plaatsnaam"] in ("", "Voorbeeldstad")
    assert varied > 500  # notations really differ between signals of one household


def test_house_number_additions_come_in_several_notations(rows: list[dict[str, str]]) -> None:
    numbers = [row["huisnummer"] for row in rows]
    assert any(re.fullmatch(r"\d+[A-D]", n) for n in numbers)  # 12A
    assert any(re.fullmatch(r"\d+-[a-d]", n) for n in numbers)  # 12-a
    assert any(re.fullmatch(r"\d+ [A-D]", n) for n in numbers)  # 12 A
    assert any(re.fullmatch(r"\d+-\d", n) for n in numbers)  # 12-2
    separate = [row for row in rows if row["huisnummertoevoeging"]]
    assert separate and all(row["huisnummer"].isdigit() for row in separate)
    with_addition = share(
        rows, lambda r: not r["huisnummer"].isdigit() or r["huisnummertoevoeging"]
    )
    assert 0.06 <= with_addition <= 0.2


def test_signal_dates_are_spread_over_the_range(rows: list[dict[str, str]]) -> None:
    months = Counter()
    for row in rows:
        signaal = parse_date(row["signaaldatum"])
        ontstaan = parse_date(row["ontstaansdatum"])
        assert START <= signaal <= END
        assert 30 <= (signaal - ontstaan).days <= 122 + 3 * 35
        months[signaal.month] += 1
    assert set(months) == {6, 7, 8, 9, 10, 11}
    # uniform: 30 or 31 of the 180 days, so about 17% each; November has 27 days
    assert all(0.145 <= months[m] / len(rows) <= 0.19 for m in (6, 7, 8, 9, 10))
    notations = Counter(
        "iso" if "-" in row["signaaldatum"][:5] and row["signaaldatum"][4] == "-" else "nl"
        for row in rows
    )
    assert notations["iso"] > notations["nl"] > 0


def test_signals_come_one_to_four_months_after_the_arrears_began(
    records: list[tuple[int, dict[str, str]]],
) -> None:
    gaps = [
        (parse_date(row["signaaldatum"]) - parse_date(row["ontstaansdatum"])).days
        for _, row in records
    ]
    # a repeat signal keeps the start of its arrears, so it can be up to 3 months later
    assert all(30 <= gap <= 122 + 3 * 34 for gap in gaps)
    assert sum(1 for gap in gaps if gap <= 122) / len(gaps) >= 0.8
    assert 60 <= sorted(gaps)[len(gaps) // 2] <= 100


def test_crisis_signals_are_rare_and_mostly_energy(rows: list[dict[str, str]]) -> None:
    assert {row["crisissignaal"] for row in rows} == {"ja", "nee", ""}
    crisis = [row for row in rows if row["crisissignaal"] == "ja"]
    assert 0.02 <= len(crisis) / len(rows) <= 0.045
    by_partner = Counter(row["signaalpartner"] for row in crisis)
    assert by_partner["Energie"] / len(crisis) >= 0.65
    assert set(by_partner) <= {"Energie", "Huur"}
    assert by_partner["Huur"] > 0


# --- amounts ---------------------------------------------------------------------------------


def test_amounts_are_positive_and_plausible_per_partner(rows: list[dict[str, str]]) -> None:
    amounts: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        value = parse_amount(row["bedrag"])
        assert value > 0
        amounts[row["signaalpartner"]].append(value)

    def median(name: str) -> float:
        values = sorted(amounts[name])
        return values[len(values) // 2]

    assert 200 <= median("Zorg") <= 600
    assert 800 <= median("Huur") <= 2200
    assert 150 <= median("Energie") <= 800
    assert 50 <= median("Water") <= 250
    assert max(amounts["Huur"]) <= 4000
    small = sum(1 for values in amounts.values() for v in values if v < 50) / len(rows)
    assert 0.01 <= small <= 0.07  # a few, for a threshold to filter


def test_amounts_are_mostly_in_dutch_notation(rows: list[dict[str, str]]) -> None:
    texts = [row["bedrag"] for row in rows]
    dutch = sum(1 for t in texts if re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{2}|\d+,\d{2}", t))
    assert dutch / len(texts) >= 0.6
    assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+,\d{2}", t) for t in texts)  # 1.234,56
    assert any(re.fullmatch(r"\d+\.\d{2}", t) for t in texts)  # 450.00
    assert any(re.fullmatch(r"€ \d{1,3}(\.\d{3})*,\d{2}", t) for t in texts)  # € 45,00
    assert any(re.fullmatch(r"\d+", t) for t in texts)  # 45


# --- people and contact data -----------------------------------------------------------------


def test_bsns_pass_the_eleven_test(rows: list[dict[str, str]]) -> None:
    bsns = [row["bsn"] for row in rows if row["bsn"]]
    assert 0.33 <= len(bsns) / len(rows) <= 0.47
    assert all(eleven_test(bsn) for bsn in bsns)


def test_every_person_has_an_own_bsn() -> None:
    population = SamplePopulation(DEMO_AREA, 20_000, seed=5)
    bsns = [
        person.bsn
        for index in range(0, 20_000, 2)
        for person in population.household(index).persons
    ]
    assert len(bsns) == len(set(bsns))
    assert all(eleven_test(bsn) for bsn in bsns)


def test_postcodes_are_valid_and_from_the_area(rows: list[dict[str, str]]) -> None:
    forms = Counter()
    for row in rows:
        match = POSTCODE.fullmatch(row["postcode"])
        assert match, row["postcode"]
        digits, letters = match.groups()
        assert digits in DEMO_AREA.postcode_areas
        assert letters.upper() not in {"SA", "SD", "SS"}
        assert not set(letters.upper()) & set("FIOQUY")
        forms[(" " in row["postcode"], letters.islower())] += 1
    assert len(forms) == 4  # "3811AB", "3811 AB", "3811ab", "3811 ab"
    assert forms[(False, False)] / len(rows) >= 0.5


def test_names_look_dutch_and_are_well_formed(rows: list[dict[str, str]]) -> None:
    prefixes = {row["voorvoegsel"] for row in rows}
    assert {"", "de", "van", "van der", "van den"} <= prefixes
    for row in rows:
        if row["voorletters"]:
            assert re.fullmatch(r"(\w\.){1,3}", row["voorletters"]), row["voorletters"]
            assert row["voorletters"].replace(".", "").isupper()
            if row["voornaam"]:
                assert row["voorletters"][0] == row["voornaam"][0]
    assert share(rows, lambda r: bool(re.fullmatch(r"(\w\.){2,3}", r["voorletters"]))) > 0.2
    assert share(rows, lambda r: r["achternaam"].startswith(("de ", "van "))) > 0.005


def test_birth_dates_cover_adults_and_young_adults(rows: list[dict[str, str]]) -> None:
    births = [parse_date(row["geboortedatum"]) for row in rows if row["geboortedatum"]]
    assert 0.65 <= len(births) / len(rows) <= 0.9
    assert all(date(1940, 1, 1) <= b <= date(2006, 12, 31) for b in births)
    young = sum(1 for b in births if b.year >= 1999) / len(births)
    assert 0.1 <= young <= 0.3
    assert sum(1 for b in births if b.year < 1960) / len(births) > 0.15
    assert max(Counter(births).values()) < 20  # no pile-up on one date


def test_phone_numbers_are_valid_dutch_numbers_in_mixed_notation(
    rows: list[dict[str, str]],
) -> None:
    phonenumbers = pytest.importorskip("phonenumbers")
    phones = [row["telefoonnummer"] for row in rows if row["telefoonnummer"]]
    assert 0.5 <= len(phones) / len(rows) <= 0.7
    kinds = Counter()
    for text in phones:
        number = phonenumbers.parse(text, "NL")
        assert phonenumbers.is_valid_number(number), text
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        assert e164.startswith("+31")
        if e164.startswith("+316"):
            assert e164[4] in "12345", text
            kinds["mobile"] += 1
        else:
            kinds["landline"] += 1
    assert kinds["mobile"] > 3 * kinds["landline"] > 0
    assert any(t.startswith("06-") for t in phones)
    assert any(t.startswith("+31 6 ") for t in phones)
    assert any(t.startswith("00316") for t in phones)
    assert any(re.fullmatch(r"0\d{2}-\d{7}", t) for t in phones)


def test_email_addresses_use_example_domains_only(rows: list[dict[str, str]]) -> None:
    emails = [row["email"] for row in rows if row["email"]]
    assert 0.22 <= len(emails) / len(rows) <= 0.38
    for email in emails:
        assert re.fullmatch(r"[a-z0-9._]+@example\.(org|net|com)", email), email


def test_customer_number_only_for_energy(rows: list[dict[str, str]]) -> None:
    for row in rows:
        assert bool(row["klantnummer"]) == (row["signaalpartner"] == "Energie")


def test_a_household_has_adults_and_sometimes_children() -> None:
    population = SamplePopulation(DEMO_AREA, 5000, seed=9)
    households = [population.household(i) for i in range(5000)]
    adults = Counter(len(hh.persons) for hh in households)
    assert set(adults) == {1, 2}
    assert 0.35 <= adults[2] / 5000 <= 0.6
    with_minors = sum(1 for hh in households if hh.minderjarigen) / 5000
    assert 0.2 <= with_minors <= 0.5
    for hh in households:
        assert hh.plaatsnaam == "Voorbeeldstad"
        assert hh.straatnaam in DEMO_AREA.streets
        assert re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", hh.postcode)


# --- register and clients --------------------------------------------------------------------


def test_register_rows_describe_the_registered_adults() -> None:
    population = SamplePopulation(DEMO_AREA, 4000, seed=8)
    register = list(population.register_rows(range(4000)))
    by_bsn = {row["bsn"]: row for row in register}
    missing = deceased = 0
    for index in range(4000):
        hh = population.household(index)
        if not hh.registered:
            missing += 1
            assert all(person.bsn not in by_bsn for person in hh.persons)
            continue
        for person in hh.persons:
            row = by_bsn[person.bsn]
            assert (row["postcode"], row["huisnummer"]) == (hh.postcode, str(hh.huisnummer))
            assert row["huisnummertoevoeging"] == hh.toevoeging
            assert row["achternaam"] == person.achternaam
            assert row["minderjarigen"] == str(hh.minderjarigen)
            deceased += bool(row["overlijdensdatum"])
    assert all(tuple(row) == REGISTER_COLUMNS for row in register)
    assert all(eleven_test(row["bsn"]) for row in register)
    assert 0.01 <= missing / 4000 <= 0.06
    assert 5 <= deceased <= 100
    for row in register:
        if row["overlijdensdatum"]:
            assert date.fromisoformat(row["overlijdensdatum"]) > date.fromisoformat(
                row["geboortedatum"]
            )


def test_signal_bsns_belong_to_the_person_in_the_register(
    population: SamplePopulation, records: list[tuple[int, dict[str, str]]]
) -> None:
    checked = 0
    for index, row in records[:3000]:
        if not row["bsn"]:
            continue
        persons = {p.bsn: p for p in population.household(index).persons}
        person = persons[row["bsn"]]
        assert row["achternaam"].endswith(person.achternaam)
        checked += 1
    assert checked > 500


def test_client_rows_are_the_main_persons() -> None:
    population = SamplePopulation(DEMO_AREA, 6000, seed=8)
    indices = list(population.client_indices())
    assert 0.03 <= len(indices) / 6000 <= 0.07
    assert all(population.household(i).debt_help_client for i in indices)
    clients = list(population.client_rows(indices))
    assert len(clients) == len(indices)
    for index, row in zip(indices, clients, strict=True):
        hh = population.household(index)
        assert tuple(row) == CLIENT_COLUMNS
        assert row["bsn"] == hh.persons[0].bsn
        assert row["postcode"] == hh.postcode


# --- CSV and command line --------------------------------------------------------------------


def test_write_csv_round_trips(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    sample = rows[:3000]
    for delimiter in (";", ","):
        path = tmp_path / f"signals{delimiter!r}.csv"
        assert write_csv(path, iter(sample), SIGNAL_COLUMNS, delimiter=delimiter) == 3000
        with path.open(encoding="utf-8", newline="") as fh:
            back = list(csv.DictReader(fh, delimiter=delimiter))
        assert back == sample
    raw = (tmp_path / "signals';'.csv").read_bytes()
    assert raw.startswith(b"id;signaalpartner;partner_naam;bedrag;")
    assert "€".encode() in raw or "Ö".encode() in raw or "ş".encode() in raw


def test_write_csv_quotes_awkward_values_and_fills_missing_ones(tmp_path: Path) -> None:
    rows = [
        {"a": 'say "hi"', "b": "x;y", "c": "two\nlines"},
        {"a": "plain", "c": "no b", "extra": "ignored"},
    ]
    path = tmp_path / "awkward.csv"
    assert write_csv(path, rows, ["a", "b", "c"]) == 2
    with path.open(encoding="utf-8", newline="") as fh:
        back = list(csv.DictReader(fh, delimiter=";"))
    assert back == [
        {"a": 'say "hi"', "b": "x;y", "c": "two\nlines"},
        {"a": "plain", "b": "", "c": "no b"},
    ]


def test_generation_streams_in_constant_memory(tmp_path: Path) -> None:
    # 50,000 rows held in memory would take well over 50 MB; streamed they take a few.
    population = SamplePopulation(DEMO_AREA, 50_000, seed=1)
    tracemalloc.start()
    try:
        written = write_csv(
            tmp_path / "big.csv", population.signal_rows(50_000, START, END), SIGNAL_COLUMNS
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written == 50_000
    assert peak < 15 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
