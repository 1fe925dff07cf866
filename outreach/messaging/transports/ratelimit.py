"""How fast and when SMS and WhatsApp messages leave: a per-sender rate and quiet hours.

A sender (a phone number, an alphanumeric id or a Messaging Service) may hand over at most
`rate` SMS segments (WhatsApp: messages) in any window of one second. Twilio queues what a
sender cannot send at once, for up to four hours: a message queued at 17:55 can then reach a
phone at 21:30. Holding the rate here keeps Twilio's queue empty and the sending time ours.

The window is shared by every worker process through Redis: one sorted set per sender holds an
entry per segment handed over, scored by Redis's own clock (TIME), and an atomic Lua script
removes the entries older than the window, counts the rest and either takes the segments or
answers how long until they fit. The window is one second plus `OUTREACH_RATE_MARGIN`: a
request reaches the provider a little after its segments were taken, and the margin covers that
spread, so that what the provider receives holds the rate too. A transport sending a batch on
several threads takes the segments of a run of one sender's messages in one call (the Redis
round trip then costs a run, not a message). Without Redis (the embedded default) the same
window lives in the process.

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
from collections import deque
from collections.abc import Callable, Sequence
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

# KEYS[1]: the sender's window (sorted set), KEYS[2]: its entry counter.
# ARGV: rate, window in microseconds, segments wanted.
# Returns 0 when the segments were taken, else the microseconds until they would fit.
_ACQUIRE = """
pcall(redis.replicate_commands)
local rate = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
if used + cost <= rate then
  local last = redis.call('INCRBY', KEYS[2], cost)
  local args = {}
  for i = 1, cost do
    args[#args + 1] = now
    args[#args + 1] = last - cost + i
  end
  redis.call('ZADD', KEYS[1], unpack(args))
  local keep = math.floor(window / 1000) + 1000
  redis.call('PEXPIRE', KEYS[1], keep)
  redis.call('PEXPIRE', KEYS[2], keep)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], used + cost - rate - 1, used + cost - rate - 1,
                          'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""

# The same for several messages of one sender in one round trip. KEYS as above; ARGV: rate,
# window in microseconds, then each message's segments, in order. Takes the longest run of
# messages from the first that fits; returns {messages taken, microseconds until the next one
# would fit (0 when all were taken)}.
_ACQUIRE_MANY = """
pcall(redis.replicate_commands)
local rate = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local used = redis.call('ZCARD', KEYS[1])
local taken, total = 0, 0
for i = 3, #ARGV do
  local cost = tonumber(ARGV[i])
  if used + total + cost > rate then break end
  total = total + cost
  taken = taken + 1
end
if total > 0 then
  local last = redis.call('INCRBY', KEYS[2], total)
  local first = last - total
  -- ZADD in parts: unpack() has a limit on the values it spreads.
  for from = 1, total, 1000 do
    local args = {}
    for i = from, math.min(total, from + 999) do
      args[#args + 1] = now
      args[#args + 1] = first + i
    end
    redis.call('ZADD', KEYS[1], unpack(args))
  end
  local keep = math.floor(window / 1000) + 1000
  redis.call('PEXPIRE', KEYS[1], keep)
  redis.call('PEXPIRE', KEYS[2], keep)
end
if taken == #ARGV - 2 then
  return {taken, 0}
end
local cost = tonumber(ARGV[taken + 3])
local inside = used + total
local oldest = redis.call('ZRANGE', KEYS[1], inside + cost - rate - 1, inside + cost - rate - 1,
                          'WITHSCORES')
return {taken, math.max(1, tonumber(oldest[2]) + window - now)}
"""


class Limiter(Protocol):
    def try_acquire(self, sender: str, cost: int, rate: int) -> float:
        """Take `cost` segments of `sender`'s window: 0.0 when taken, else the seconds until
        they would fit (nothing taken)."""
        ...

    def try_acquire_many(self, sender: str, costs: Sequence[int], rate: int) -> tuple[int, float]:
        """Take the segments of several messages of `sender` (each cost at most `rate`) at
        once, as many from the first as fit: how many were taken, and the seconds until the
        next would fit (0.0 when all were taken)."""
        ...


def acquire(
    limiter: Limiter,
    sender: str,
    cost: int,
    rate: int,
    max_wait: float,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Wait until `sender` may hand over `cost` more segments and take them; False when that
    would take longer than `max_wait` seconds (the message is then held back, as transient).
    A message longer than the whole rate takes a full window of its own."""
    cost = max(1, min(cost, rate))
    waited = 0.0
    while True:
        wait = limiter.try_acquire(sender, cost, rate)
        if wait <= 0:
            return True
        if waited + wait > max_wait:
            return False
        sleep(wait)
        waited += wait


class RedisLimiter:
    """The window in Redis, shared by every worker (see the module's docstring)."""

    def __init__(self, client: redis.Redis, prefix: str, window: float) -> None:
        self.client = client
        self.prefix = prefix
        self.window_us = int(window * 1_000_000)
        self.script = client.register_script(_ACQUIRE)
        self.script_many = client.register_script(_ACQUIRE_MANY)

    def keys(self, sender: str) -> list[str]:
        # One hash tag per sender: both keys live on the same node of a Redis Cluster.
        base = f"{self.prefix}:{{{sender}}}"
        return [base, base + ":seq"]

    def try_acquire(self, sender: str, cost: int, rate: int) -> float:
        wait = self.script(keys=self.keys(sender), args=[rate, self.window_us, cost])
        return int(wait) / 1_000_000

    def try_acquire_many(self, sender: str, costs: Sequence[int], rate: int) -> tuple[int, float]:
        taken, wait = self.script_many(keys=self.keys(sender), args=[rate, self.window_us, *costs])
        return int(taken), int(wait) / 1_000_000


class LocalLimiter:
    """The same window in this process: for the embedded default (one process sends)."""

    def __init__(self, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.clock = clock
        self.lock = threading.Lock()
        self.taken: dict[str, deque[float]] = {}

    def try_acquire(self, sender: str, cost: int, rate: int) -> float:
        with self.lock:
            now = self.clock()
            entries = self.taken.setdefault(sender, deque())
            while entries and entries[0] <= now - self.window:
                entries.popleft()
            if len(entries) + cost <= rate:
                entries.extend([now] * cost)
                return 0.0
            oldest = entries[len(entries) + cost - rate - 1]
            return max(1e-6, oldest + self.window - now)

    def try_acquire_many(self, sender: str, costs: Sequence[int], rate: int) -> tuple[int, float]:
        with self.lock:
            now = self.clock()
            entries = self.taken.setdefault(sender, deque())
            while entries and entries[0] <= now - self.window:
                entries.popleft()
            for taken, cost in enumerate(costs):
                if len(entries) + cost > rate:
                    oldest = entries[len(entries) + cost - rate - 1]
                    return taken, max(1e-6, oldest + self.window - now)
                entries.extend([now] * cost)
            return len(costs), 0.0


@functools.cache
def _limiter(pid: int) -> Limiter:
    window = 1.0 + settings.OUTREACH_RATE_MARGIN
    url = settings.OUTREACH_RATE_REDIS_URL
    if not url:
        return LocalLimiter(window)
    client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
    return RedisLimiter(client, settings.OUTREACH_RATE_PREFIX, window)


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
