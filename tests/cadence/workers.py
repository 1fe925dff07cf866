"""Real processes for the reliability tests: a private Redis, Celery workers, and the test
transports a worker loads through OUTREACH_TRANSPORT.

Nothing here mocks Celery or Redis: the tests start `redis-server` and `celery worker` as
subprocesses, kill them with SIGKILL and start them again. The transports run inside the
worker processes, so what they must remember (how often a number was tried) lives in Redis,
where the test process can read it too.
"""

import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

import redis
from django.conf import settings

from outreach.messaging.transports.base import (
    ABSENT,
    HANDED_OVER,
    PERMANENT,
    SENT,
    TRANSIENT,
    Lookup,
    Outgoing,
    Result,
)
from outreach.messaging.transports.twilio.transport import TwilioSmsTransport

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"

# The key the flaky transport counts the attempts per number under.
CALLS = "reltest:calls:"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(check: Callable[[], bool], timeout: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout:.0f} s for {what}")
        time.sleep(every)


def socket_owners(local_ports: set[int], pids: Sequence[int]) -> list[int]:
    """Which of `pids` own a TCP socket bound to one of `local_ports` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) in local_ports:
                inodes.add(f"socket:[{fields[9]}]")
    owners = []
    for pid in pids:
        try:
            targets = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
        except OSError:
            continue  # it is gone
        if targets & inodes:
            owners.append(pid)
    return owners


class RedisServer:
    """A throwaway redis-server that keeps nothing on disk, on a port of its own."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def start(self) -> None:
        self.starts += 1
        log = open(self.folder / f"redis-{self.starts}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", str(self.folder)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        log.close()
        wait_for(self._answers, 10, f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {self.process.returncode}")
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        """SIGKILL: everything queued in it is gone, as after a crash without persistence."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def restart(self, down_seconds: float = 0.0) -> None:
        self.kill()
        time.sleep(down_seconds)
        self.start()

    def queued(self, queue: str = "celery") -> int:
        return int(self.client().llen(queue))


# Faster start and no chatter between the test's workers (the Procfile's options stay).
QUIET_WORKER = ["--without-heartbeat", "--without-gossip", "--without-mingle"]


def spawn(argv: list[str], env: dict[str, str], log_path: Path) -> "subprocess.Popen[bytes]":
    """`argv` in the project folder and its own process group, its output appended to
    `log_path`."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            argv, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


def kill_group(process: "subprocess.Popen[bytes] | None") -> None:
    """SIGKILL to the process's whole group, even when the process already ended by itself."""
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


class Worker:
    """`celery -A outreach worker` in its own process group; SIGKILL takes the whole group."""

    def __init__(self, name: str, env: dict[str, str], folder: Path, concurrency: int = 2):
        self.name = name
        self.env = env
        self.log_path = folder / f"worker-{name}.log"
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None
        self.log_from = 0

    def command(self) -> list[str]:
        return [
            str(CELERY), "-A", "outreach", "worker", "-l", "info", "-n", f"{self.name}@%h",
            "-c", str(self.concurrency), "-P", "prefork", *QUIET_WORKER,
        ]  # fmt: skip

    def start(self, wait: bool = True) -> "Worker":
        self.log_from = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.process = spawn(self.command(), self.env, self.log_path)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> None:
        wait_for(self._ready, 60, f"worker {self.name} to be ready", every=0.1)

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"worker {self.name} exited:\n{self.log_tail()}")
        return " ready." in self.log()[self.log_from :]

    @property
    def exited(self) -> bool:
        """It ended by itself (not by `kill`), as a worker does after an unrecoverable error."""
        return self.process is not None and self.process.poll() is not None

    def pool_pids(self) -> list[int]:
        """The prefork children that execute the tasks."""
        assert self.process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
                pid, rest = stat.read_text().split(" ", 1)
                ppid = int(rest.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # gone meanwhile
            if ppid == self.process.pid:
                children.append(int(pid))
        return children

    def kill(self) -> None:
        """SIGKILL to the main process and its pool at once: a crash, an OOM kill."""
        kill_group(self.process)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log().splitlines()[-lines:])


def worker_env(database_url: str, redis_url: str, campaigns: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="outreach.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        OUTREACH_CAMPAIGNS_DIR=str(campaigns),
        PYTHONPATH=os.pathsep.join(filter(None, [str(BASE_DIR), env.get("PYTHONPATH", "")])),
        LOG_LEVEL="INFO",
    )
    env.update(extra)
    return env


class SlowOutbox:
    """The outbox as a gateway that takes a while to answer, and that remembers every
    hand-over.

    Each batch handed over is first appended to RELTEST_SENDS_FILE, one "<message id> <step
    id>" line per message, in one O_APPEND write: what a real gateway would have been given,
    including the batches whose worker was killed before it recorded the result. Then it
    pauses, marked busy (`_pause_marked_busy`). `lookup` answers from the same file, as a
    provider's list of received messages does.
    """

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        record = os.environ.get("RELTEST_SENDS_FILE")
        if record and batch:
            line = "".join(f"{item.message_id} {item.step_id}\n" for item in batch).encode()
            fd = os.open(record, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)
        _pause_marked_busy()
        return [Result(SENT, transport_id=f"outbox-{item.message_id}") for item in batch]

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        record = Path(os.environ.get("RELTEST_SENDS_FILE", "/nonexistent"))
        taken = record.read_text().split("\n") if record.exists() else []
        if f"{item.message_id} {item.step_id}" in taken:
            found = Lookup(HANDED_OVER, Result(SENT, transport_id=f"outbox-{item.message_id}"))
        else:
            found = Lookup(ABSENT)
        _log_lookup(item, found)
        return found


def _pause_marked_busy() -> None:
    """After the gateway took a batch: the time it takes to answer (RELTEST_SEND_SECONDS),
    with the process marked (a file named by its pid in RELTEST_BUSY_DIR), so that a test can
    kill it exactly when the gateway has the messages and the database does not know yet."""
    busy = Path(os.environ.get("RELTEST_BUSY_DIR", "/nonexistent")) / str(os.getpid())
    if busy.parent.is_dir():
        busy.touch()
    time.sleep(float(os.environ.get("RELTEST_SEND_SECONDS", "0")))
    busy.unlink(missing_ok=True)


def _log_lookup(item: Outgoing, found: Lookup) -> None:
    with open(os.environ.get("RELTEST_LOOKUPS_FILE", os.devnull), "a") as log:
        log.write(f"{item.message_id} {item.channel} {found.answer} {found.note}\n")


class MarkedTwilioSms(TwilioSmsTransport):
    """Twilio's SMS transport (against the local fake of its API), pausing marked busy after
    Twilio took the batch (`_pause_marked_busy`)."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        results = super().send(batch)
        _pause_marked_busy()
        return results

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        found = super().lookup(item, since, now)
        _log_lookup(item, found)
        return found


class FlakyTransport:
    """Letters go out; an SMS is answered by the number's last digit, and every attempt per
    number is counted in Redis:

    - 1: a transient error the first two times, then sent;
    - 7: a transient error every time;
    - 9: a permanent error;
    - anything else: sent.
    """

    def __init__(self) -> None:
        self.redis = redis.Redis.from_url(settings.REDIS_URL)

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        results = []
        for item in batch:
            if item.channel != "sms":
                results.append(Result(SENT, transport_id=f"flaky-{item.step_id}"))
                continue
            tries = int(self.redis.incr(CALLS + item.to))
            last = item.to[-1]
            if last == "9":
                results.append(Result(PERMANENT, error=f"unknown number {item.to}"))
            elif last == "7" or (last == "1" and tries <= 2):
                results.append(Result(TRANSIENT, error=f"gateway busy (try {tries})"))
            else:
                results.append(Result(SENT, transport_id=f"flaky-{item.step_id}-{tries}"))
        return results


# --- The Procfile's workers, `celery beat`, publishing to a private Redis ---------------------

PROCFILE = BASE_DIR / "Procfile"


def procfile() -> dict[str, list[str]]:
    """The Procfile's processes: name -> command line, split as a shell would."""
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, command = line.split(":", 1)
            processes[name.strip()] = shlex.split(command)
    return processes


def option(argv: Sequence[str], name: str) -> str | None:
    """The value of `--name=value` or `--name value` in a command line."""
    for i, arg in enumerate(argv):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
    return None


def procfile_workers() -> dict[str, list[str]]:
    """The Procfile's Celery workers: name -> the queues it consumes (empty: all)."""
    workers = {}
    for name, argv in procfile().items():
        if argv[:1] == ["celery"] and "worker" in argv:
            queues = option(argv, "--queues") or option(argv, "-Q") or ""
            workers[name] = [q for q in queues.split(",") if q]
    return workers


class ProcfileWorker(Worker):
    """A worker started as the Procfile's line `process` starts it (its queues, concurrency and
    name), on the test's database and Redis."""

    def __init__(self, process: str, env: dict[str, str], folder: Path) -> None:
        super().__init__(process, env, folder)
        self.argv = procfile()[process]

    def command(self) -> list[str]:
        return [str(CELERY), *self.argv[1:], *QUIET_WORKER]

    def succeeded(self, task: str) -> int:
        """How many runs of `task` this worker finished without an error."""
        return sum(
            1
            for line in self.log().splitlines()
            if f"Task {task}[" in line and " succeeded in " in line
        )


class BeatProcess:
    """`celery -A outreach beat` in its own process group, with its own schedule file: one
    machine's beat."""

    def __init__(self, name: str, env: dict[str, str], folder: Path) -> None:
        self.name = name
        self.env = env
        self.folder = folder
        self.log_path = folder / f"beat-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> "BeatProcess":
        self.process = spawn(
            [str(CELERY), "-A", "outreach", "beat", "-l", "info",
             "-s", str(self.folder / f"beat-{self.name}-schedule"),
             "--pidfile", str(self.folder / f"beat-{self.name}.pid")],
            self.env, self.log_path,
        )  # fmt: skip
        if wait:
            self.wait_started()
        return self

    def wait_started(self) -> None:
        wait_for(self._started, 60, f"beat {self.name} to start", every=0.1)

    def _started(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise RuntimeError(f"beat {self.name} exited:\n{self.log()[-3000:]}")
        return "beat: Starting..." in self.log()

    def sent(self, entry: str) -> int:
        """How often this beat sent the schedule's `entry`."""
        return self.log().count(f"Sending due task {entry} (")

    def kill(self) -> None:
        kill_group(self.process)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """The test process's Celery app sends its tasks to the Redis at `url`, never eagerly."""
    from outreach.celery import app

    def fresh_producers() -> None:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    fresh_producers()
    app.conf.update(broker_url=url, task_always_eager=False)
    try:
        yield
    finally:
        fresh_producers()
        app.conf.update(saved)
