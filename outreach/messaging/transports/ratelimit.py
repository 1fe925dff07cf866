"""How fast and when SMS and WhatsApp messages leave: a per-sender rate and quiet hours.

A sender (a phone number, an alphanumeric id or a Messaging Service) may hand over at most
`rate` SMS segments (WhatsApp: messages) in any window of one second. Twilio queues what a
sender cannot send at once, for up to four hours: a message queued at 17:55 can then reach a
phone at 21:30. Holding the rate here keeps Twilio's queue empty and the sending time ours.

What the provider counts is when each request reaches it, and a request reaches it some time
after its segments were taken: a thread must be free, a connection opened, the line may be slow,
a core busy. That time has no bound we could cover with a margin (a window of one second plus a
margin, counted from the take, let a sliding second at the provider hold 154 segments of 150).
So a message's segments count from the moment they are taken until one second after the
provider answered (`Limiter.release`): the request arrived somewhere in between, and a new
message may only be taken while the segments that may still share a second with its arrival
leave room. (Two arrivals a second apart: the later message was taken before it arrived, the
earlier was answered after it arrived, so when the later was taken the earlier still counted.)
The price is that a sender's message occupies its window for one second plus the request's round
trip. A message that never gets an answer (a time-out, a dropped connection, a process that died)
keeps counting until its hold's lease ends (`lease`): longer than any request may take.

The window is shared by every worker process through Redis: one sorted set per sender holds an
entry per segment taken, scored by Redis's own clock (TIME): the end of its lease while the
request is under way, the moment the answer came once released. An atomic Lua script removes
the entries more than a window old, counts the rest and either takes the segments or answers how
long until they fit. A transport sending a batch on several threads takes the segments of a run
of one sender's messages in one call (the Redis round trip then costs a run, not a message).
Without Redis (the embedded default) the same window lives in the process.

Quiet hours: no message to a phone between 21:00 and 08:00 (Europe/Amsterdam), or in the quiet
hours of the recipient's municipality (`Municipality.quiet_hours`), which the engine puts on
each `Outgoing`. The engine keeps its steps out of them; a transport checks again just before
it sends.
"""

import functools
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import redis
from django.conf import settings

from outreach.core import quiet_hours
from outreach.messaging.lint.sms import segments

# Result.error_code of a message the transport held back without trying it: the engine
# postpones it without counting a retry (nothing failed).
RATE_LIMITED = "rate_limited"
QUIET_HOURS = "quiet_hours"
DEFERRED = frozenset({RATE_LIMITED, QUIET_HOURS})

# KEYS[1]: the sender's window (sorted set of segments, member: a sequence number), KEYS[2]:
# its sequence counter. ARGV: rate, window and lease in microseconds, then each message's
# segments, in order. Takes the longest run of messages from the first that fits, their entries
# scored at the end of their lease; returns {messages taken, the first message's first sequence
# number, microseconds until the next message would fit (0 when all were taken)}.
_ACQUIRE = """
pcall(redis.replicate_commands)
local rate = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local lease = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local taken, total = 0, 0
for i = 4, #ARGV do
  local cost = tonumber(ARGV[i])
  if used + total + cost > rate then break end
  total = total + cost
  taken = taken + 1
end
local first = 0
if total > 0 then
  local last = redis.call('INCRBY', KEYS[2], total)
  first = last - total + 1
  -- ZADD in parts: unpack() has a limit on the values it spreads.
  for from = 0, total - 1, 1000 do
    local args = {}
    for i = from, math.min(total - 1, from + 999) do
      args[#args + 1] = now + lease
      args[#args + 1] = string.format('%d', first + i)
    end
    redis.call('ZADD', KEYS[1], unpack(args))
  end
  local keep = math.floor((lease + window) / 1000) + 1000
  redis.call('PEXPIRE', KEYS[1], keep)
  redis.call('PEXPIRE', KEYS[2], keep)
end
if taken == #ARGV - 3 then
  return {taken, first, 0}
end
local cost = tonumber(ARGV[taken + 4])
local inside = used + total
local oldest = redis.call('ZRANGE', KEYS[1], inside + cost - rate - 1, inside + cost - rate - 1,
                          'WITHSCORES')
local leaves = tonumber(oldest[2])
if leaves > now then
  -- Still under way: it counts for a window after its answer, which has not come yet.
  return {taken, first, window}
end
return {taken, first, math.max(1, leaves + window - now)}
"""

