"""The DDAS export of a large municipality: `python -m bench.ddas_export_bench SIGNALS SMALL NOW`.

Loads SIGNALS signals received over April 2026 (COPY, as the intake writes its rows: one in ten
households with a second signal in the same case, four contact attempts per signal, seven in
ten cases closed with a result, one in twenty people anonymised) and a tenth as many in March,
outside the period; then VACUUM ANALYZE, as autovacuum would have left tables this old.

Then exports, each in a fresh process of its own so that the peak memory is the export's: the
first SMALL signals' days (SMALL = 10,000: 1 to 3 April) and the whole month, with the
streaming export (`outreach.reporting.ddas_export.write_delivery`) and with the naive one
beside it (below: the ORM's objects for every row, the document built as one dict,
`json.dumps` at the end). Each export runs twice: timed with the peak RSS growth over the
process before the export, and again under tracemalloc for the peak of Python's allocations
(tracemalloc slows Python down, so its run is not timed). The small exports of both are
checked to be the same document, valid by the schema.

Measuring in a process of its own: `python -m bench.ddas_export_bench measure METHOD START END
OUT TRACE NOW`. Prints one JSON line.
"""

import gc
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import django

from bench.common import ROOT, WORK

PERIOD = (date(2026, 4, 1), date(2026, 4, 30))
KINDS = ("Brief", "SMS/Whatsapp", "Telefoon", "Huisbezoek")
DAGDELEN = ("Ochtend", "Middag", "Avond")
RESULTS = (
    "Definitief geen contact kunnen krijgen",
    "Inwoner hoeft geen hulp vanuit vroegsignalering",
    "(Budget)advies en/of quick fix",
    "Vervolghulp en/of verwijzing financieel",
    "Niet opgepakt: onterecht signaal",
)
CHUNK = 20_000  # rows built per COPY


def local(day: date, hour: int, minute: int = 0) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def load(signals: int, now: datetime) -> dict[str, int]:
    """SIGNALS signals in April and a tenth as many in March; returns the rows written."""
    from django.db import connection

    from outreach.core import bulk
    from outreach.core.models import Municipality

    municipality = Municipality.objects.get(code="9999")
    written = {"signals": 0, "cases": 0, "attempts": 0}
    april_days = (PERIOD[1] - PERIOD[0]).days + 1
    for first in range(0, signals, CHUNK):
        part = range(first, min(signals, first + CHUNK))
        _load_part(municipality.pk, part, signals, PERIOD[0], april_days, now, written)
    march = signals // 10
    for first in range(0, march, CHUNK):
        part = range(first, min(march, first + CHUNK))
        _load_part(municipality.pk, part, march, date(2026, 3, 1), 31, now, written, "M")
    # Fresh statistics, and the visibility map and hint bits as autovacuum leaves them on rows
    # this old: otherwise the first export to read the new rows pays for writing them.
    with connection.cursor() as cursor:
        for model in _models():
            cursor.execute(f"VACUUM ANALYZE {bulk.table(model)}")
    return written


def _models() -> list[Any]:
    from outreach.casework.models import Case, ContactAttempt
    from outreach.intake.models import Household, Person, Signal

    return [Household, Person, Case, Signal, ContactAttempt]


