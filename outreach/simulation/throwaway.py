"""A simulation never touches the service's own data: it runs in a process of its own, on a
throw-away database, with a data folder and a campaigns folder of its own, all removed at the
end, also when it fails or is interrupted (Ctrl-C, SIGTERM).

- The database: on the embedded default a temporary SQLite file; on PostgreSQL a database with
  a random name (`outreach_sim_<hex>`) made with CREATE DATABASE on the same server as the
  service's, dropped WITH (FORCE) at the end. The service's own database is only connected to
  for those two statements, never read or written.
- The process: `python -m outreach.simulation.runner`, with DATABASE_URL, OUTREACH_DATA_DIR
  and OUTREACH_CAMPAIGNS_DIR pointing at the throw-away ones, every message to the file
  outbox of the temporary folder, tasks in the process (no broker), in development mode with
  keys of its own. Whatever could reach outside is taken out of its environment: transports,
  Twilio, e-mail, the print hand-over, the screening sources, single sign-on, Redis.
"""

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

from outreach.simulation.policy import prepare
from outreach.simulation.runner import Spec

Progress = Callable[[int, int], None]
# Settings that reach outside the process (or name the service's own storage), by name or
# prefix: the simulation's process does without them.
OUTWARD = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "OUTREACH_BSN_KEY",
    "OUTREACH_TRANSPORTS",
    "OUTREACH_PRINT_",
    "OUTREACH_OUTBOX_FILE",
    "OUTREACH_STATIC_ROOT",
    "OUTREACH_RATE_REDIS_URL",
    "OUTREACH_CLIENT_SOURCE",
    "OUTREACH_POPULATION_REGISTER",
    "OUTREACH_TWILIO_",
    "TWILIO_",
    "OUTREACH_PUBLIC_BASE_URL",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "OUTREACH_EMAIL_FROM",
    "OIDC_",
    "OUTREACH_OIDC_",
    "CELERY_",
)
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


class SimulationFailed(RuntimeError):
    """The simulation's process ended without its figures."""


def child_environment(
    environ: Mapping[str, str], database_url: str, data: Path, campaigns: Path
) -> dict[str, str]:
    """The simulation's environment: `environ` without what reaches outside, with the
    throw-away database and folders."""
    env = {k: v for k, v in environ.items() if not k.startswith(OUTWARD)}
    path = [str(PACKAGE_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env.update(
        {
            "DATABASE_URL": database_url,
            "OUTREACH_DATA_DIR": str(data),
            "OUTREACH_CAMPAIGNS_DIR": str(campaigns),
            "OUTREACH_TRANSPORT": "outbox",
            "OUTREACH_ENV": "development",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_SETTINGS_MODULE": "outreach.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(path),
        }
    )
    return env


def postgres_url(database: Mapping[str, Any], name: str) -> str:
    """A URL for database `name` on the server of Django's `database` settings."""
    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    login = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = str(database.get("HOST") or "")
    if host.startswith("/"):  # a Unix socket: in the query, as libpq takes it
        return f"postgres://{login}/{name}?host={quote(host, safe='')}"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgres://{login}{host}{port}/{name}"


@contextmanager
def throwaway_database(database: Mapping[str, Any], folder: Path) -> Iterator[str]:
    """The URL of an empty database like `database` (Django's settings of the service's own),
    removed when the block ends however it ends."""
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        yield f"sqlite:///{folder / 'simulation.sqlite3'}"
        return  # the file goes with the folder
    if not engine.endswith("postgresql"):
        raise SimulationFailed(f"the simulator runs on SQLite or PostgreSQL, not on {engine}")
    name = f"outreach_sim_{secrets.token_hex(6)}"
    with _server(database) as server:
        server.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_url(database, name)
    finally:
        with _server(database) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _server(database: Mapping[str, Any]) -> Iterator[Any]:
    """A connection to the server (to the service's database: the one it may surely log in
    to), in autocommit: CREATE and DROP DATABASE run outside a transaction."""
    import psycopg

    options = dict(database.get("OPTIONS") or {})
    params = {
        "dbname": database.get("NAME"),
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        **{k: v for k, v in options.items() if k in ("sslmode", "sslrootcert", "sslcert")},
    }
    with psycopg.connect(
        **{k: v for k, v in params.items() if v is not None}, autocommit=True
    ) as conn:
        yield conn


def simulate_in_child(
    spec: Spec,
    campaigns_source: Path,
    municipality: str | None,
    database: Mapping[str, Any],
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Run `spec` (its campaigns not yet placed: see policy.prepare) in a process of its own
    on a throw-away database; its figures. SimulationFailed when the process fails."""
    with tempfile.TemporaryDirectory(prefix="outreach-sim-") as temp, _terminated_as_exit():
        root = Path(temp)
        os.chmod(root, 0o700)  # invented people, but in the shape of real ones
        data, campaigns = root / "data", root / "campaigns"
        data.mkdir(mode=0o700)
        placed = prepare(
            campaigns_source, campaigns, [s.campaign for s in spec.campaigns], municipality
        )
        spec = replace(spec, campaigns=placed)
        spec_path, result_path = data / "spec.json", data / "result.json"
        spec_path.write_text(spec.to_json(), encoding="utf-8")
        with throwaway_database(database, data) as url:
            env = child_environment(os.environ, url, data, campaigns)
            _run_child(env, spec_path, result_path, progress)
        result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        return result


def _run_child(env: dict[str, str], spec: Path, result: Path, progress: Progress | None) -> None:
    command = [sys.executable, "-m", "outreach.simulation.runner", str(spec), str(result)]
    child = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    errors: list[str] = []
    # Read its errors beside its progress, so that neither pipe fills and blocks it.
    reader = threading.Thread(target=lambda: errors.extend(child.stderr or []), daemon=True)
    reader.start()
    try:
        assert child.stdout is not None
        for line in child.stdout:
            if progress is None:
                continue
            try:
                told = json.loads(line)
                progress(int(told["day"]), int(told["days"]))
            except (ValueError, KeyError, TypeError):
                continue
        child.wait()
    finally:
        if child.poll() is None:  # interrupted: stop it before its database goes
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        reader.join(timeout=5)
    if child.returncode != 0:
        last = "".join(errors[-20:]).strip()
        raise SimulationFailed(f"the simulation stopped (exit {child.returncode}):\n{last}")


@contextmanager
def _terminated_as_exit() -> Iterator[None]:
    """SIGTERM ends the block as an exception would, so that the cleaning up runs (only the
    main thread can set a handler: elsewhere the caller's own handling stands)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(number: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + number)

    before = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)
