"""The per-sender rate (segments in any one-second window), in the process and shared through
Redis by several processes, and the quiet hours."""

import multiprocessing
import os
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime

import pytest
import redis
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from outreach.messaging.lint.sms import segments
from outreach.messaging.transports.ratelimit import (
    LocalLimiter,
    RedisLimiter,
    acquire,
    default_limiter,
    in_quiet_hours,
    reset_limiter,
    segment_count,
    try_acquire,
)
from tests.conftest import AMSTERDAM

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
TEST_DB = 12  # this suite's own Redis database; keys under a fresh prefix per test


def busiest_window(moments: Sequence[tuple[float, int]], width: float = 1.0) -> int:
    """The most segments in any half-open window [t, t + width)."""
    ordered = sorted(moments)
    best = total = start = 0
    for moment, cost in ordered:
        total += cost
        while ordered[start][0] <= moment - width:
            total -= ordered[start][1]
            start += 1
        best = max(best, total)
    return best


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


# --- in the process --------------------------------------------------------------------------


def take(limiter, sender: str, cost: int, rate: int, release: bool = True) -> float:
    """Take and (as when the provider has answered at once) release: 0.0, or the wait."""
    hold, wait = try_acquire(limiter, sender, cost, rate)
    if hold is not None and release:
        limiter.release(hold)
    return wait


def test_a_sender_gets_its_rate_and_then_waits_for_the_oldest_to_leave_the_window():
    clock = Clock()
    limiter = LocalLimiter(1.0, clock)
    assert [take(limiter, "A", 1, 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert take(limiter, "A", 1, 3) == pytest.approx(1.0)
    assert take(limiter, "B", 1, 3) == 0.0  # another sender has its own window
    clock.now += 0.4
    assert take(limiter, "A", 1, 3) == pytest.approx(0.6)
    clock.now += 0.6
    assert take(limiter, "A", 1, 3) == 0.0


def test_segments_count_until_a_second_after_the_provider_answered():
    clock = Clock()
    limiter = LocalLimiter(1.0, clock)
    hold, _ = try_acquire(limiter, "A", 2, 2)
    clock.now += 5.0  # the request is still under way: its segments still count
    assert take(limiter, "A", 1, 2) == pytest.approx(1.0)  # at least a second after its answer
    limiter.release(hold)
    clock.now += 0.7
    assert take(limiter, "A", 1, 2) == pytest.approx(0.3)
    clock.now += 0.3
    assert take(limiter, "A", 2, 2) == 0.0


def test_a_hold_never_released_counts_until_its_lease_ends():
    clock = Clock()
    limiter = LocalLimiter(1.0, clock, lease=30.0)
    try_acquire(limiter, "A", 1, 1)  # its process died: no answer, no release
    clock.now += 30.5  # the lease ended at 30: then one more window, as after an answer
    assert take(limiter, "A", 1, 1) == pytest.approx(0.5)
    clock.now += 0.5
    assert take(limiter, "A", 1, 1) == 0.0


def test_a_message_of_several_segments_waits_until_all_of_them_fit():
    clock = Clock()
    limiter = LocalLimiter(1.0, clock)
    take(limiter, "A", 2, 5)
    clock.now += 0.5
    take(limiter, "A", 2, 5)
    # 4 of 5 used: three more segments need the first two to leave (at 101.0).
    assert take(limiter, "A", 3, 5) == pytest.approx(0.5)


class Answering:
    """A limiter whose holds are released as soon as they are taken (an instant provider)."""

    def __init__(self, limiter: LocalLimiter) -> None:
        self.limiter = limiter

    def try_acquire_many(self, sender, costs, rate):
        holds, wait = self.limiter.try_acquire_many(sender, costs, rate)
        for hold in holds:
            self.limiter.release(hold)
        return holds, wait

    def release(self, hold) -> None:
        self.limiter.release(hold)


def test_acquire_sleeps_until_the_segments_fit():
    clock = Clock()
    limiter = Answering(LocalLimiter(1.0, clock))
    taken = [acquire(limiter, "A", 1, 2, 10.0, clock.sleep) for _ in range(5)]
    assert all(hold is not None for hold in taken)
    assert clock.slept == [1.0, 1.0]


def test_acquire_gives_up_after_the_longest_wait():
    clock = Clock()
    limiter = Answering(LocalLimiter(1.0, clock))
    assert acquire(limiter, "A", 1, 1, 0.5, clock.sleep) is not None
    assert acquire(limiter, "A", 1, 1, 0.5, clock.sleep) is None
    assert clock.slept == []


def test_a_message_longer_than_the_rate_takes_a_window_of_its_own():
    clock = Clock()
    limiter = Answering(LocalLimiter(1.0, clock))
    assert acquire(limiter, "A", 11, 5, 10.0, clock.sleep).cost == 5  # 11 segments, rate 5
    assert acquire(limiter, "A", 1, 5, 10.0, clock.sleep) is not None
    assert clock.slept == [1.0]


def test_several_messages_take_as_many_as_fit_from_the_first():
    clock = Clock()
    limiter = LocalLimiter(1.0, clock)
    holds, wait = limiter.try_acquire_many("A", [2, 2, 2, 1], 5)
    assert [h.cost for h in holds] == [2, 2] and wait == pytest.approx(1.0)
    for hold in holds:
        limiter.release(hold)
    holds, wait = limiter.try_acquire_many("A", [1, 1], 5)  # 5 taken now
    assert len(holds) == 1 and wait == pytest.approx(1.0)
    limiter.release(holds[0])
    clock.now += 1.0
    holds, wait = limiter.try_acquire_many("A", [2, 3], 5)
    assert [h.cost for h in holds] == [2, 3] and wait == 0.0
    assert holds[1].first == holds[0].first + 2  # each message its own entries
    assert limiter.try_acquire_many("B", [], 5) == ([], 0.0)


def test_without_redis_the_limiter_lives_in_the_process(settings):
    settings.OUTREACH_RATE_REDIS_URL = ""
    reset_limiter()
    try:
        assert isinstance(default_limiter(), LocalLimiter)
        assert default_limiter() is default_limiter()
    finally:
        reset_limiter()


# --- segments ------------------------------------------------------------------------------

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà"
)
MIXED = GSM_BASIC + "^{}\\[~]|€" + "ëïçş" + "🙂👍"


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.text(alphabet=MIXED, max_size=700) | st.text(alphabet=GSM_BASIC, max_size=700))
def test_the_fast_segment_count_is_the_exact_one(text):
    assert segment_count(text) == segments(text)


