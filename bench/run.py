"""`make bench`: every benchmark, results in bench/results/.

Intake (issue: foundation and intake): a generated file of 1,000,000 signals, parsed, validated,
screened, matched, prioritised and stored on PostgreSQL; the same work as a per-row ORM save
loop on the file's first rows, all in one transaction, measured in the same run, is the
baseline. Its database is BENCH_INTAKE_DATABASE (default outreach_bench), dropped and made
afresh.

Cadence (issue: the cadence engine): one tick over 1,000,000 waiting cases with 10,000 steps due,
against the same tick over 10,000 waiting cases; 100,000 SMS steps executed through real Celery
workers on Redis with the test transport; beside both, the naive design of one countdown task
per step (bench/naive_cadence.py). Then the same SMS steps through the Twilio transport against
a local stand-in of Twilio's API, the rate limit lifted (bench/cadence_twilio.py): steps/s, what
the stand-in received, its capacity alone, CPU by process, and in a smaller run where the
worker's CPU goes. Celery uses its own Redis database (BENCH_REDIS_DB, default 13), whose queue
the benchmark purges; its PostgreSQL database is BENCH_CADENCE_DATABASE (default
outreach_bench), dropped and made afresh.

Templates (issue: letters and messages): SMS renders per second on one core against a bare
sandboxed Jinja2 render of the same template, letter PDFs per second in one process, and the
time of one lint (bench/templates_bench.py).

Channels (issue: SMS and WhatsApp through Twilio): SMS steps executed by real Celery workers
through the Twilio transport against the fake Twilio server in its own process, with a pool of
senders each held to its rate through Redis: SMS accepted per second, and per sender the
busiest one-second window from the fake's log (bench/channels_bench.py). Celery and the rate
windows use Redis database BENCH_CHANNELS_REDIS_DB (default 12).

DDAS export (issue: reporting): a municipality with 100,000 signals received in a month and
400,000 contact attempts, exported for the month and for its first 10,000 signals, each in a
process of its own: time, the peak RSS growth and the peak of Python's allocations
(tracemalloc), the streaming export against building the whole document and `json.dumps` it,
measured in the same run (bench/ddas_export_bench.py). Its database is BENCH_DDAS_DATABASE
(default outreach_bench_ddas), dropped and made afresh.

Report (issue: supervisors' counts): a year of one municipality, 100,000 signals and 400,000
contact attempts (bench/report_data.py, COPY); `report()` (`outreach report`) and
`dashboard_tables()` (the dashboard's figures) timed over the year, against the same figures
worked out in Python from every case summary of `outreach cases --json` (bench/report_bench.py).
Its database is BENCH_REPORT_DATABASE (default outreach_bench_report).

Simulator (issue: simulate before rollout): `outreach simulate` with two campaigns over 120 days,
run as a user runs it: 10,000 signals on the embedded default (SQLite) and on PostgreSQL, and
100,000 on PostgreSQL; how the time grows from 10,000 to 100,000 (bench/simulate_bench.py). The
command makes and drops its own throw-away database on the server of DATABASE_URL (default
the local one).
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import date
from typing import Any

from bench import simulate_bench
from bench.cadence_data import LAYOUTS, write_campaigns
from bench.common import (
    ROOT,
    WORK,
    drop_database,
    fresh_database,
    redis_url,
    run_json,
    write_result,
)

NOW = "2026-11-28T12:00"
# A Wednesday morning: SMS steps are inside their window (working days, 09:00-18:00).
CADENCE_NOW = "2026-11-25T11:00"


def signal_file(count: int):  # type: ignore[no-untyped-def]
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"signals-{count}.csv"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "outreach.demo.sample_data", "signals", str(path),
             "--count", str(count), "--seed", "2026", "--households", str(count * 7 // 10),
             "--start", "2025-12-01", "--end", "2026-11-27"],
            check=True,
        )  # fmt: skip
    return path


# What bench/naive_intake.py measures, as the results say it.
BASELINE_KIND = "per-row ORM loop in one transaction"


def bench_intake(count: int, baseline_rows: int, workers: int) -> None:
    path = signal_file(count)
    name = os.environ.get("BENCH_INTAKE_DATABASE", "outreach_bench")
    load_before = os.getloadavg()[0]
    url = fresh_database(name)
    naive = run_json(url, "bench.naive_intake", str(path), str(baseline_rows), NOW)
    url = fresh_database(name)
    fast = run_json(url, "bench.intake_run", str(path), str(workers), NOW)
    drop_database(name)
    # The machine is shared: a busy neighbour shows in the load (2 cores: 2.0 is full).
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    naive_rate = naive["accepted"] / naive["seconds"]
    rate = fast["accepted"] / fast["seconds"]
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "load_average_before_after": load,
        "signals": count,
        "pipeline": fast,
        "pipeline_signals_per_second": round(rate),
        "baseline_rows": baseline_rows,
        "baseline_kind": BASELINE_KIND,
        "baseline": naive,
        "baseline_signals_per_second": round(naive_rate),
        "ratio": round(rate / naive_rate, 1),
        "targets": {"signals_per_second": 10_000, "peak_mb": 500, "ratio": 20},
    }
    summary = (
        f"# Intake benchmark ({result['date']})\n\n"
        f"{count:,} generated signals, PostgreSQL, {workers} worker processes; "
        f"{result['machine']}, load average {load[0]} before and {load[1]} after the run. "
        f"Baseline: the same work as a {BASELINE_KIND}, on the file's first "
        f"{baseline_rows:,} rows, measured in the same run.\n\n"
        f"| measure | value | target |\n|---|---|---|\n"
        f"| pipeline | {rate:,.0f} signals/s ({fast['seconds']:.1f} s) | >= 10,000/s |\n"
        f"| peak memory (all processes, upper bound) | {fast['peak_mb_total_bound']:.0f} MB "
        f"| < 500 MB |\n"
        f"| baseline: {BASELINE_KIND} ({baseline_rows:,} rows) | {naive_rate:,.0f} signals/s "
        f"({naive['seconds']:.1f} s) | |\n"
        f"| ratio: pipeline / baseline in one transaction | {rate / naive_rate:.1f}x "
        f"| >= 20x |\n"
    )
    write_result("intake", result, summary)


# The cadence benchmark's database, dropped and made afresh for each of its runs.
CADENCE_DATABASE = os.environ.get("BENCH_CADENCE_DATABASE", "outreach_bench")


def bench_cadence(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    env = {
        "REDIS_URL": redis_url(int(os.environ.get("BENCH_REDIS_DB", "13"))),
        "OUTREACH_CAMPAIGNS_DIR": str(write_campaigns(WORK / "campaigns")),
        # The test transport: the message rows are the outbox (no file to write).
        "OUTREACH_TRANSPORT": "rows",
    }
    tick_args = [str(args.due), str(args.steps_per_case), str(args.ticks), CADENCE_NOW]
    ticks: dict[str, dict[str, Any]] = {}
    for layout in LAYOUTS:
        for size in (args.cases, args.small_cases):
            url = fresh_database(CADENCE_DATABASE)
            ticks[f"{layout} {size}"] = run_json(
                url, "bench.cadence_tick", str(size), *tick_args, layout, env=env
            )
    large, small = ticks[f"started {args.cases}"], ticks[f"started {args.small_cases}"]
    worst, worst_small = (
        ticks[f"scattered {args.cases}"],
        ticks[f"scattered {args.small_cases}"],
    )
    url = fresh_database(CADENCE_DATABASE)
    run = run_json(
        url, "bench.cadence_execute", str(args.steps), str(args.naive_enqueue),
        str(args.naive_steps), str(args.concurrency), CADENCE_NOW, env=env,
    )  # fmt: skip
    twilio = bench_cadence_twilio(args, env)
    drop_database(CADENCE_DATABASE)
    # The machine is shared: a busy neighbour shows in the load (2 cores: 2.0 is full).
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    engine, naive, naive_enqueue = run["engine"], run["naive"], run["naive_enqueue"]
    ratio = large["seconds"] / small["seconds"]
    worst_ratio = worst["seconds"] / worst_small["seconds"]
    speedup = engine["steps_per_second"] / naive["steps_per_second"]
    # Scheduling the same number of due steps: the naive design's enqueue against one tick.
    enqueue_per_step = naive_enqueue["seconds"] / naive_enqueue["steps"]
    tick_per_step = large["seconds"] / args.due
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "now": CADENCE_NOW,
        "load_average_before_after": load,
        "tick_large": large,
        "tick_small": small,
        "tick_ratio": round(ratio, 2),
        "tick_scattered_large": worst,
        "tick_scattered_small": worst_small,
        "tick_scattered_ratio": round(worst_ratio, 2),
        "execution": run,
        "engine_steps_per_second": round(engine["steps_per_second"]),
        "naive_steps_per_second": round(naive["steps_per_second"]),
        "execution_ratio": round(speedup, 1),
        "enqueue_ratio": round(enqueue_per_step / tick_per_step, 1),
        "twilio": twilio,
        "twilio_steps_per_second": round(twilio["run"]["steps_per_second"]),
        "targets": {
            "tick_seconds": 2,
            "tick_ratio": 1.5,
            "steps_per_second": 1_000,
            "twilio_steps_per_second": 1_500,
        },
    }
    ok = "ok" if engine["ok"] and naive["ok"] else "NOT OK"
    server = large["server"]

    def tick_row(label: str, tick: dict[str, Any], target: str) -> str:
        return (
            f"| tick, {tick['layout']}, {label} cases waiting "
            f"({tick['waiting_steps']:,} waiting steps) "
            f"| {tick['seconds']:.3f} s (claim {tick['claim_seconds']:.3f} s, enqueue "
            f"{tick['enqueue_seconds']:.3f} s, WAL {tick['wal_mb']:.0f} MB; claim plan scans the "
            f"whole table in {tick['ticks_scanning_table']} of {args.ticks}) | {target} |\n"
        )

    summary = (
        f"# Cadence benchmark ({result['date']})\n\n"
        f"PostgreSQL {server['server_version']} (shared_buffers {server['shared_buffers']}), "
        f"Celery on Redis, {os.cpu_count()} cores, load average {load[0]} before and "
        f"{load[1]} after the run.\n\n"
        f"Tick: median of {args.ticks} ticks an hour apart (after one not counted), each "
        f"claiming {args.due:,} due steps and enqueueing them, {large['batch']} ids a task; the "
        "later ticks' due steps wait meanwhile. The due steps lie either as planning writes "
        "them (`started`: a campaign's steps are written when it starts, so the steps due at "
        "one moment belong to cases that started together and sit side by side) or one on each "
        "page (`scattered`, the worst case: every due step costs its own table and index page "
        "writes, and a small table cannot spread them that far). Execution: one "
        f"worker with {args.concurrency} processes, the test transport (outbox), wall time from "
        f"the tick until every step is done. Naive: one task per step with `countdown`, one "
        f"step per task with per-row ORM (bench/naive_cadence.py), through the same worker.\n\n"
        f"| measure | value | target |\n|---|---|---|\n"
        + tick_row(f"{args.cases:,}", large, "< 2 s")
        + tick_row(f"{args.small_cases:,}", small, "")
        + f"| ratio, as planning writes the steps | {ratio:.2f} | <= 1.5 |\n"
        + tick_row(f"{args.cases:,}", worst, "")
        + tick_row(f"{args.small_cases:,}", worst_small, "")
        + f"| ratio, due steps scattered over the table (worst case) | {worst_ratio:.2f} | |\n"
        f"| execution, {args.steps:,} SMS steps | {engine['steps_per_second']:,.0f} steps/s "
        f"({engine['seconds']:.1f} s, tick {engine['tick_seconds']:.2f} s) | >= 1,000/s |\n"
        f"| messages, duplicate step ids, attempts | {engine['messages']:,}, "
        f"{engine['duplicate_step_ids']}, {engine['attempts']:,} ({ok}) "
        f"| {args.steps:,}, 0, {args.steps:,} |\n"
        f"| naive: enqueue {naive_enqueue['steps']:,} countdown tasks "
        f"| {naive_enqueue['seconds']:.2f} s ({enqueue_per_step * 1e6:,.0f} us a step; the "
        f"tick: {tick_per_step * 1e6:,.0f} us) | |\n"
        f"| naive: execution, {args.naive_steps:,} steps, one task each "
        f"| {naive['steps_per_second']:,.0f} steps/s ({naive['seconds']:.1f} s) | |\n"
        f"| engine / naive | execution {speedup:.1f}x, enqueue "
        f"{enqueue_per_step / tick_per_step:.0f}x | |\n" + twilio_rows(args, twilio)
    )
    write_result("cadence", result, summary)


def bench_cadence_twilio(args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """The SMS steps through the Twilio transport against the stand-in: the measured run, and
    a smaller one whose worker tells where its CPU goes (bench/worker_profile.py)."""
    common = [str(args.concurrency), str(args.twilio_threads), CADENCE_NOW]
    url = fresh_database(CADENCE_DATABASE)
    run = run_json(url, "bench.cadence_twilio", str(args.twilio_steps), *common, env=env)
    folder = WORK / "twilio-profile"
    shutil.rmtree(folder, ignore_errors=True)
    url = fresh_database(CADENCE_DATABASE)
    profiled = run_json(
        url, "bench.cadence_twilio", str(args.twilio_profile_steps), *common,
        "--profile", str(folder), "--alone-seconds", "1", env=env,
    )  # fmt: skip
    return {"run": run, "profiled": profiled}


# A batch's parts besides the hand-over (bench/worker_profile.py names them).
BATCH_PARTS = (
    "persist (messages as sending)",
    "record (the results)",
    "write (steps, tasks, attempts)",
    "load recipients",
    "compose the texts",
)


def twilio_rows(args: argparse.Namespace, twilio: dict[str, Any]) -> str:
    """The Twilio path's rows of the cadence table, and what its CPU is spent on."""
    run, profiled = twilio["run"], twilio["profiled"]
    alone = run["stub_alone"]
    ok = "ok" if run["ok"] else "NOT OK"
    by_process = ", ".join(f"{name} {us:,}" for name, us in run["cpu_us_per_step"].items())
    parts = profiled["worker_parts_us_per_step"]
    in_batch = ", ".join(f"{name} {parts.get(name, 0):,}" for name in BATCH_PARTS)
    request = parts["request (twilio client, HTTP)"]
    sending = (
        f"request {request:,} (of which the HTTP exchange {parts['HTTP client']:,}), plan "
        f"(quiet hours, segments) {parts['plan (quiet hours, segments)']:,}, rate window "
        f"(Redis) {parts['rate window (Redis)']:,}"
    )
    return (
        f"| execution via Twilio (`TwilioSmsTransport`, the stand-in), "
        f"{run['steps']:,} SMS steps | {run['steps_per_second']:,.0f} steps/s "
        f"({run['seconds']:.1f} s, tick {run['tick_seconds']:.2f} s) | >= 1,500/s |\n"
        f"| the stand-in: requests received, messages accepted, numbers twice, matching a "
        f"message's number and SID | {run['stub_received']:,}, {run['stub_accepted']:,}, "
        f"{run['stub_duplicates']}, {run['stub_matching_messages']:,} ({ok}) "
        f"| {run['steps']:,}, {run['steps']:,}, 0, {run['steps']:,} |\n"
        f"| the stand-in alone ({alone['connections']} keep-alive connections, "
        f"{alone['seconds']:g} s) | {alone['requests_per_second']:,} requests/s "
        f"({alone['stub_cpu_us_per_request']:.0f} us CPU a request) | well over 1,500/s |\n"
        f"| CPU a step by process, Twilio path (us) | {by_process} "
        f"(the run: {run['cpu_us_per_step_run']:,}; {run['cores_busy']} cores busy) | |\n"
        f"| the worker's CPU a step by part, {profiled['steps']:,} steps (us) "
        f"| whole process {parts['whole process']:,}: {in_batch}; sending: {sending} | |\n"
        f"\nTwilio path: one worker with {args.concurrency} processes, "
        f"{run['threads_per_process']} requests in flight each, {run['batch']} steps a task, "
        "against bench/twilio_stub.py (the checks of the tests' fake: auth, the account in the "
        "path, To, From or MessagingServiceSid, Body, StatusCallback; an answer in Twilio's JSON "
        "with a new SID), every message still taking its segments from the rate window in "
        f"Redis at a lifted rate ({run['sms_rate']:,} segments/s), quiet hours on "
        f"({run['quiet_hours']}, moved off the hour of the run). A step's SMS goes to its "
        "case's own number, so a number twice at the stand-in is a step sent twice. CPU by "
        "process: the run's own processes, PostgreSQL's backends of its database, Redis, and "
        "apart the server's other work and the rest of the machine (busy neighbours on a "
        "shared machine show there); the parts are thread CPU time of the wrapped functions "
        "(bench/worker_profile.py), the sending parts on the transport's threads.\n"
    )


