"""Generated data for the cadence benchmarks: a campaign folder, and cases with planned steps
written with COPY (`outreach.core.bulk`), as the intake writes its rows.

Due steps are SMS steps ("sms1"; "sms2" and on for the tick benchmark's later ticks) of active
cases; waiting steps ("letter1", "call", "close") are due 1 to 30 days later. Loading runs in a
process with Django set up.
"""

import random
import shutil
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import ROOT

# The benchmark's own campaign, under every name the weighing framework uses: an SMS now, then
# a letter and a call (which the benchmarks only plan, never execute).
CAMPAIGN = """label = "Benchmark"

[[step]]
id = "sms1"
channel = "sms"
after_days = 0
requires = ["has_mobile"]

[[step]]
id = "letter1"
channel = "letter"
after_days = 3

[[step]]
id = "call"
channel = "phone_task"
after_days = 4
"""
CAMPAIGN_NAMES = ("light", "standard", "intensive", "crisis", "young")
WAITING = {"letter1": "letter", "call": "phone_task", "close": "close"}
CHUNK = 100_000  # rows built per COPY, so a million-row table never sits in memory at once


def write_campaigns(folder: Path) -> Path:
    """The campaign folder, checked as the engine loads it (a CampaignError tells what is
    wrong before any worker stumbles over it)."""
    from outreach.cadence.campaigns import load_campaigns

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ROOT / "campaigns" / "afwegingskader.toml", folder / "afwegingskader.toml")
    for name in CAMPAIGN_NAMES:
        (folder / f"{name}.toml").write_text(CAMPAIGN)
    load_campaigns(folder)
    return folder


def _chunks(count: int) -> Iterator[range]:
    for start in range(0, count, CHUNK):
        yield range(start, min(count, start + CHUNK))


def municipality_id() -> int:
    from outreach.core.models import Municipality

    return Municipality.objects.get(code="9999").pk


def _case_rows(ids: list[int], household_ids: list[int], now: datetime) -> list[tuple[Any, ...]]:
    today = now.date()
    mid = municipality_id()
    return [
        (pk, mid, hid, "single", today - timedelta(days=20), today - timedelta(days=20),
         30, "medium", [], "standard", False, today + timedelta(days=40), "active", "",
         now - timedelta(days=3), now - timedelta(days=3))
        for pk, hid in zip(ids, household_ids, strict=True)
    ]  # fmt: skip


CASE_COLUMNS = [
    "id", "municipality", "household", "kind", "matching_start", "matching_end", "score",
    "tier", "reasons", "campaign", "crisis", "deadline", "state", "result_reason",
    "created_at", "started_at",
]  # fmt: skip
STEP_COLUMNS = ["case", "key", "campaign", "channel", "due_at", "status"]


def _due_step(
    case_id: int, now: datetime, rng: random.Random, key: str = "sms1"
) -> tuple[Any, ...]:
    # Due within the hour before `now`: what one tick finds after a pause, or in the morning.
    due = now - timedelta(seconds=rng.randrange(3600))
    return (case_id, key, "standard", "sms", due, "planned")


TICK_SPACING = timedelta(hours=1)


def tick_time(now: datetime, tick: int) -> datetime:
    """When tick number `tick` (0, 1, ...) of the tick benchmark runs: an hour apart."""
    return now + tick * TICK_SPACING


LAYOUTS = ("started", "scattered")


def due_cases(
    cases: int, due: int, ticks: int, layout: str, rng: random.Random
) -> list[Sequence[int]]:
    """For each tick, the indexes of the cases whose step is due then.

    "started": as planning writes them. A campaign's steps are written when it starts, so the
    steps due at one moment belong to cases that started together (day 3's SMS: the cases of
    three days ago) and lie side by side in the table: one run of cases per tick.
    "scattered": the worst case, every due step on a case drawn at random, so that one tick
    touches as many table and index pages as it has due steps (a table churned by years of
    updates tends that way)."""
    if layout == "scattered" or due == 0:
        return [rng.sample(range(cases), due) for _ in range(ticks)]
    if due > cases:
        raise ValueError(f"{due} due cases do not fit in {cases} cases")
    # A run per tick; in a small table the runs overlap (a case then has a step due at
    # several ticks, keyed apart).
    starts = [rng.randrange(cases - due + 1) for _ in range(ticks)]
    return [range(start, start + due) for start in starts]