# KEYS[1]: the sender's window. ARGV: the sequence numbers of a hold's entries. They count from
# now for one window (an entry already gone, its lease ended, stays gone).
_RELEASE = """
pcall(redis.replicate_commands)
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for from = 1, #ARGV, 1000 do
  local args = {}
  for i = from, math.min(#ARGV, from + 999) do
    args[#args + 1] = now
    args[#args + 1] = ARGV[i]
  end
  redis.call('ZADD', KEYS[1], 'XX', unpack(args))
end
return 0
"""

# How long a message's segments count at most while no answer comes (seconds): longer than a
# request lives (`OUTREACH_TWILIO_TIMEOUT` for connecting and as much for the answer) plus the
# longest wait for a thread (`OUTREACH_RATE_MAX_WAIT`).
MIN_LEASE = 60.0


@dataclass(frozen=True)
class Hold:
    """One message's segments taken of its sender's window: entries `first` .. `first + cost
    - 1`. They count until one window after `Limiter.release` (or the end of the lease)."""

    sender: str
    first: int
    cost: int


class Limiter(Protocol):
    def try_acquire_many(
        self, sender: str, costs: Sequence[int], rate: int
    ) -> tuple[list[Hold], float]:
        """Take the segments of several messages of `sender` (each cost at most `rate`) at
        once, as many from the first as fit: their holds, and the seconds until the next would
        fit (0.0 when all were taken)."""
        ...

    def release(self, hold: Hold) -> None:
        """The provider has answered the hold's message: its segments count for one more
        window from now."""
        ...


def holds_of(sender: str, costs: Sequence[int], first: int) -> list[Hold]:
    """The holds of messages of `costs` whose entries are numbered on from `first`."""
    holds = []
    for cost in costs:
        holds.append(Hold(sender, first, cost))
        first += cost
    return holds


def try_acquire(limiter: Limiter, sender: str, cost: int, rate: int) -> tuple[Hold | None, float]:
    """One message: its hold and 0.0, or None and the seconds until it would fit."""
    holds, wait = limiter.try_acquire_many(sender, [cost], rate)
    return (holds[0], 0.0) if holds else (None, wait)


