"""Generated data for the report benchmark: a year of one municipality, written with COPY
(`outreach.core.bulk`) as the intake writes its rows.

`load_year` writes SIGNALS signals received through YEAR (local days, office hours and some
evenings) on about 0.8 cases a signal (a fifth of the cases have a second signal, a later one
or a repeat), 8% closed at screening; ATTEMPTS contact attempts over the followed-up cases
(0 to 10 each, the kinds and their reach after DOMAIN.md: a letter reaches 5%, a call 38%, a
visit 37%; only a case's last attempt can reach, as outreach stops there), offers for the
reached cases (37% accepted), calls and visits as tasks (done, expired, open for the cases
still running), partner feedback for the signals whose 28 days have passed, and the delivered
row (some 500 bytes) kept with the signals of the retention period. Runs in a process with
Django set up.
"""

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

CHUNK = 50_000
PARTNERS = [("Energie", 30), ("Zorg", 25), ("Huur", 20), ("Water", 15), ("Hypotheek", 5),
            ("CAK Eigen bijdrage", 5)]  # fmt: skip
LANGUAGES = [("", 85), ("tr", 4), ("ar", 4), ("pl", 3), ("en", 2), ("uk", 2)]
CAMPAIGNS = [("light", 30), ("standard", 40), ("intensive", 15), ("young", 10), ("crisis", 5)]
# Attempts per followed-up case, and the kinds in the order a campaign uses them.
ATTEMPT_COUNTS = [(0, 3), (1, 6), (2, 8), (3, 12), (4, 14), (5, 15), (6, 14), (7, 11), (8, 8),
                  (9, 5), (10, 4)]  # fmt: skip
SEQUENCE = ["Brief", "SMS/Whatsapp", "Telefoon", "Brief", "Huisbezoek", "Kaartje", "Telefoon",
            "Mail", "Huisbezoek", "Brief"]  # fmt: skip
REACH = {"Brief": 0.05, "SMS/Whatsapp": 0.07, "Telefoon": 0.38, "Huisbezoek": 0.37,
         "Kaartje": 0.15, "Mail": 0.10}  # fmt: skip
TASK_KINDS = {"Telefoon": "phone", "Huisbezoek": "visit"}
WORKERS = 12


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@cache
def _crisis_deadline(day: date) -> date:
    from outreach.intake.deadlines import signal_deadline

    return signal_deadline(day, True)


