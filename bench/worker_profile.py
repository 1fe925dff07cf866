"""Loaded by a benchmark's worker (`-I bench.worker_profile`) when BENCH_PROFILE_DIR is set:
where a pool process's CPU time goes, by the parts of executing a batch.

Each part is a function wrapped to add the CPU time of the thread that runs it
(`time.thread_time`), so the parts on the transport's threads count too, and the wrapping costs
a few microseconds a call. When the process ends it writes BENCH_PROFILE_DIR/<pid>.json: the
seconds and calls per part and the process's whole CPU time (all its threads) since it started.
Parts nest: "batch" holds the rest; "send" (the transport, seen from the batch) holds "request"
and "rate window" when the transport sends on the batch's own thread (one thread).

With BENCH_CPROFILE=1 each process also runs under cProfile (its main thread only) and leaves
<pid>.prof beside it.
"""

import cProfile
import functools
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery.signals import worker_process_init, worker_process_shutdown

_spent: dict[str, list[float]] = {}
_profile = cProfile.Profile()
_began = [0.0]


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    tally = _spent.setdefault(name, [0.0, 0])

    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        began = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            tally[0] += time.thread_time() - began
            tally[1] += 1

    return timed


def _wrap(owner: Any, attribute: str, name: str) -> None:
    setattr(owner, attribute, _timed(name, getattr(owner, attribute)))


def install() -> None:
    """Wrap the parts of a batch's execution (see the module's docstring)."""
    from outreach.cadence import execution
    from outreach.messaging.transports import ratelimit
    from outreach.messaging.transports.twilio import transport

    _wrap(execution, "execute_steps", "batch")
    _wrap(execution, "load_recipients", "load recipients")
    _wrap(execution, "compose", "compose the texts")
    _wrap(execution, "persist", "persist (messages as sending)")
    _wrap(execution, "_hand_over", "send")
    _wrap(execution, "record", "record (the results)")
    _wrap(execution, "_write", "write (steps, tasks, attempts)")
    _wrap(transport.TwilioTransport, "plan", "plan (quiet hours, segments)")
    _wrap(transport.TwilioTransport, "create", "request (twilio client, HTTP)")
    _wrap(transport.OutreachHttpClient, "request", "HTTP client")
    _wrap(ratelimit.RedisLimiter, "try_acquire_many", "rate window (Redis)")
    _wrap(ratelimit.RedisLimiter, "release", "rate window (Redis)")


@worker_process_init.connect
def _start(**_: Any) -> None:
    install()
    _began[0] = time.process_time()
    if os.environ.get("BENCH_CPROFILE"):
        _profile.enable()


@worker_process_shutdown.connect
def _stop(**_: Any) -> None:
    folder = Path(os.environ["BENCH_PROFILE_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    if os.environ.get("BENCH_CPROFILE"):
        _profile.disable()
        _profile.dump_stats(folder / f"{os.getpid()}.prof")
    parts = {name: {"seconds": s, "calls": c} for name, (s, c) in _spent.items()}
    whole = time.process_time() - _began[0]
    (folder / f"{os.getpid()}.json").write_text(json.dumps({"process": whole, "parts": parts}))