@pytest.mark.parametrize(
    "text",
    ["", "a", "a" * 160, "a" * 161, "a" * 1600, "€" * 80, "€" * 81, "ë" * 70, "ë" * 71,
     "🙂" * 35, "🙂" * 36, "a" * 152 + "€"],
)  # fmt: skip
def test_the_fast_segment_count_at_the_edges(text):
    assert segment_count(text) == segments(text)


# --- quiet hours -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "quiet"),
    [
        ("2026-05-18T20:59:59", False),
        ("2026-05-18T21:00", True),
        ("2026-05-19T00:30", True),
        ("2026-05-19T07:59", True),
        ("2026-05-19T08:00", False),
        ("2026-03-29T07:30", True),  # the night clocks go forward
        ("2026-10-25T08:15", False),  # and back
    ],
)
def test_the_quiet_hours_are_local_time(moment, quiet):
    local = datetime.fromisoformat(moment).replace(tzinfo=AMSTERDAM)
    assert in_quiet_hours(local, "21:00-08:00") is quiet
    # The same moment in UTC is the same answer.
    assert in_quiet_hours(local.astimezone(tz=None), "21:00-08:00") is quiet


def test_quiet_hours_may_be_a_span_within_a_day_or_none():
    noon = datetime(2026, 5, 18, 12, 30, tzinfo=AMSTERDAM)
    assert in_quiet_hours(noon, "12:00-13:00")
    assert not in_quiet_hours(noon, "21:00-08:00")
    assert not in_quiet_hours(noon.replace(hour=23), "")


# --- shared through Redis --------------------------------------------------------------------


@pytest.fixture
def redis_limiter() -> Iterator[RedisLimiter]:
    client = redis.Redis.from_url(os.environ["REDIS_URL"], db=TEST_DB)
    prefix = f"twiliohelper-test:{uuid.uuid4().hex}"
    yield RedisLimiter(client, prefix, 1.0, lease=30.0)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@needs_redis