def bench_templates(seconds: float) -> None:
    """Rendering SMS (against a bare sandboxed Jinja2 render), letter PDFs, and one lint, in a
    process of its own (bench/templates_bench.py)."""
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-m", "bench.templates_bench", "--seconds", str(seconds)],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["load_average_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result["targets"] = {"sms_per_second": 20_000, "pdfs_per_second": 20, "lint_ms": 100}
    summary = (
        f"# Templates benchmark ({result['date']})\n\n"
        f"{result['machine']}, load average {result['load_average_before_after'][0]} before "
        f"and {result['load_average_before_after'][1]} after. {seconds:g} s a measure, one "
        "process (one core).\n\n"
        "| measure | value | target |\n|---|---|---|\n"
        f"| SMS rendered ({result['sms_template']}, 1,000 readers in six languages) | "
        f"{result['sms_per_second']:,}/s | >= 20,000/s |\n"
        f"| bare `ImmutableSandboxedEnvironment` render, same template and contexts | "
        f"{result['baseline_sms_per_second']:,}/s (ours: {result['sms_ratio']}x) | |\n"
        f"| letter PDFs ({result['letter']}, {result['letter_pages']} page) | "
        f"{result['pdfs_per_second']}/s ({result['ms_per_pdf']} ms each) | >= 20/s |\n"
        f"| lint of that letter | {result['lint_ms']} ms (the first in a process "
        f"{result['lint_first_ms']} ms; warm-up of all six languages "
        f"{result['lint_warm_up_ms']} ms) | < 100 ms |\n"
    )
    write_result("templates", result, summary)