def load_waiting(
    cases: int,
    per_case: int,
    due: int,
    now: datetime,
    ticks: int = 1,
    seed: int = 2026,
    layout: str = "started",
) -> int:
    """`cases` active cases with `per_case` waiting steps each (1 to 3), and for each of
    `ticks` ticks `due` SMS steps due in the hour before it (see `tick_time`), on the cases
    `due_cases` picks for `layout`; returns the planned steps written. The due steps of later
    ticks wait meanwhile. Only what the tick reads: the cases point at households that are not
    written."""
    from outreach.cadence.models import PlannedStep
    from outreach.casework.models import Case
    from outreach.core import bulk

    rng = random.Random(seed)
    ids = bulk.reserve_ids(Case, cases)
    for part in _chunks(cases):
        chunk = ids[part.start : part.stop]
        bulk.insert(Case, CASE_COLUMNS, _case_rows(chunk, chunk, now))
    # A due step lies beside its case's waiting steps, as planning writes them.
    due_on: dict[int, list[int]] = {}
    for tick, picked in enumerate(due_cases(cases, due, ticks, layout, rng)):
        for i in picked:
            due_on.setdefault(i, []).append(tick)
    written = 0
    for part in _chunks(cases):
        rows = []
        for i in part:
            for key in list(WAITING)[:per_case]:
                later = now + timedelta(days=1 + rng.randrange(30), minutes=rng.randrange(600))
                rows.append((ids[i], key, "standard", WAITING[key], later, "planned"))
            for tick in due_on.get(i, ()):
                rows.append(_due_step(ids[i], tick_time(now, tick), rng, f"sms{tick + 1}"))
        written += bulk.insert(PlannedStep, STEP_COLUMNS, rows)
    return written


def load_reachable(cases: int, now: datetime, first: int = 0, seed: int = 2026) -> list[int]:
    """`cases` active cases each with a household, a person with a mobile number, a signal and
    an SMS step due: everything execution reads. `first` numbers keys apart between calls.
    Returns the steps' case ids."""
    from outreach.cadence.models import PlannedStep
    from outreach.casework.models import Case
    from outreach.core import bulk
    from outreach.intake.models import Household, Person, PhoneNumber, Signal, SignalPartner

    rng = random.Random(seed + first)
    mid = municipality_id()
    partner, _ = SignalPartner.objects.get_or_create(type="Energie", name="Benchmark Energie")
    household_ids = bulk.reserve_ids(Household, cases)
    person_ids = bulk.reserve_ids(Person, cases)
    case_ids = bulk.reserve_ids(Case, cases)
    today = now.date()
    for part in _chunks(cases):
        hids = household_ids[part.start : part.stop]
        pids = person_ids[part.start : part.stop]
        cids = case_ids[part.start : part.stop]
        numbers = [first + i for i in part]
        bulk.insert(
            Household,
            ["id", "municipality", "key", "postcode", "house_number", "addition", "street",
             "town"],
            [(hid, mid, f"{1000 + n % 9000}AB|{n}|", f"{1000 + n % 9000}AB", n, "",
              "Dorpsstraat", "Voorbeeldstad") for hid, n in zip(hids, numbers, strict=True)],
        )  # fmt: skip
        bulk.insert(
            Person,
            ["id", "municipality", "household", "key", "bsn_encrypted", "bsn_index", "initials",
             "first_name",
             "prefix", "surname", "birth_date", "email", "preferred_language"],
            [(pid, mid, hid, f"p{n}", "", "", "J.", "Jan", "", f"Jansen{n}", date(1980, 1, 1), "",
              "") for pid, hid, n in zip(pids, hids, numbers, strict=True)],
        )  # fmt: skip
        bulk.insert(
            PhoneNumber,
            ["person", "e164", "kind"],
            [(pid, f"+316{n:08d}", "mobile") for pid, n in zip(pids, numbers, strict=True)],
        )
        bulk.insert(Case, CASE_COLUMNS, _case_rows(cids, hids, now))
        bulk.insert(
            Signal,
            ["municipality", "partner", "partner_type", "partner_ref", "dedupe_key", "amount",
             "signal_date", "crisis", "customer_number", "status", "screening", "person",
             "household", "case", "received_at", "raw"],
            [(mid, partner.pk, "Energie", f"E{n}", f"bench|{n}", Decimal("312.50"),
              today - timedelta(days=20), False, "", "Nog niet opgepakt", "", pid, hid, cid,
              now - timedelta(days=20), "")
             for pid, hid, cid, n in zip(pids, hids, cids, numbers, strict=True)],
        )  # fmt: skip
        bulk.insert(PlannedStep, STEP_COLUMNS, [_due_step(cid, now, rng) for cid in cids])
    return case_ids


def analyze() -> None:
    """VACUUM ANALYZE every table written: fresh statistics, and a visibility map as
    autovacuum would leave it."""
    from django.db import connection

    from outreach.cadence.models import PlannedStep
    from outreach.casework.models import Case
    from outreach.core import bulk
    from outreach.intake.models import Household, Person, PhoneNumber, Signal

    with connection.cursor() as cursor:
        for model in (PlannedStep, Case, Household, Person, PhoneNumber, Signal):
            cursor.execute(f"VACUUM ANALYZE {bulk.table(model)}")