def test_redis_answers_how_long_until_the_segments_fit(redis_limiter):
    sender = "+3197010000001"
    assert [take(redis_limiter, sender, 1, 5) for _ in range(5)] == [0.0] * 5
    wait = take(redis_limiter, sender, 1, 5)
    assert 0.9 < wait <= 1.0
    assert take(redis_limiter, "+3197010000002", 5, 5) == 0.0
    # Both keys expire on their own once the sender is idle (after the lease and the window).
    client = redis_limiter.client
    for key in redis_limiter.keys(sender):
        assert 30_000 < client.pttl(key) <= 32_000


@needs_redis
def test_redis_counts_a_hold_until_a_second_after_its_release(redis_limiter):
    sender = "+3197010000001"
    hold, _ = try_acquire(redis_limiter, sender, 2, 2)
    time.sleep(1.2)  # under way longer than the window: still counted
    assert take(redis_limiter, sender, 1, 2) == pytest.approx(1.0)
    redis_limiter.release(hold)
    assert 0.9 < take(redis_limiter, sender, 1, 2) <= 1.0
    window = redis_limiter.client.zrange(redis_limiter.keys(sender)[0], 0, -1)
    assert sorted(int(m) for m in window) == [hold.first, hold.first + 1]


@needs_redis
def test_redis_takes_several_messages_in_one_round_trip(redis_limiter):
    sender = "+3197010000001"
    holds, _ = redis_limiter.try_acquire_many(sender, [2, 2, 2, 1], 5)
    assert [(h.first, h.cost) for h in holds] == [(1, 2), (3, 2)]
    holds, wait = redis_limiter.try_acquire_many(sender, [1, 1], 5)
    assert len(holds) == 1 and wait == pytest.approx(1.0)  # the full window is under way
    assert take(redis_limiter, sender, 1, 5) > 0.9  # the single take sees the same window
    assert redis_limiter.try_acquire_many(sender, [], 5) == ([], 0.0)
    many = "+3197010000003"
    holds, wait = redis_limiter.try_acquire_many(many, [2] * 1500, 10_000)  # 3,000 entries
    assert len(holds) == 1500 and wait == 0.0
    assert redis_limiter.client.zcard(redis_limiter.keys(many)[0]) == 3000
    for hold in holds:
        redis_limiter.release(hold)
    assert redis_limiter.client.zcard(redis_limiter.keys(many)[0]) == 3000


def _hammer(url: str, prefix: str, senders: list[str], rate: int, seconds: float, out) -> None:
    limiter = RedisLimiter(redis.Redis.from_url(url, db=TEST_DB), prefix, 1.0)
    taken = []
    end = time.time() + seconds
    i = 0
    while time.time() < end:
        sender = senders[i % len(senders)]
        cost = 1 + i % 3
        i += 1
        hold = acquire(limiter, sender, cost, rate, 5.0)
        if hold is not None:
            taken.append((sender, time.time(), cost))
            limiter.release(hold)
    out.put(taken)


@needs_redis
def test_processes_sharing_redis_hold_each_sender_to_its_rate(redis_limiter):
    senders, rate, seconds = ["S1", "S2"], 40, 2.5
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    workers = [
        context.Process(
            target=_hammer,
            args=(os.environ["REDIS_URL"], redis_limiter.prefix, senders, rate, seconds, out),
        )
        for _ in range(4)
    ]
    for worker in workers:
        worker.start()
    taken = [entry for _ in workers for entry in out.get(timeout=30)]
    for worker in workers:
        worker.join(10)
    for sender in senders:
        moments = [(moment, cost) for s, moment, cost in taken if s == sender]
        assert busiest_window(moments) <= rate
        # ... and it gets close to its rate: the limit is not the only thing it does.
        assert sum(cost for _, cost in moments) >= rate * seconds * 0.7


@needs_redis
def test_with_redis_configured_the_workers_share_it(settings):
    settings.OUTREACH_RATE_REDIS_URL = f"{os.environ['REDIS_URL'].rsplit('/', 1)[0]}/{TEST_DB}"
    reset_limiter()
    try:
        assert isinstance(default_limiter(), RedisLimiter)
    finally:
        reset_limiter()