CHANNELS_DATABASE = "outreach_bench_channels"


def bench_channels(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    env = {
        "REDIS_URL": redis_url(int(os.environ.get("BENCH_CHANNELS_REDIS_DB", "12"))),
        "OUTREACH_CAMPAIGNS_DIR": str(write_campaigns(WORK / "campaigns")),
    }
    url = fresh_database(CHANNELS_DATABASE)
    run = run_json(
        url, "bench.channels_bench", str(args.sms), str(args.sms_concurrency),
        str(args.sms_threads), str(args.senders), str(args.sender_rate), CADENCE_NOW, env=env,
    )  # fmt: skip
    drop_database(CHANNELS_DATABASE)
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    capacity = args.senders * args.sender_rate / run["rate_window_seconds"]
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "now": CADENCE_NOW,
        "load_average_before_after": load,
        **run,
        "capacity_segments_per_second": round(capacity),
        "targets": {"accepted_per_second": 500, "busiest_second_segments": args.sender_rate},
    }
    ok = "ok" if run["ok"] else "NOT OK"
    rows = "".join(
        f"| {sender} | {s['messages']:,} | {s['segments']:,} | {s['busiest_second_segments']} "
        f"({s['busiest_second_messages']} messages) | {args.sender_rate} |\n"
        for sender, s in run["per_sender"].items()
    )
    summary = (
        f"# Channels benchmark ({result['date']})\n\n"
        f"{result['machine']}, load average {load[0]} before and {load[1]} after. "
        f"{args.sms:,} SMS steps (the shipped Dutch reminder, "
        f"{run['segments_per_message']} segments each) executed by one Celery worker with "
        f"{args.sms_concurrency} processes, {args.sms_threads} requests in flight each, "
        "through `TwilioSmsTransport` against the fake Twilio server in its own process "
        "(tests/messaging/fake_twilio.py: every request checked as Twilio checks it). "
        f"{args.senders} sender numbers at {args.sender_rate} segments a second each, each "
        "reader always on the same sender (chosen by their number), the windows shared in "
        f"Redis (a message's segments count from their take until {run['rate_window_seconds']:g} s "
        "after Twilio's answer); together at "
        f"most {capacity:,.0f} segments a second. The busiest second is a sliding window over "
        "the times the fake read each request.\n\n"
        "| measure | value | target |\n|---|---|---|\n"
        f"| SMS accepted by Twilio (the fake) | {run['accepted_per_second']:,.0f}/s "
        f"({run['accepted']:,} in {run['sending_seconds']:.1f} s) | >= 500/s |\n"
        f"| end to end, tick to every step done | {run['steps_per_second']:,.0f} steps/s "
        f"({run['seconds']:.1f} s) | |\n"
        f"| busiest second of any sender | {run['busiest_second_segments']} segments "
        f"| <= {args.sender_rate} |\n"
        f"| messages, duplicate step ids, with the fake's SID, attempts | {run['messages']:,}, "
        f"{run['duplicate_step_ids']}, {run['sids_known']:,}, {run['attempts']:,} ({ok}) "
        f"| {args.sms:,}, 0, {args.sms:,}, {args.sms:,} |\n\n"
        "| sender | messages | segments | busiest second, segments | limit |\n"
        "|---|---|---|---|---|\n" + rows
    )
    write_result("channels", result, summary)


