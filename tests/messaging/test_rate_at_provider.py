"""A sender's rate as the provider sees it: several transports (as several worker processes
would) share one sender's window in Redis while their requests take varying times to reach the
provider, and no sliding one-second window of the provider's arrival times holds more than the
rate."""

import os
import random
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from outreach.messaging.transports.base import SENT, Outgoing
from outreach.messaging.transports.ratelimit import reset_limiter
from outreach.messaging.transports.twilio.transport import OutreachHttpClient, TwilioSmsTransport
from tests.messaging.fake_twilio import SMS_FROM, FakeTwilio
from tests.messaging.test_ratelimit import busiest_window

pytest_plugins = ["tests.messaging.twilio_fixtures"]

needs_redis = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")


class SlowNetwork(OutreachHttpClient):
    """A request reaches the provider some time after it was handed over: a busy core, a
    connection being opened, a congested line. Seeded, so a run can be repeated."""

    def __init__(self, api_url: str, seed: int, longest: float) -> None:
        super().__init__(5.0, api_url, pool=4)
        self.random = random.Random(seed)
        self.longest = longest
        self.lock = threading.Lock()
        self.pause = threading.Event()

    def request(self, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            delay = self.random.uniform(0, self.longest)
        self.pause.wait(delay)
        return super().request(*args, **kwargs)


@pytest.fixture
def shared_window(twilio_settings: Any) -> Iterator[Any]:
    """The rate window in this suite's Redis under a fresh prefix, as the workers share it."""
    twilio_settings.OUTREACH_RATE_REDIS_URL = os.environ["REDIS_URL"]
    twilio_settings.OUTREACH_RATE_PREFIX = prefix = f"test-rate:{uuid.uuid4().hex}"
    reset_limiter()
    yield twilio_settings
    reset_limiter()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def batch(worker: int, size: int) -> list[Outgoing]:
    # One and two segments, alternating: the window counts segments.
    bodies = ["Hallo, wij helpen u graag.", "Hallo, wij helpen u graag. " * 7]
    return [
        Outgoing(worker * 1000 + i, 1, "sms", f"+316{worker}{i:07d}", bodies[i % 2], "nl",
                 "reminder", 1)
        for i in range(size)
    ]  # fmt: skip


@needs_redis
def test_no_second_at_the_provider_holds_more_than_the_rate(shared_window, fake_twilio: FakeTwilio):
    rate, workers, size = 12, 3, 16
    shared_window.OUTREACH_SMS_RATE = rate
    shared_window.OUTREACH_RATE_MAX_WAIT = 30.0
    shared_window.OUTREACH_TWILIO_THREADS = 4
    transports = [
        TwilioSmsTransport(http_client=SlowNetwork(fake_twilio.url, seed=worker, longest=0.3))
        for worker in range(workers)
    ]
    results: dict[int, list[Any]] = {}

    def work(worker: int) -> None:
        results[worker] = transports[worker].send(batch(worker, size))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert [r.error for w in range(workers) for r in results[w] if r.outcome != SENT] == []
    arrivals = [(r.at, r.segments) for r in fake_twilio.messages]
    assert len(arrivals) == workers * size
    assert {r.sender for r in fake_twilio.messages} == {SMS_FROM}
    assert busiest_window(arrivals) <= rate
    # ... and the sender still gets most of its rate: the window is not simply kept empty.
    span = max(at for at, _ in arrivals) - min(at for at, _ in arrivals)
    assert sum(cost for _, cost in arrivals) / max(span, 1.0) > rate * 0.5