def _raw(n: int, partner: str, received: datetime) -> str:
    """A delivered row as the intake keeps it (Signal.raw): some 500 bytes of JSON."""
    return json.dumps(
        {"id": f"B{n}", "signaalpartner": partner, "partner_naam": f"{partner} Benchmark",
         "bedrag": "312,50", "ontstaansdatum": "2025-01-02",
         "signaaldatum": received.date().isoformat(), "crisissignaal": "nee", "bsn": "",
         "voorletters": "J.", "voornaam": "Jan", "voorvoegsel": "", "achternaam": f"Jansen{n}",
         "geboortedatum": "1980-01-01", "straatnaam": "Dorpsstraat",
         "plaatsnaam": "Voorbeeldstad", "postcode": "1234AB", "huisnummer": str(n),
         "huisnummertoevoeging": "", "telefoonnummer": "06 12345678",
         "email": f"jan{n}@example.nl", "klantnummer": ""},
        ensure_ascii=False,
    )  # fmt: skip


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def load_year(signals: int, attempts: int, year: int, now: datetime, seed: int = 2026) -> dict:
    """Write the year; returns what was written, by table. `now` should lie three months or
    more after the year, when every generated attempt has been made."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.utils import timezone

    from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
    from outreach.core import bulk
    from outreach.core.models import Municipality
    from outreach.intake.models import Household, Person, Signal, SignalPartner
    from outreach.reporting.models import PartnerFeedback

    rng = random.Random(seed)
    municipality = Municipality.objects.get(code="9999")
    mid = municipality.pk
    partners = {
        kind: SignalPartner.objects.get_or_create(type=kind, name=f"{kind} Benchmark")[0].pk
        for kind, _ in PARTNERS
    }
    workers = [
        User.objects.get_or_create(username=f"medewerker{n}", defaults={"first_name": f"M{n}"})[
            0
        ].pk
        for n in range(WORKERS)
    ]
    first_day, days = date(year, 1, 1), (date(year + 1, 1, 1) - date(year, 1, 1)).days
    today = timezone.localdate(now)

    # Cases: about 0.8 a signal; each has one signal, a fifth a second one.
    case_count = round(signals / 1.2)
    second = signals - case_count
    case_ids = bulk.reserve_ids(Case, case_count)
    household_ids = bulk.reserve_ids(Household, case_count)
    person_ids = bulk.reserve_ids(Person, case_count)
    received_days = sorted(first_day + timedelta(days=rng.randrange(days)) for _ in case_ids)

    def moment(day: date) -> datetime:
        clock = time(rng.choice([8, 9, 10, 11, 13, 14, 15, 16, 19]), rng.randrange(60))
        return timezone.make_aware(datetime.combine(day, clock))

    households, persons, cases, signal_rows = [], [], [], []
    followed: list[tuple[int, date, date, str, bool]] = []  # case, received, deadline, state
    for n, (cid, hid, pid, day) in enumerate(
        zip(case_ids, household_ids, person_ids, received_days, strict=True)
    ):
        postcode = f"{1000 + rng.randrange(60)}{rng.choice(['AB', 'CD', 'EF'])}"
        households.append((hid, mid, f"{postcode}|{n}|", postcode, n + 1, "", "Dorpsstraat",
                           "Voorbeeldstad"))  # fmt: skip
        born = None
        if rng.random() > 0.15:  # most partners give a birth date
            born = date(1940 + rng.randrange(65), 1 + rng.randrange(12), 1 + rng.randrange(28))
        persons.append((pid, mid, hid, f"p{n}", "", "", "J.", "Jan", "", f"Jansen{n}", born, "",
                        _pick(rng, LANGUAGES)))  # fmt: skip
        received = moment(day)
        screened = rng.random() < 0.08
        crisis = not screened and rng.random() < 0.03
        deadline = _crisis_deadline(day) if crisis else day + timedelta(days=28)
        kind = "single" if rng.random() < 0.67 else rng.choice(["multiple", "consecutive"])
        if screened:
            state = "closed"
        elif (date(year, 12, 31) - day).days > 30:  # the last month's cases still run
            state = rng.choice(["closed"] * 9 + ["help_offer"])
        else:
            state = rng.choice(["active", "active", "help_offer", "new", "paused", "closed"])
        result = "Niet opgepakt: onterecht signaal" if screened else (
            "Definitief geen contact kunnen krijgen" if state == "closed" else None)  # fmt: skip
        cases.append((cid, mid, hid, kind, day, day, rng.randrange(100), "medium", [],
                      _pick(rng, CAMPAIGNS), crisis, deadline, state, result, "", received,
                      received, rng.random() < 0.02 and state != "closed"))  # fmt: skip
        partner = _pick(rng, PARTNERS)
        status = "Niet opgepakt: onterecht signaal" if screened else "Nog niet opgepakt"
        signal_rows.append((cid, pid, hid, partner, status, received))
        if not screened:
            followed.append((cid, day, deadline, state, crisis))
    # The second signals: a later one (followed up, or a repeat) on a case that has one.
    for cid, pid, hid, _, status, received in rng.sample(signal_rows, second):
        later = received + timedelta(days=rng.randrange(1, 40))
        repeat = "Niet opgepakt: herhaalde melding" if rng.random() < 0.3 else status
        signal_rows.append((cid, pid, hid, _pick(rng, PARTNERS), repeat, later))
    written = {"cases": case_count, "signals": len(signal_rows)}

    for part in _chunks(households):
        bulk.insert(Household, ["id", "municipality", "key", "postcode", "house_number",
                                "addition", "street", "town"], part)  # fmt: skip
    for part in _chunks(persons):
        bulk.insert(Person, ["id", "municipality", "household", "key", "bsn_encrypted",
                             "bsn_index", "initials", "first_name", "prefix", "surname",
                             "birth_date", "email", "preferred_language"], part)  # fmt: skip
    for part in _chunks(cases):
        bulk.insert(Case, ["id", "municipality", "household", "kind", "matching_start",
                           "matching_end", "score", "tier", "reasons", "campaign", "crisis",
                           "deadline", "state", "result", "result_reason", "created_at",
                           "started_at", "at_risk"], part)  # fmt: skip
    signal_ids = bulk.reserve_ids(Signal, len(signal_rows))
    # The delivered row is kept for the retention period, then cleared (privacy.retention).
    kept_after = now - timedelta(days=settings.OUTREACH_RETENTION_DAYS)
    rows = [
        (sid, mid, partners[partner], partner, f"B{sid}", f"bench|{sid}", Decimal("312.50"),
         timezone.localdate(received), False, "", status, "", pid, hid, cid, received,
         _raw(sid, partner, received) if received >= kept_after else "")
        for sid, (cid, pid, hid, partner, status, received) in zip(signal_ids, signal_rows,
                                                                     strict=True)
    ]  # fmt: skip
    for part in _chunks(rows):
        bulk.insert(Signal, ["id", "municipality", "partner", "partner_type", "partner_ref",
                             "dedupe_key", "amount", "signal_date", "crisis", "customer_number",
                             "status", "screening", "person", "household", "case",
                             "received_at", "raw"], part)  # fmt: skip

    # Attempts: exactly `attempts` over the followed-up cases.
    counts = [_pick(rng, ATTEMPT_COUNTS) for _ in followed]
    while sum(counts) != attempts:
        i = rng.randrange(len(counts))
        step = 1 if sum(counts) < attempts else -1
        if 0 <= counts[i] + step <= len(SEQUENCE):
            counts[i] += step
    attempt_rows, offers, tasks = [], [], []
    for (cid, day, deadline, state, crisis), count in zip(followed, counts, strict=True):
        on = day + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2, 3, 5, 8, 30]))
        for index, kind in enumerate(SEQUENCE[:count]):
            last = index == count - 1
            reached = last and rng.random() < REACH[kind]
            personal = kind in TASK_KINDS
            dagdeel = rng.choice(["Middag", "Avond"]) if personal else "Ochtend"
            by = rng.choice(workers) if personal else None
            at = timezone.make_aware(datetime.combine(on, time(18 if dagdeel == "Avond" else 10)))
            attempt_rows.append((cid, kind, reached, on, dagdeel, at, by))
            if personal:
                tasks.append((mid, cid, f"t{index}", TASK_KINDS[kind], "done", 0, crisis,
                              deadline, on, on, False, "reached" if reached else "not_reached",
                              at, at, by))  # fmt: skip
            if reached:
                answer = rng.choice(["accepted"] * 37 + ["declined"] * 30 + ["pending"] * 33)
                offers.append((cid, on, kind, answer, None if answer == "pending" else on, at))
            on += timedelta(days=rng.randrange(1, 8))
        if state in ("active", "paused") and rng.random() < 0.5:
            planned = rng.choice([today + timedelta(days=rng.randrange(10)), None])
            tasks.append((mid, cid, "open", rng.choice(["phone", "visit"]), "open", 0, crisis,
                          deadline, today, planned, False, "", now, None, None))  # fmt: skip
        elif state == "closed" and rng.random() < 0.04:
            tasks.append((mid, cid, "expired", "visit", "expired", 0, crisis, deadline, day,
                          day + timedelta(days=5), False, "", now, None, None))  # fmt: skip
    for part in _chunks(attempt_rows):
        bulk.insert(ContactAttempt, ["case", "kind", "reached", "date", "dagdeel", "created_at",
                                     "made_by"], part)  # fmt: skip
    for part in _chunks(offers):
        bulk.insert(HelpOffer, ["case", "made_on", "kind", "answer", "answered_on",
                                "created_at"], part)  # fmt: skip
    for part in _chunks(tasks):
        bulk.insert(Task, ["municipality", "case", "step_key", "kind", "status", "priority",
                           "crisis", "deadline", "due_on", "planned_for", "evening", "outcome",
                           "created_at", "done_at", "assignee"], part)  # fmt: skip

    # Partner feedback for the signals whose 28 days have passed.
    cutoff = now - timedelta(days=28)
    feedback = [
        (cid, sid, partners[partner], mid, rng.choice(["not_reached", "helped", "not_picked_up"]),
         now, now, n + 1)
        for n, (sid, (cid, _, _, partner, _, received)) in enumerate(
            (s, r) for s, r in zip(signal_ids, signal_rows, strict=True) if r[5] < cutoff
        )
    ]  # fmt: skip
    for part in _chunks(feedback):
        bulk.insert(PartnerFeedback, ["case", "signal", "partner", "municipality", "outcome",
                                      "created_at", "changed_at", "change"], part)  # fmt: skip
    written.update(
        attempts=len(attempt_rows), offers=len(offers), tasks=len(tasks), feedback=len(feedback),
        households=len(households),
    )  # fmt: skip
    return written


def analyze() -> None:
    """VACUUM ANALYZE every table written: fresh statistics, and a visibility map as
    autovacuum would leave it."""
    from django.db import connection

    from outreach.casework.models import Case, ContactAttempt, HelpOffer, Task
    from outreach.core import bulk
    from outreach.intake.models import Household, Person, Signal
    from outreach.reporting.models import PartnerFeedback

    with connection.cursor() as cursor:
        for model in (Case, ContactAttempt, HelpOffer, Task, Household, Person, Signal,
                      PartnerFeedback):  # fmt: skip
            cursor.execute(f"VACUUM ANALYZE {bulk.table(model)}")