def bench_ddas_export(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    name = os.environ.get("BENCH_DDAS_DATABASE", "outreach_bench_ddas")
    url = fresh_database(name)
    run = run_json(
        url, "bench.ddas_export_bench", str(args.ddas_signals), str(args.ddas_small), NOW
    )
    drop_database(name)
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    runs = run["runs"]
    small, large = runs["streaming small"], runs["streaming large"]
    naive_small, naive_large = runs["naive small"], runs["naive large"]

    def ratio(key: str, big: dict[str, Any], little: dict[str, Any]) -> float:
        return round(big[key] / max(little[key], 0.1), 2)

    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "now": NOW,
        "load_average_before_after": load,
        **run,
        "streaming_rss_ratio": ratio("rss_peak_growth_mb", large, small),
        "streaming_traced_ratio": ratio("traced_peak_mb", large, small),
        "naive_rss_ratio": ratio("rss_peak_growth_mb", naive_large, naive_small),
        "naive_traced_ratio": ratio("traced_peak_mb", naive_large, naive_small),
        "targets": {"streaming_peak_ratio": 1.5},
    }
    check = run["small_check"]
    counts = run["loaded"]
    rows = "".join(
        f"| {method}, {size} ({signals:,} signals) | {r['seconds']:.1f} s "
        f"({signals / r['seconds']:,.0f} signals/s) | {r['rss_peak_growth_mb']:,.0f} MB "
        f"| {r['traced_peak_mb']:,.1f} MB | {r['bytes'] / 2**20:,.1f} MB |\n"
        for method, size, signals, r in (
            ("streaming", "small", args.ddas_small, small),
            ("streaming", "large", args.ddas_signals, large),
            ("naive", "small", args.ddas_small, naive_small),
            ("naive", "large", args.ddas_signals, naive_large),
        )
    )
    summary = (
        f"# DDAS export benchmark ({result['date']})\n\n"
        f"{result['machine']}, PostgreSQL, load average {load[0]} before and {load[1]} after. "
        f"One municipality: {counts['signals']:,} signals ({args.ddas_signals:,} received in "
        f"April, the rest in March), {counts['cases']:,} cases, {counts['attempts']:,} contact "
        f"attempts, loaded with COPY in {run['load_seconds']:.0f} s. Exported: the signals "
        f"received {run['small_period'][0]} to {run['small_period'][1]} (small) and in all of "
        "April (large), each export in a fresh process writing to a file. RSS: the process's "
        "peak resident memory less its size just before the export; traced: the peak of "
        "Python's allocations during the export (tracemalloc, in a second run). Streaming: "
        "`write_delivery` (chunks of 2,000 rows, JSON per chunk). Naive: the ORM's objects "
        "for every row (related rows prefetched), one dict for the document, one `json.dumps`."
        "\n\n"
        "| export | time | peak RSS growth | peak traced | output |\n|---|---|---|---|---|\n"
        + rows
        + f"\n| large / small | streaming | naive | target (streaming) |\n|---|---|---|---|\n"
        f"| peak RSS growth | {result['streaming_rss_ratio']}x | {result['naive_rss_ratio']}x "
        "| <= 1.5x |\n"
        f"| peak traced | {result['streaming_traced_ratio']}x | {result['naive_traced_ratio']}x "
        "| <= 1.5x |\n\n"
        f"Small export checked: valid by the DDAS schema: {check['valid']}; the same document "
        f"as the naive export: {check['same_as_naive']} ({check['signals']:,} signals, "
        f"{check['cases']:,} cases, {check['attempts']:,} attempts).\n"
    )
    write_result("ddas_export", result, summary)