def acquire(
    limiter: Limiter,
    sender: str,
    cost: int,
    rate: int,
    max_wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> Hold | None:
    """Wait until `sender` may hand over `cost` more segments and take them; None when that
    would take longer than `max_wait` seconds (the message is then held back, as transient).
    A message longer than the whole rate takes a full window of its own. The caller releases
    the hold when the provider has answered."""
    cost = max(1, min(cost, rate))
    waited = 0.0
    while True:
        hold, wait = try_acquire(limiter, sender, cost, rate)
        if hold is not None:
            return hold
        if waited + wait > max_wait:
            return None
        sleep(wait)
        waited += wait


class RedisLimiter:
    """The window in Redis, shared by every worker (see the module's docstring)."""

    def __init__(
        self, client: redis.Redis, prefix: str, window: float = 1.0, lease: float = MIN_LEASE
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.window_us = int(window * 1_000_000)
        self.lease_us = int(lease * 1_000_000)
        self.script = client.register_script(_ACQUIRE)
        self.script_release = client.register_script(_RELEASE)

    def keys(self, sender: str) -> list[str]:
        # One hash tag per sender: both keys live on the same node of a Redis Cluster.
        base = f"{self.prefix}:{{{sender}}}"
        return [base, base + ":seq"]

    def try_acquire_many(
        self, sender: str, costs: Sequence[int], rate: int
    ) -> tuple[list[Hold], float]:
        taken, first, wait = self.script(
            keys=self.keys(sender), args=[rate, self.window_us, self.lease_us, *costs]
        )
        return holds_of(sender, costs[: int(taken)], int(first)), int(wait) / 1_000_000

    def release(self, hold: Hold) -> None:
        members = [str(hold.first + i) for i in range(hold.cost)]
        self.script_release(keys=self.keys(hold.sender)[:1], args=members)


class LocalLimiter:
    """The same window in this process: for the embedded default (one process sends)."""

    def __init__(
        self,
        window: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        lease: float = MIN_LEASE,
    ) -> None:
        self.window = window
        self.clock = clock
        self.lease = lease
        self.lock = threading.Lock()
        # Per sender: each entry's sequence number and when it leaves the window.
        self.entries: dict[str, dict[int, float]] = {}
        self.sequence = 0

    def try_acquire_many(
        self, sender: str, costs: Sequence[int], rate: int
    ) -> tuple[list[Hold], float]:
        with self.lock:
            now = self.clock()
            entries = self.entries.setdefault(sender, {})
            for number in [n for n, score in entries.items() if score <= now - self.window]:
                del entries[number]
            first = self.sequence + 1
            for taken, cost in enumerate(costs):
                if len(entries) + cost > rate:
                    scores = sorted(entries.values())
                    leaves = scores[len(entries) + cost - rate - 1]
                    wait = self.window if leaves > now else max(1e-6, leaves + self.window - now)
                    return holds_of(sender, costs[:taken], first), wait
                for _ in range(cost):
                    self.sequence += 1
                    entries[self.sequence] = now + self.lease
            return holds_of(sender, costs, first), 0.0

    def release(self, hold: Hold) -> None:
        with self.lock:
            now = self.clock()
            entries = self.entries.get(hold.sender, {})
            for number in range(hold.first, hold.first + hold.cost):
                if number in entries:
                    entries[number] = now


@functools.cache
def _limiter(pid: int) -> Limiter:
    lease = max(MIN_LEASE, 2 * settings.OUTREACH_TWILIO_TIMEOUT + settings.OUTREACH_RATE_MAX_WAIT)
    url = settings.OUTREACH_RATE_REDIS_URL
    if not url:
        return LocalLimiter(1.0, lease=lease)
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return RedisLimiter(client, settings.OUTREACH_RATE_PREFIX, 1.0, lease)


def default_limiter() -> Limiter:
    """The configured limiter of this process (a forked worker makes its own connection)."""
    return _limiter(os.getpid())


def reset_limiter() -> None:
    """For tests that change the settings."""
    _limiter.cache_clear()


def _basic_septets() -> "re.Pattern[str]":
    """A pattern that finds a character outside GSM-7's basic set: the characters the codec
    writes as one septet of their own (and reads back as themselves), the escape left out."""
    basic = []
    for code in range(128):
        if code == 0x1B:
            continue
        char = bytes([code]).decode("gsm03.38")
        if len(char) == 1 and char.encode("gsm03.38") == bytes([code]):
            basic.append(char)
    return re.compile("[^" + "".join(re.escape(c) for c in basic) + "]")


_NOT_BASIC = _basic_septets()


def segment_count(text: str) -> int:
    """`outreach.messaging.lint.sms.segments`, with fast paths for the common texts. A text of
    basic GSM-7 characters only (one septet each: found by one regular expression, without the
    codec, which costs a hundred microseconds a text) counts by its length; any other encodes
    the whole text at once instead of character by character. A text with extension characters
    or characters outside the BMP takes the exact count."""
    if not _NOT_BASIC.search(text):
        septets = len(text)
        return (1 if text else 0) if septets <= 160 else -(-septets // 153)
    try:
        encoded = text.encode("gsm03.38")
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-le")) // 2
        if units == len(text):  # no surrogate pairs to keep whole
            return 1 if units <= 70 else -(-units // 67)
        return segments(text)
    if len(encoded) <= 160:
        return 1 if text else 0
    if b"\x1b" in encoded:  # an extension character is never split
        return segments(text)
    return -(-len(encoded) // 153)


def sms_rate(sender: str) -> int:
    """Segments a second `sender` may hand over."""
    return int(settings.OUTREACH_SMS_RATES.get(sender, settings.OUTREACH_SMS_RATE))


def whatsapp_rate(sender: str) -> int:
    """WhatsApp messages a second `sender` may hand over."""
    return int(settings.OUTREACH_WHATSAPP_RATES.get(sender, settings.OUTREACH_WHATSAPP_RATE))


def quiet_hours_of(item_hours: str | None) -> str:
    """The quiet hours a message keeps: its municipality's (`Outgoing.quiet_hours`), or the
    service's default (`OUTREACH_QUIET_HOURS`) for one that names none."""
    return settings.OUTREACH_QUIET_HOURS if item_hours is None else item_hours


def in_quiet_hours(moment: datetime, hours: str | None = None) -> bool:
    """Whether `moment` falls in the quiet hours `hours` ("21:00-08:00" in the service's time
    zone; empty: none; None: `OUTREACH_QUIET_HOURS`). See `outreach.core.quiet_hours`."""
    return quiet_hours.in_quiet_hours(moment, quiet_hours_of(hours))
