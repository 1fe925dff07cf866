"""Helpers for benchmarks: a fresh PostgreSQL database per run and result files."""

import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
# The benchmarks' databases hold invented people only: a fixed BSN key (the settings refuse
# to start on PostgreSQL without one), unless the environment gives another.
os.environ.setdefault("OUTREACH_BSN_KEY", "UdFU2hySm0FfUAnhP0JDYkrhPeIDZqaYL7wxyyAuwoo=")
# A benchmark is a development run on a local PostgreSQL (with DATABASE_URL the service would
# take itself for production and ask for a secret key of its own); its processes inherit this.
os.environ.setdefault("OUTREACH_ENV", "development")


def database_url(name: str) -> str:
    """A URL for database `name` on the server of DATABASE_URL (or the local default)."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    return urlunsplit(parts._replace(path=f"/{name}"))


def fresh_database(name: str) -> str:
    """Drop and create `name`, migrate it, and return its URL."""
    admin = database_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = database_url(name)
    outreach(url, "migrate", "-v0")
    # Invented details: without a contact person and numbers no campaign starts.
    contact = {
        "worker_name": "Sanne Bakker",
        "worker_phone": "020 123 4567",
        "reply_number": "06 1234 5678",
    }
    options = [f"--contact={key}={value}" for key, value in contact.items()]
    outreach(url, "add-municipality", "9999", "Voorbeeldstad", *options, "--no-input")
    return url


def drop_database(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def outreach(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("REDIS_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "outreach.cli", *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def run_json(
    url: str, module: str, *args: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run `python -m module args` against the database; it prints one JSON object last.

    Without REDIS_URL in `env` Celery runs in-process, as in the embedded default."""
    full = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "outreach.settings"}
    full.pop("REDIS_URL", None)
    full.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        env=full,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise subprocess.CalledProcessError(done.returncode, done.args)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def start_twilio_stand_in(
    module: str, account_sid: str, auth_token: str
) -> tuple["subprocess.Popen[str]", str]:
    """A stand-in of Twilio's API (`module`: the tests' fake or the lean stub) in a process of
    its own; it and the URL it listens on."""
    server = subprocess.Popen(
        [sys.executable, "-m", module, "--port", "0",
         "--account-sid", account_sid, "--auth-token", auth_token],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline().strip()
    if not line.startswith("listening on "):
        server.kill()
        raise SystemExit(f"{module} did not start: {line!r}")
    return server, line.removeprefix("listening on ")


def redis_url(db: int) -> str:
    """A URL for Redis database `db` on the server of REDIS_URL (or the local default)."""
    parts = urlsplit(os.environ.get("REDIS_URL") or DEFAULT_REDIS)
    return urlunsplit(parts._replace(path=f"/{db}"))


def write_result(name: str, result: dict[str, Any], summary: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{name}.md").write_text(summary + "\n")
    print(summary)


def cpu_seconds(labels: dict[str, str]) -> dict[int, tuple[str, float]]:
    """CPU time (user + system) so far of every process on the machine, with its name: a
    process whose command line holds a key of `labels` is named by its value, the others by
    their program (postgres's processes all as "postgres")."""
    tick = os.sysconf("SC_CLK_TCK")
    used: dict[int, tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            command = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        line = command.decode(errors="replace")
        named = [label for key, label in labels.items() if key in line]
        if named:
            name = named[0]
        elif name.startswith("postgres"):
            name = "postgres"
        used[int(stat.parent.name)] = (name, (int(fields[11]) + int(fields[12])) / tick)
    return used


def cpu_spent(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds spent in between, by name (processes that ended meanwhile are missed)."""
    spent: dict[str, float] = defaultdict(float)
    for pid, (name, seconds) in after.items():
        earlier = before.get(pid)
        spent[name] += seconds - (earlier[1] if earlier and earlier[0] == name else 0.0)
    return spent