REPORT_NOW = "2026-04-15T09:00"  # three months and a half after the year: every case started


def bench_report(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    name = os.environ.get("BENCH_REPORT_DATABASE", "outreach_bench_report")
    url = fresh_database(name)
    run = run_json(
        url, "bench.report_bench", str(args.report_signals), str(args.report_attempts),
        str(args.report_runs), str(args.report_year), REPORT_NOW,
    )  # fmt: skip
    drop_database(name)
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    report, tables, slow = run["report_seconds"], run["tables_seconds"], run["baseline_seconds"]
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "load_average_before_after": load,
        **run,
        "ratio": round(slow / report, 1),
        "targets": {"report_seconds": 1, "tables_seconds": 1, "page_seconds": 1},
    }
    written, server, figures = run["written"], run["server"], run["report"]
    ok = "the same numbers" if run["ok"] else f"DIFFERENT: {run['agrees_with_baseline']}"
    summary = (
        f"# Report benchmark ({result['date']})\n\n"
        f"PostgreSQL {server['server_version']} (shared_buffers {server['shared_buffers']}, "
        f"work_mem {server['work_mem']}), {result['machine']}, load average {load[0]} before "
        f"and {load[1]} after the run.\n\n"
        f"One municipality, the year {args.report_year}: {written['signals']:,} signals on "
        f"{written['cases']:,} cases, {written['attempts']:,} contact attempts, "
        f"{written['offers']:,} offers, {written['tasks']:,} tasks, {written['feedback']:,} "
        f"partner feedback records (bench/report_data.py, COPY; loaded in "
        f"{run['load_seconds']:.0f} s, then VACUUM ANALYZE). Measured as of {REPORT_NOW}: one "
        f"warm-up run, then the median of {args.report_runs}. Baseline: `outreach cases "
        "--json`'s summary of every case of the municipality (the queue with its prefetches) "
        "and the same figures worked out from them in Python, once.\n\n"
        "| measure | value | target |\n|---|---|---|\n"
        f"| `report()` over the year ({figures['cases']:,} cases) | {report:.3f} s "
        f"({run['report_queries']} queries) | < 1 s |\n"
        f"| `dashboard_tables()` ({run['tables']} tables, {run['table_rows']:,} rows) "
        f"| {tables:.3f} s ({run['tables_queries']} queries) | < 1 s |\n"
        f"| the whole page `/dashboard/` (figures counted anew, charts, HTML; "
        f"{run['page_bytes'] / 1024:,.0f} kB) | {run['page_seconds']:.3f} s | < 1 s |\n"
        f"| the page again within the cache time (as a CSV download reads it) "
        f"| {run['page_kept_seconds']:.3f} s | |\n"
        f"| baseline: figures from `cases --json` summaries | {slow:.1f} s ({ok}) | |\n"
        f"| baseline / report | {slow / report:,.0f}x | |\n"
    )
    write_result("report", result, summary)


