"""`make bench`: every benchmark, results in bench/results/.

Intake (issue: foundation and intake): a generated file of 1,000,000 signals, parsed, validated,
screened, matched, prioritised and stored on PostgreSQL; the same work as a per-row ORM save
loop on the file's first rows, measured in the same run, is the baseline.
"""

import argparse
import platform
import subprocess
import sys
from datetime import date

from bench.common import WORK, drop_database, fresh_database, run_json, write_result

NOW = "2026-11-28T12:00"


def signal_file(count: int):  # type: ignore[no-untyped-def]
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"signals-{count}.csv"
    if not path.exists():
        subprocess.run(
            [sys.executable, "-m", "outreach.intake.sample_data", "signals", str(path),
             "--count", str(count), "--seed", "2026", "--households", str(count * 7 // 10),
             "--start", "2025-12-01", "--end", "2026-11-27"],
            check=True,
        )  # fmt: skip
    return path


def bench_intake(count: int, baseline_rows: int, workers: int) -> None:
    path = signal_file(count)
    url = fresh_database("outreach_bench")
    naive = run_json(url, "bench.naive_intake", str(path), str(baseline_rows), NOW)
    url = fresh_database("outreach_bench")
    fast = run_json(url, "bench.intake_run", str(path), str(workers), NOW)
    drop_database("outreach_bench")
    naive_rate = naive["accepted"] / naive["seconds"]
    rate = fast["accepted"] / fast["seconds"]
    result = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "signals": count,
        "pipeline": fast,
        "pipeline_signals_per_second": round(rate),
        "baseline_rows": baseline_rows,
        "baseline": naive,
        "baseline_signals_per_second": round(naive_rate),
        "ratio": round(rate / naive_rate, 1),
        "targets": {"signals_per_second": 10_000, "peak_mb": 500, "ratio": 20},
    }
    summary = (
        f"# Intake benchmark ({result['date']})\n\n"
        f"{count:,} generated signals, PostgreSQL, {workers} worker processes.\n\n"
        f"| measure | value | target |\n|---|---|---|\n"
        f"| pipeline | {rate:,.0f} signals/s ({fast['seconds']:.1f} s) | >= 10,000/s |\n"
        f"| peak memory (all processes, upper bound) | {fast['peak_mb_total_bound']:.0f} MB "
        f"| < 500 MB |\n"
        f"| per-row ORM loop ({baseline_rows:,} rows) | {naive_rate:,.0f} signals/s | |\n"
        f"| ratio | {rate / naive_rate:.1f}x | >= 20x |\n"
    )
    write_result("intake", result, summary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--baseline-rows", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    bench_intake(args.signals, args.baseline_rows, args.workers)


if __name__ == "__main__":
    main()
