"""The report benchmark in its own process:
`python -m bench.report_bench SIGNALS ATTEMPTS RUNS YEAR NOW`.

Loads a year (YEAR) of one municipality: SIGNALS signals and ATTEMPTS contact attempts
(bench/report_data.py, COPY), then VACUUM ANALYZE. Times `report()` and `dashboard_tables()`
over that year as of NOW: one warm-up run each, then the median of RUNS runs. The baseline is
what a supervisor can do without them: `outreach cases --json` for the municipality (every case
summary, as the queue builds it) with the same figures worked out in Python, timed once; its
numbers must equal the report's. Prints one JSON line.
"""

import json
import os
import statistics
import sys
import time
from collections import Counter
from datetime import date
from typing import Any

import django


def baseline(municipality: Any, start: date, end: date, today: date) -> dict[str, Any]:
    """The report's JSON numbers from the case summaries of `outreach cases --json`."""
    from outreach.core.ddas import FOLLOWED_UP
    from outreach.desk.summaries import case_summary, queue

    cases = attempts = reached_cases = accepted_cases = followed = due = met = 0
    buckets: Counter[int] = Counter()
    channel: Counter[str] = Counter()
    channel_reached: Counter[str] = Counter()
    dagdeel: Counter[str] = Counter()
    dagdeel_reached: Counter[str] = Counter()
    first, last = start.isoformat(), end.isoformat()
    for case in queue([municipality]).iterator(chunk_size=2000):
        summary = case_summary(case)
        if not first <= (summary["received"] or "") <= last:
            continue
        cases += 1
        made = summary["attempts"]
        attempts += len(made)
        buckets[min(len(made), 4)] += 1
        for a in made:
            channel[a["kind"]] += 1
            channel_reached[a["kind"]] += a["reached"]
            dagdeel[a["dagdeel"]] += 1
            dagdeel_reached[a["dagdeel"]] += a["reached"]
        reached_cases += any(a["reached"] for a in made)
        accepted_cases += (summary["offer"] or {}).get("answer") == "accepted"
        if any(s.status in FOLLOWED_UP for s in case.signals.all()):  # the queue's prefetch
            followed += 1
            first_on = min((a["date"] for a in made), default=None)
            if first_on is not None or date.fromisoformat(summary["deadline"]) < today:
                due += 1
                met += first_on is not None and first_on <= summary["deadline"]
    return {
        "cases": cases,
        "followed_up": followed,
        "attempts": attempts,
        "attempts_per_case": {str(n) if n < 4 else "4+": buckets[n] for n in range(5)},
        "per_channel": {
            k: {"attempts": n, "reached": channel_reached[k]} for k, n in channel.items()
        },
        "per_dagdeel": {
            k: {"attempts": n, "reached": dagdeel_reached[k]} for k, n in dagdeel.items()
        },
        "reached_cases": reached_cases,
        "accepted_cases": accepted_cases,
        "deadline_met": met / due if due else None,
    }


def timed_page(
    municipality: Any, start: date, end: date, runs: int
) -> tuple[list[float], list[float], int]:
    """The whole dashboard page as a supervisor gets it (figures, charts, HTML), through
    Django's test client: one warm-up, then `runs` requests that count the figures anew
    (?fresh=1), then `runs` that find them kept (a CSV download, a second look)."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.test.utils import override_settings

    from outreach.core.models import StaffProfile
    from outreach.core.roles import SUPERVISOR

    user = User.objects.create_user("bench-supervisor")
    user.groups.add(Group.objects.get_or_create(name=SUPERVISOR)[0])
    StaffProfile.objects.create(user=user).municipalities.add(municipality)
    client = Client()
    client.force_login(user)
    query = {"municipality": municipality.code, "from": start.isoformat(), "to": end.isoformat()}
    counted: list[float] = []
    kept: list[float] = []
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for run in range(2 * runs + 1):
            fresh = {"fresh": "1"} if run <= runs else {}
            began = time.perf_counter()
            response = client.get("/dashboard/", {**query, **fresh})
            took = time.perf_counter() - began
            assert response.status_code == 200, response.status_code
            if run:
                (counted if fresh else kept).append(took)
    return counted, kept, len(response.content)


def main() -> None:
    signals, attempts, runs, year = (int(a) for a in sys.argv[1:5])
    now_text = sys.argv[5]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.report_data import analyze, load_year
    from outreach.core.clock import parse_now
    from outreach.core.models import Municipality
    from outreach.reporting.figures import report
    from outreach.reporting.tables import dashboard_tables

    now = parse_now(now_text)
    began = time.perf_counter()
    written = load_year(signals, attempts, year, now)
    loaded = time.perf_counter() - began
    analyze()
    municipality = Municipality.objects.get(code="9999")
    start, end = date(year, 1, 1), date(year, 12, 31)

    def timed(function: Any) -> tuple[list[float], Any, int]:
        function(municipality, start, end, now)  # warm-up, not counted
        seconds = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                result = function(municipality, start, end, now)
                seconds.append(time.perf_counter() - began)
        return seconds, result, len(queries.captured_queries)

    report_runs, figures, report_queries = timed(report)
    table_runs, tables, table_queries = timed(dashboard_tables)
    page_runs, kept_runs, page_bytes = timed_page(municipality, start, end, runs)
    began = time.perf_counter()
    slow = baseline(municipality, start, end, now.date())
    baseline_seconds = time.perf_counter() - began
    agree = {key: figures[key] == value for key, value in slow.items()}
    server = {}
    with connection.cursor() as cursor:
        for name in ("server_version", "shared_buffers", "work_mem"):
            cursor.execute(f"SHOW {name}")
            server[name] = cursor.fetchone()[0]
    print(
        json.dumps(
            {
                "written": written,
                "load_seconds": loaded,
                "year": year,
                "now": now_text,
                "report_seconds": statistics.median(report_runs),
                "report_runs": report_runs,
                "report_queries": report_queries,
                "tables_seconds": statistics.median(table_runs),
                "tables_runs": table_runs,
                "tables_queries": table_queries,
                "page_seconds": statistics.median(page_runs),
                "page_runs": page_runs,
                "page_kept_seconds": statistics.median(kept_runs),
                "page_bytes": page_bytes,
                "tables": len(tables),
                "table_rows": sum(len(t.rows) for t in tables),
                "baseline_seconds": baseline_seconds,
                "agrees_with_baseline": agree,
                "ok": all(agree.values()),
                "report": figures,
                "server": server,
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