def _load_part(
    mid: int,
    part: range,
    total: int,
    first_day: date,
    days: int,
    now: datetime,
    written: dict[str, int],
    tag: str = "",
) -> None:
    """Signals number `part` of `total`, received evenly over `days` days from `first_day`
    (signal i on day i * days // total). Every tenth signal's household gets the next signal
    too, in the same case (a multiple case: energy and rent)."""
    from outreach.casework.models import Case, ContactAttempt
    from outreach.core import bulk
    from outreach.intake.models import (
        ANONYMISED_KEY_PREFIX,
        ANONYMOUS,
        Household,
        Person,
        Signal,
        SignalPartner,
    )

    energy, _ = SignalPartner.objects.get_or_create(type="Energie", name="Benchmark Energie")
    rent, _ = SignalPartner.objects.get_or_create(type="Huur", name="Benchmark Huur")
    # A household (and its person and case) per signal, except the second of a pair.
    owners = [i for i in part if i % 10 != 1]
    households = dict(zip(owners, bulk.reserve_ids(Household, len(owners)), strict=True))
    persons = dict(zip(owners, bulk.reserve_ids(Person, len(owners)), strict=True))
    cases = dict(zip(owners, bulk.reserve_ids(Case, len(owners)), strict=True))
    anonymised = {i for i in owners if i % 20 == 7}
    bulk.insert(
        Household,
        ["id", "municipality", "key", "postcode", "house_number", "addition", "street", "town"],
        [
            (hid, mid, f"{ANONYMISED_KEY_PREFIX}{hid}", f"{1000 + i % 9000}", 0, "", "",
             "Voorbeeldstad")
            if i in anonymised
            else (hid, mid, f"{tag}{i}|{1000 + i % 9000}AB|{i % 200 + 1}", f"{1000 + i % 9000}AB",
                  i % 200 + 1, "A" if i % 7 == 0 else "", "Dorpsstraat", "Voorbeeldstad")
            for i, hid in households.items()
        ],
    )  # fmt: skip
    bulk.insert(
        Person,
        ["id", "municipality", "household", "key", "bsn_encrypted", "bsn_index", "initials",
         "first_name", "prefix",
         "surname", "birth_date", "email", "preferred_language"],
        [
            (pid, mid, households[i], f"{ANONYMISED_KEY_PREFIX}{pid}", "", "", "", "", "",
             ANONYMOUS, None, "", "")
            if i in anonymised
            else (pid, mid, households[i], f"{tag}p{i}", "", "", "J.", "Jan",
                  "van" if i % 5 == 0 else "", f"Jansen{i}", date(1980, 1, 1) + timedelta(i % 9000),
                  "", "")
            for i, pid in persons.items()
        ],
    )  # fmt: skip

    def received(i: int) -> datetime:
        return local(first_day + timedelta(days=i * days // total), 8 + i % 10, i % 60)

    case_rows = []
    for i, cid in cases.items():
        opened = received(i)
        closed = i % 10 < 7
        case_rows.append(
            (cid, mid, households[i], "multiple" if i % 10 == 0 else "single",
             opened.date() - timedelta(days=3), opened.date(), 30, "medium", [], "standard",
             i % 50 == 3, opened.date() + timedelta(days=28),
             "closed" if closed else "active", RESULTS[i % len(RESULTS)] if closed else None,
             "", opened, opened + timedelta(days=20) if closed else None, opened,
             opened + timedelta(hours=1))
        )  # fmt: skip
    bulk.insert(
        Case,
        ["id", "municipality", "household", "kind", "matching_start", "matching_end", "score",
         "tier", "reasons", "campaign", "crisis", "deadline", "state", "result",
         "result_reason", "created_at", "closed_at", "state_changed_at", "started_at"],
        case_rows,
    )  # fmt: skip
    signal_rows = []
    for i in part:
        owner = i if i in cases else i - 1
        signal_rows.append(
            (mid, rent.pk if owner != i else energy.pk, "Huur" if owner != i else "Energie",
             f"{tag}E{i}", f"bench|{tag}{i}", Decimal(f"{100 + i % 900}.{i % 100:02d}"),
             date(2026, 1, 1), received(owner).date() - timedelta(days=2), i % 50 == 3, "",
             "Nog niet opgepakt", "", persons[owner], households[owner], cases[owner],
             received(owner), "")
        )  # fmt: skip
    bulk.insert(
        Signal,
        ["municipality", "partner", "partner_type", "partner_ref", "dedupe_key", "amount",
         "arrears_start", "signal_date", "crisis", "customer_number", "status", "screening",
         "person", "household", "case", "received_at", "raw"],
        signal_rows,
    )  # fmt: skip
    # Four attempts per signal, over the weeks after the case opened.
    attempt_rows = []
    for i in part:
        owner = i if i in cases else i - 1
        for n in range(4):
            attempt_rows.append(
                (cases[owner], KINDS[n], n == 3 and i % 5 == 0,
                 received(owner).date() + timedelta(days=2 * n + (i != owner)),
                 DAGDELEN[(i + n) % 3], now)
            )  # fmt: skip
    bulk.insert(
        ContactAttempt, ["case", "kind", "reached", "date", "dagdeel", "created_at"], attempt_rows
    )
    written["signals"] += len(signal_rows)
    written["cases"] += len(case_rows)
    written["attempts"] += len(attempt_rows)


# --- the naive export: what a first version does ----------------------------------------------


def naive_delivery(municipality: Any, start: date, end: date, now: datetime, out: TextIO) -> None:
    """The same document built whole: every signal and case as ORM objects (related rows
    prefetched, so the queries are few), one dict, one `json.dumps`."""
    from django.conf import settings
    from django.utils import timezone

    from outreach.casework.models import Case
    from outreach.reporting.ddas_export import (
        amount_in_euros,
        client,
        received_between,
        supplying_organisation,
    )

    received = received_between(municipality, start, end)
    signals = list(received.select_related("person", "household").order_by("pk"))
    in_export = {s.pk for s in signals}
    cases = list(
        Case.objects.filter(municipality=municipality, pk__in=received.values("case_id"))
        .prefetch_related("signals", "attempts")
        .order_by("pk")
    )

    def signal_item(s: Any) -> dict[str, Any]:
        p, h = s.person, s.household
        item: dict[str, Any] = {
            "ID": s.reference,
            "crisissignaal": s.crisis,
            "bedrag": amount_in_euros(s.amount),
        }
        if s.arrears_start:
            item["ontstaansdatum"] = s.arrears_start.isoformat()
        item.update(
            signaaldatum=s.signal_date.isoformat(),
            status=s.status,
            signaalpartner={"type": s.partner_type},
            client=client((p.key, p.initials, p.prefix, p.surname, p.birth_date, h.key,
                           h.street, h.postcode, h.house_number, h.addition, h.town)),
        )  # fmt: skip
        return item

    def case_item(c: Any) -> dict[str, Any]:
        mine = sorted(c.signals.all(), key=lambda s: s.pk)
        item: dict[str, Any] = {}
        if c.state == "closed" and c.result:
            item["resultaat"] = c.result
        item["matchingsdatum"] = timezone.localdate(max(s.received_at for s in mine)).isoformat()
        item["startdatum_matchtingperiode"] = c.matching_start.isoformat()
        if c.started_at:
            item["datum_opgepakt"] = timezone.localdate(c.started_at).isoformat()
        item["einddatum_matchingperiode"] = c.matching_end.isoformat()
        item["vroegsignalen"] = [
            {"ID": ref} for ref in dict.fromkeys(s.reference for s in mine if s.pk in in_export)
        ]
        item["contactpogingen"] = [
            {"soort": a.kind, "bereikt": a.reached, "datum": a.date.isoformat(),
             "dagdeel": a.dagdeel}
            for a in sorted(c.attempts.all(), key=lambda a: (a.date, a.pk))
        ]  # fmt: skip
        return item

    document = {
        "startdatumLevering": start.isoformat(),
        "einddatumLevering": end.isoformat(),
        "aanleverdatumEnTijd": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "codeGegevensleverancier": settings.OUTREACH_DDAS_SUPPLIER_CODE,
        "leveringen": [
            {
                "teller": 1,
                "gemeentecode": municipality.code,
                "aanleverende_organisatie": supplying_organisation(municipality),
                "vroegsignalen": [signal_item(s) for s in signals],
                "vroegsignaalzaken": [case_item(c) for c in cases],
            }
        ],
    }
    out.write(json.dumps(document, ensure_ascii=False, default=str))  # dates as ISO text


# --- one measured export, in its own process ----------------------------------------------------


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(method: str, start: date, end: date, out_path: Path, trace: bool, now_text: str):
    from outreach.core.clock import parse_now
    from outreach.core.models import Municipality
    from outreach.reporting.ddas_export import write_delivery

    now = parse_now(now_text)
    municipality = Municipality.objects.get(code="9999")
    export = write_delivery if method == "streaming" else naive_delivery
    gc.collect()
    before = rss_bytes()
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    with open(out_path, "w", encoding="utf-8") as out:
        export(municipality, start, end, now, out)
    seconds = time.perf_counter() - began
    result: dict[str, Any] = {"method": method, "bytes": out_path.stat().st_size}
    if trace:
        result["traced_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    else:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        result.update(
            seconds=round(seconds, 2),
            rss_before_mb=round(before / 2**20, 1),
            rss_peak_growth_mb=round(max(0, peak - before) / 2**20, 1),
        )
    return result


def run_measure(method: str, start: date, end: date, out: Path, trace: bool, now: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.ddas_export_bench", "measure", method, start.isoformat(),
         end.isoformat(), str(out), "1" if trace else "0", now],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise subprocess.CalledProcessError(done.returncode, done.args)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def export_and_measure(method: str, start: date, end: date, now: str, keep: Path | None) -> dict:
    """Timed (with RSS), then under tracemalloc; the output kept at `keep` when given."""
    out = keep or WORK / f"ddas-{method}.json"
    timed = run_measure(method, start, end, out, False, now)
    traced = run_measure(method, start, end, out, True, now)
    if keep is None:
        out.unlink()
    return {**timed, "traced_peak_mb": traced["traced_peak_mb"]}


def same_valid_document(streaming: Path, naive: Path) -> dict[str, Any]:
    from jsonschema import Draft202012Validator

    from outreach.reporting import ddas_export

    schema_path = Path(ddas_export.__file__).parent / "ddas_schema"
    schema = json.loads((schema_path / "json_schema_Uitwisselmodel.json").read_text())
    document = json.loads(streaming.read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [e.message for e in validator.iter_errors(document)]
    (levering,) = document["leveringen"]
    return {
        "valid": not errors,
        "schema_errors": errors[:5],
        "same_as_naive": document == json.loads(naive.read_text(encoding="utf-8")),
        "signals": len(levering["vroegsignalen"]),
        "cases": len(levering["vroegsignaalzaken"]),
        "attempts": sum(len(c["contactpogingen"]) for c in levering["vroegsignaalzaken"]),
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    if sys.argv[1] == "measure":
        method, start, end, out, trace, now = sys.argv[2:8]
        result = measure(
            method, date.fromisoformat(start), date.fromisoformat(end), Path(out), trace == "1",
            now,
        )  # fmt: skip
        print(json.dumps(result))
        return
    from outreach.core.clock import parse_now

    signals, small, now = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    WORK.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    loaded = load(signals, parse_now(now))
    load_seconds = time.perf_counter() - began
    # The first `small` signals were received on the period's first days.
    small_end = PERIOD[0] + timedelta(days=-(-small * 30 // signals) - 1)
    runs: dict[str, dict[str, Any]] = {}
    kept = {m: WORK / f"ddas-small-{m}.json" for m in ("streaming", "naive")}
    for label, end in (("small", small_end), ("large", PERIOD[1])):
        for method in ("streaming", "naive"):
            keep = kept[method] if label == "small" else None
            runs[f"{method} {label}"] = export_and_measure(method, PERIOD[0], end, now, keep)
    check = same_valid_document(kept["streaming"], kept["naive"])
    for path in kept.values():
        path.unlink()
    print(
        json.dumps(
            {
                "loaded": loaded,
                "load_seconds": round(load_seconds, 1),
                "small_period": [PERIOD[0].isoformat(), small_end.isoformat()],
                "large_period": [PERIOD[0].isoformat(), PERIOD[1].isoformat()],
                "runs": runs,
                "small_check": check,
            }
        )
    )


if __name__ == "__main__":
    main()