def bench_simulate(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    run = simulate_bench.run_all(args.sim_small, args.sim_large, args.sim_days)
    load = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}, {os.cpu_count()} cores",
        "load_average_before_after": load,
        **run,
    }
    write_result("simulate", result, simulate_bench.summary(result, result["date"],
                 result["machine"], load))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        choices=["intake", "cadence", "templates", "channels", "ddas", "report", "simulate"],
        help="run one benchmark",
    )
    intake = parser.add_argument_group("intake")
    intake.add_argument("--signals", type=int, default=1_000_000)
    intake.add_argument("--baseline-rows", type=int, default=5_000)
    intake.add_argument("--workers", type=int, default=2)
    cadence = parser.add_argument_group("cadence")
    cadence.add_argument("--cases", type=int, default=1_000_000, help="waiting cases")
    cadence.add_argument("--small-cases", type=int, default=10_000, help="waiting, to compare")
    cadence.add_argument("--due", type=int, default=10_000, help="due steps per tick")
    cadence.add_argument("--steps-per-case", type=int, choices=[1, 2, 3], default=3)
    cadence.add_argument("--ticks", type=int, default=5, help="ticks measured (median)")
    cadence.add_argument("--steps", type=int, default=100_000, help="SMS steps executed")
    cadence.add_argument("--naive-enqueue", type=int, default=10_000)
    cadence.add_argument("--naive-steps", type=int, default=5_000)
    cadence.add_argument("--concurrency", type=int, default=2, help="worker processes")
    cadence.add_argument("--twilio-steps", type=int, default=100_000, help="SMS steps via Twilio")
    cadence.add_argument("--twilio-threads", type=int, default=8, help="requests in flight each")
    cadence.add_argument(
        "--twilio-profile-steps", type=int, default=20_000, help="the run that is profiled"
    )
    templates = parser.add_argument_group("templates")
    templates.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    channels = parser.add_argument_group("channels")
    channels.add_argument("--sms", type=int, default=30_000, help="SMS steps sent via Twilio")
    channels.add_argument("--sms-concurrency", type=int, default=2, help="worker processes")
    channels.add_argument("--sms-threads", type=int, default=8, help="requests in flight each")
    channels.add_argument("--senders", type=int, default=8, help="sender numbers")
    channels.add_argument("--sender-rate", type=int, default=150, help="segments/s each")
    ddas = parser.add_argument_group("ddas")
    ddas.add_argument("--ddas-signals", type=int, default=100_000, help="signals in the month")
    ddas.add_argument("--ddas-small", type=int, default=10_000, help="signals, to compare")
    report = parser.add_argument_group("report")
    report.add_argument("--report-signals", type=int, default=100_000)
    report.add_argument("--report-attempts", type=int, default=400_000)
    report.add_argument("--report-runs", type=int, default=5, help="runs measured (median)")
    report.add_argument("--report-year", type=int, default=2025)
    simulate = parser.add_argument_group("simulate")
    simulate.add_argument("--sim-small", type=int, default=10_000, help="signals, both databases")
    simulate.add_argument("--sim-large", type=int, default=100_000, help="signals, PostgreSQL")
    simulate.add_argument("--sim-days", type=int, default=120, help="days simulated")
    args = parser.parse_args()
    if args.only in (None, "intake"):
        bench_intake(args.signals, args.baseline_rows, args.workers)
    if args.only in (None, "cadence"):
        bench_cadence(args)
    if args.only in (None, "templates"):
        bench_templates(args.seconds)
    if args.only in (None, "channels"):
        bench_channels(args)
    if args.only in (None, "ddas"):
        bench_ddas_export(args)
    if args.only in (None, "report"):
        bench_report(args)
    if args.only in (None, "simulate"):
        bench_simulate(args)


if __name__ == "__main__":
    main()
