"""The simulator (`outreach simulate`) as a user runs it: the whole command, timed from start to
figures, its throw-away database made and dropped by the command itself.

- the embedded default (SQLite): `--sim-small` signals over `--sim-days` days, two campaigns;
- PostgreSQL: the same, and `--sim-large` signals (the issue: 100,000 over 120 days with two
  campaigns, under 10 minutes); how the time grows from the small to the large run.

The team's capacity grows with the signals (`capacity`), so that the runs differ in size only.

Each run reports the command's wall time and the simulation's own (inside its process,
without starting, migrating and dropping), and the figures' totals (signals, cases, steps
made), so that a run that did less work cannot pass for a faster one.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.common import ROOT, database_url

CAMPAIGNS = "letters-only,intensive"


def capacity(signals: int) -> str:
    """Calls and visits a day for a municipality of this many signals: the service's defaults
    (40 and 12) up to 4,000 signals, then growing with it, so that the large run is the small one
    ten times over and not a backlog ten times as deep (100,000 signals in four months is
    eight times Amsterdam's; its team would be as much bigger)."""
    return f"calls={max(40, signals // 100)},visits={max(12, signals // 300)}"


def simulate(signals: int, days: int, database: str | None) -> dict[str, Any]:
    """`outreach simulate --json` in a process of its own; its figures and times. `database`:
    the URL of a PostgreSQL database the command may connect to (its throw-away database is
    made beside it), or None for the embedded default."""
    env = {**os.environ}
    env.pop("REDIS_URL", None)
    if database is None:
        env.pop("DATABASE_URL", None)
        env["OUTREACH_DATA_DIR"] = tempfile.mkdtemp(prefix="outreach-bench-sim-")
    else:
        env["DATABASE_URL"] = database
    command = [
        sys.executable, "-m", "outreach.cli", "simulate", "--signals", str(signals),
        "--days", str(days), "--campaigns", CAMPAIGNS, "--capacity", capacity(signals),
        "--json", "--verbosity", "0",
    ]  # fmt: skip
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise subprocess.CalledProcessError(done.returncode, command)
    result: dict[str, Any] = json.loads(done.stdout)
    campaigns = result["campaigns"]
    return {
        "signals": signals,
        "days": days,
        "campaigns": CAMPAIGNS,
        "capacity": capacity(signals),
        "database": "postgresql" if database else "sqlite",
        "seconds": round(seconds, 1),
        "simulation_seconds": result["seconds"],
        "cases": sum(c["cases"] for c in campaigns.values()),
        "attempts": sum(c["attempts"] for c in campaigns.values()),
        "reach": {name: c["reach"] for name, c in campaigns.items()},
        "signals_per_second": round(signals * len(campaigns) / seconds, 1),
    }


def run_all(small: int, large: int, days: int) -> dict[str, Any]:
    """The three runs and the growth from the small to the large one on PostgreSQL."""
    server = database_url("postgres")
    runs = {
        "sqlite_small": simulate(small, days, None),
        "postgres_small": simulate(small, days, server),
        "postgres_large": simulate(large, days, server),
    }
    little, big = runs["postgres_small"], runs["postgres_large"]
    return {
        **runs,
        "growth": {
            "signals": round(large / small, 1),
            "seconds": round(big["seconds"] / little["seconds"], 1),
            "simulation_seconds": round(
                big["simulation_seconds"] / max(little["simulation_seconds"], 0.1), 1
            ),
        },
        "targets": {"sqlite_10k_seconds": 60, "postgres_100k_seconds": 600},
    }


def summary(result: dict[str, Any], date: str, machine: str, load: list[float]) -> str:
    rows = []
    for key, label, target in (
        ("sqlite_small", "embedded default (SQLite)", "< 60 s for 10,000"),
        ("postgres_small", "PostgreSQL", ""),
        ("postgres_large", "PostgreSQL", "< 600 s for 100,000"),
    ):
        run = result[key]
        reach = ", ".join(f"{name} {value:.1%}" for name, value in run["reach"].items())
        rows.append(
            f"| {label}, {run['signals']:,} signals ({run['capacity']}) | {run['seconds']:.1f} s "
            f"(simulation {run['simulation_seconds']:.1f} s; {run['cases']:,} cases, "
            f"{run['attempts']:,} attempts; reach {reach}) | {target} |"
        )
    growth = result["growth"]
    return (
        f"# Simulator benchmark ({date})\n\n"
        f"`outreach simulate --campaigns {CAMPAIGNS} --days {result['postgres_large']['days']}`"
        f" as a user runs it (its own process, throw-away database made, migrated and dropped "
        f"by the command); {machine}, load average {load[0]} before and {load[1]} after.\n\n"
        "| run | time | target |\n|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nFrom {result['postgres_small']['signals']:,} to "
        f"{result['postgres_large']['signals']:,} signals ({growth['signals']}x) on "
        f"PostgreSQL the command takes {growth['seconds']}x as long (the simulation alone "
        f"{growth['simulation_seconds']}x).\n"
    )
