"""SMS and WhatsApp through Twilio's Messages API (the `twilio` client).

One `twilio.rest.Client` per transport, and one transport per process
(`transports.registry.default_transport`): its HTTP session keeps its connections. Each message
is one POST to /2010-04-01/Accounts/{sid}/Messages.json with To, From or MessagingServiceSid,
Body (or ContentSid and ContentVariables: a WhatsApp template) and StatusCallback, the public URL
of `POST /webhooks/twilio/status` (`outreach.messaging.transports.twilio.webhooks`), which brings
the delivery status; the URL names our message row (`?message=<id>`), so a callback can be tied
to its row even when the SID never reached it.

A batch's messages go out on a few threads at once (`OUTREACH_TWILIO_THREADS`): a request to
Twilio takes a round trip across the ocean, and a batch of 200 one after the other would hold
the batch's transaction open for a minute. Each message first takes its segments from its
sender's rate (`outreach.messaging.transports.ratelimit`).

Outcomes: Twilio's 201 -> sent, with the message's SID. A 4xx about the message -> permanent,
with Twilio's code (21211 invalid number, 21614 not a mobile, 21610 opted out, 63016 WhatsApp
session closed ...; `outreach.cadence.delivery.apply_provider_error` acts on them). 429, 5xx,
401/403/404 (our account or configuration, not the reader's number), time-outs and connection
errors -> transient: the engine tries again later. Quiet hours and a sender's full rate ->
transient with error_code "quiet_hours" / "rate_limited": the engine postpones without counting
a retry.

`lookup` asks Twilio's Messages list whether a hand-over whose result was never recorded
reached it (`outreach.messaging.transports.twilio.lookup`).
"""

import base64
import json
import logging
import os
import re
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass

import certifi
import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from requests import Session
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout, RequestException
from requests.structures import CaseInsensitiveDict
from twilio.base.exceptions import TwilioException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from outreach.core.logsafe import exception_summary
from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE
from outreach.messaging.transports.base import (
    PERMANENT,
    SENT,
    TRANSIENT,
    Lookup,
    Outgoing,
    Result,
)
from outreach.messaging.transports.ratelimit import (
    QUIET_HOURS,
    RATE_LIMITED,
    Hold,
    Limiter,
    acquire,
    default_limiter,
    in_quiet_hours,
    quiet_hours_of,
    segment_count,
    sms_rate,
    whatsapp_rate,
)
from outreach.messaging.transports.registry import register
from outreach.messaging.transports.twilio import errors as twilio_errors
from outreach.messaging.transports.twilio.lookup import Wanted, look_up

log = logging.getLogger(__name__)

TWILIO_API = "https://api.twilio.com"
STATUS_PATH = "/webhooks/twilio/status"
MAX_BODY = 1600  # Twilio's limit; counted in UTF-16 code units (an emoji takes two)
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
WHATSAPP = "whatsapp:"


class _Session(Session):
    """requests reads the proxy variables of the environment on every request (a sixth of a
    send's time); they do not change while the process runs, so this reads them once per
    host."""

    def __init__(self) -> None:
        super().__init__()
        self._environment: dict[tuple[Any, ...], dict[str, Any]] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        key = (urlsplit(str(url))[:2], repr(proxies), stream, verify, cert)
        if key not in self._environment:
            merged = super().merge_environment_settings(url, proxies, stream, verify, cert)
            self._environment[key] = merged
        return dict(self._environment[key])


def _ca_bundle() -> str:
    # The CA bundle requests would use: its environment variables, else certifi's.
    return (
        os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or certifi.where()
    )


def form_encode(data: Mapping[str, Any]) -> str:
    """A form as requests encodes it: None left out, a list as the key repeated."""
    pairs: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, list | tuple):
            pairs.extend((key, v) for v in value if v is not None)
        elif value is not None:
            pairs.append((key, value))
    return urlencode(pairs)


class OutreachHttpClient(TwilioHttpClient):
    """Twilio's own HTTP client with a time-out, no request logging (it would write every
    request's headers at INFO), and, for a local stand-in of Twilio (the tests, the benchmark),
    another base URL.

    A request goes out through urllib3's keep-alive pool (as large as the threads that share
    it) directly: requests' machinery around urllib3 (preparing the request, its hooks,
    merging settings) cost more than the rest of a send. Where the environment names a proxy
    for Twilio's host, requests sends it instead, as it honours the proxy variables. Errors are
    raised as requests raises them (ConnectionError, ConnectTimeout, ReadTimeout), which the
    transport turns into results."""

    def __init__(self, timeout: float, api_url: str = "", pool: int = 8) -> None:
        super().__init__(pool_connections=True, timeout=timeout)
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(1, pool), max_retries=0)
        self.session = _Session()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.api_url = api_url.rstrip("/")
        self.pool_size = max(1, pool)
        self._pools: urllib3.PoolManager | None = None
        self._pools_pid = 0
        self._proxied: dict[tuple[str, str], bool] = {}
        self._authorization: dict[tuple[str, str], str] = {}

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        if self.api_url and url.startswith(TWILIO_API):
            url = self.api_url + url[len(TWILIO_API) :]
        parts = urlsplit(url)
        if self.proxied(parts.scheme, parts.hostname or ""):
            return super().request(
                method, url, params, data, headers, auth, timeout, allow_redirects
            )
        query = "&".join(q for q in (parts.query, form_encode(params or {})) if q)
        target = (parts.path or "/") + (f"?{query}" if query else "")
        # The body as requests makes it: a form (or JSON) when there is data.
        head = dict(headers or {})
        body: bytes | None = None
        if data:
            if head.get("Content-Type") in ("application/json", "application/scim+json"):
                body = json.dumps(data).encode()
            else:
                head.setdefault("Content-Type", "application/x-www-form-urlencoded")
                body = form_encode(data).encode()
        if auth is not None:
            head["Authorization"] = self.authorization(auth)
        try:
            # The host's pool directly: the manager's own URL parsing and body encoding
            # would only repeat what is done here.
            pool = self.pools().connection_from_host(
                parts.hostname, parts.port, parts.scheme or "https"
            )
            answer = pool.urlopen(
                method.upper(), target, body=body, headers=head,
                timeout=urllib3.Timeout(timeout or self.timeout), retries=False,
                redirect=allow_redirects, assert_same_host=False,
            )  # fmt: skip
        except urllib3.exceptions.NewConnectionError as exc:  # a subclass of the time-out
            raise RequestsConnectionError(type(exc).__name__) from exc
        except urllib3.exceptions.ConnectTimeoutError as exc:
            raise ConnectTimeout(type(exc).__name__) from exc
        except urllib3.exceptions.ReadTimeoutError as exc:
            raise ReadTimeout(type(exc).__name__) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise RequestsConnectionError(type(exc).__name__) from exc
        # Twilio answers JSON, which is UTF-8.
        text = answer.data.decode("utf-8", "replace")
        return Response(answer.status, text, CaseInsensitiveDict(dict(answer.headers)))

    def pools(self) -> urllib3.PoolManager:
        # Sockets do not survive a fork: a forked worker process opens its own.
        if self._pools is None or self._pools_pid != os.getpid():
            self._pools = urllib3.PoolManager(
                num_pools=4, maxsize=self.pool_size, block=False, ca_certs=_ca_bundle()
            )
            self._pools_pid = os.getpid()
        return self._pools

    def proxied(self, scheme: str, host: str) -> bool:
        """Whether the environment (or the client) names a proxy for `host`."""
        key = (scheme, host)
        if key not in self._proxied:
            proxies = {**getproxies(), **self.proxy}
            self._proxied[key] = bool(proxies.get(scheme) or proxies.get("all")) and not (
                proxy_bypass(host)
            )
        return self._proxied[key]

    def authorization(self, auth: tuple[str, str]) -> str:
        if auth not in self._authorization:
            token = base64.b64encode(":".join(auth).encode()).decode()
            self._authorization[auth] = f"Basic {token}"
        return self._authorization[auth]

    def log_request(self, kwargs: dict[str, Any]) -> None:
        """Not logged: the request holds the number and the text."""

    def log_response(self, status_code: int, response: Any) -> None:
        """Not logged: the response holds the number and the text."""


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def status_callback_url(message_id: int | None = None) -> str:
    """The StatusCallback: the public URL of the status webhook, naming our message row."""
    url = settings.OUTREACH_PUBLIC_BASE_URL.rstrip("/") + STATUS_PATH
    return url if message_id is None else f"{url}?message={message_id}"


def result_for_error(exc: Exception) -> Result:
    """A failed request as a result: permanent when Twilio refused the message, transient when
    trying again later may work."""
    status = getattr(exc, "status", None)
    code = getattr(exc, "code", None)
    code_text = str(code) if code else ""
    if isinstance(status, int):
        if status == 429 or status >= 500 or status in (401, 403, 404):
            if status in (401, 403, 404):
                log.error("Twilio refused our account or configuration: HTTP %s %s", status, code)
            return Result(
                TRANSIENT,
                error=twilio_errors.describe(code_text, f"tijdelijk niet beschikbaar ({status})"),
                error_code=code_text,
            )
        return Result(PERMANENT, error=twilio_errors.describe(code_text), error_code=code_text)
    return Result(TRANSIENT, error=f"Twilio niet bereikbaar ({type(exc).__name__})")


@dataclass(frozen=True)
class Planned:
    """A message ready to go: its request's parameters, its sender, the sender's rate and
    what the message costs of it (SMS: segments)."""

    item: Outgoing
    params: dict[str, str]
    sender: str
    rate: int
    cost: int


class Pace:
    """How many messages the threads are expected to start within `margin` seconds, from the
    time between the latest hand-overs (all the threads at first)."""

    LONGEST_RUN = 50

    def __init__(self, threads: int, margin: float) -> None:
        self.threads = threads
        self.margin = margin
        self.last = 0.0
        self.interval = 0.0  # a moving average of the seconds between hand-overs

    def handed_over(self, moment: float) -> None:
        if self.last:
            between = moment - self.last
            self.interval = between if not self.interval else 0.8 * self.interval + 0.2 * between
        self.last = moment

    def run(self) -> int:
        if not self.interval:
            return self.threads
        return max(1, min(self.LONGEST_RUN, int(self.margin / self.interval)))


def held_back() -> Result:
    return Result(TRANSIENT, error="afzender op maximale snelheid", error_code=RATE_LIMITED)


def failed(item: Outgoing, exc: Exception) -> Result:
    # The type, Twilio's error code and the place, never the text or the traceback (which
    # ends in the text): an exception's text may hold the number or the message.
    log.error("Twilio send for step %s failed: %s", item.step_id, exception_summary(exc))
    return Result(TRANSIENT, error=f"verzenden via Twilio mislukt ({type(exc).__name__})")


class TwilioTransport(ABC):
    """What SMS and WhatsApp share; see `TwilioSmsTransport`, `TwilioWhatsAppTransport`."""

    channel = ""
    # Requests one hand-over may take (WhatsApp: the template after a refused free text).
    requests_per_message = 1

    def __init__(
        self,
        http_client: HttpClient | None = None,
        limiter: Limiter | None = None,
        clock: Callable[[], datetime] = timezone.now,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "OUTREACH_PUBLIC_BASE_URL")
            if not getattr(settings, name)
        ]
        if missing:
            raise ImproperlyConfigured(f"{type(self).__name__} needs {', '.join(missing)}")
        self.threads = max(1, settings.OUTREACH_TWILIO_THREADS)
        if http_client is None:
            http_client = OutreachHttpClient(
                settings.OUTREACH_TWILIO_TIMEOUT, settings.OUTREACH_TWILIO_API_URL, self.threads
            )
        sid = settings.TWILIO_ACCOUNT_SID
        self.client = Client(sid, settings.TWILIO_AUTH_TOKEN, http_client=http_client)
        self.messages = self.client.api.v2010.accounts(sid).messages
        self.callback = status_callback_url()
        self._limiter = limiter
        self.clock = clock
        self.sleep = sleep
        self.max_wait = settings.OUTREACH_RATE_MAX_WAIT
        # How long after its row was committed a hand-over must show in Twilio's list: its
        # requests may each wait for the rate and take up to the time-out to reach Twilio;
        # then Twilio may take the window to list it.
        per_request = self.max_wait + settings.OUTREACH_TWILIO_TIMEOUT
        self.settled = timedelta(
            seconds=self.requests_per_message * per_request + settings.OUTREACH_TWILIO_LOOKUP_WINDOW
        )
        self.margin = settings.OUTREACH_RATE_MARGIN
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0

    @property
    def limiter(self) -> Limiter:
        return self._limiter or default_limiter()

    def pool(self) -> ThreadPoolExecutor:
        # Threads do not survive a fork: a forked worker process starts its own.
        if self._pool is None or self._pool_pid != os.getpid():
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="twilio")
            self._pool_pid = os.getpid()
        return self._pool

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        if len(batch) <= 1 or self.threads == 1:
            return [self.send_one(item) for item in batch]
        return self.send_many(batch)

    def send_one(self, item: Outgoing) -> Result:
        """One message, waiting for its sender's rate here. Never raises: whatever goes wrong
        is a result."""
        try:
            planned = self.plan(item)
            if isinstance(planned, Result):
                return planned
            rate = (self.limiter, planned.sender, planned.cost, planned.rate)
            hold = acquire(*rate, self.max_wait, self.sleep)
            if hold is None:
                return held_back()
            return self.deliver(planned, hold)
        except Exception as exc:
            return failed(item, exc)

    def send_many(self, batch: Sequence[Outgoing]) -> list[Result]:
        """The batch on the threads. This thread hands a message to a free thread as soon as
        its sender's rate allows: the threads only talk to Twilio and never wait for a rate,
        so a sender at its rate never keeps a thread from the messages of another. A sender
        that stays full longer than `OUTREACH_RATE_MAX_WAIT` has its remaining messages held
        back (transient).

        The segments are taken for a run of a sender's messages at once (one round trip to
        Redis), as many as the threads are expected to start within `OUTREACH_RATE_MARGIN`:
        taken segments count from the take, so a run taken far ahead of its requests would
        only keep the window full for longer. Each message's segments are released when
        Twilio has answered it (`create`)."""
        results: list[Result | None] = [None] * len(batch)
        queues: dict[str, deque[tuple[int, Planned]]] = {}  # per sender, in the batch's order
        for index, item in enumerate(batch):
            try:
                planned = self.plan(item)
            except Exception as exc:
                planned = failed(item, exc)
            if isinstance(planned, Result):
                results[index] = planned
            else:
                queues.setdefault(planned.sender, deque()).append((index, planned))
        free = threading.Semaphore(self.threads)
        running: list[tuple[int, Future[Result]]] = []
        give_up = time.monotonic() + self.max_wait
        full_until: dict[str, float] = {}  # senders at their rate, and until when
        taken: deque[tuple[int, Planned, Hold]] = deque()  # (index, message, hold), in order
        pace = Pace(self.threads, self.margin)
        while queues or taken:
            free.acquire()
            now = time.monotonic()
            progressed = bool(taken) or self.take_run(
                queues, taken, full_until, results, now, pace.run()
            )
            if taken:
                index, planned, hold = taken.popleft()
                future = self.pool().submit(self.deliver_safely, planned, hold)
                future.add_done_callback(lambda _: free.release())
                running.append((index, future))
                pace.handed_over(now)
                continue
            free.release()
            if progressed or not queues:
                continue
            # Every sender with messages left is at its rate: hold back the messages of those
            # that stay full too long, and sleep until the first of the others has room.
            for sender in [s for s in queues if full_until[s] > give_up]:
                for index, _ in queues.pop(sender):
                    results[index] = held_back()
            if queues:
                soonest = min(full_until[s] for s in queues)
                self.sleep(max(0.0, soonest - time.monotonic()))
        for index, future in running:
            results[index] = future.result()
        return [r if r is not None else held_back() for r in results]

    def take_run(
        self,
        queues: dict[str, deque[tuple[int, Planned]]],
        taken: deque[tuple[int, Planned, Hold]],
        full_until: dict[str, float],
        results: list[Result | None],
        now: float,
        size: int,
    ) -> bool:
        """Take the segments of up to `size` messages of the sender whose next message comes
        first in the batch, among those with room; False when every sender is full. When the
        window cannot be reached, the run's messages fail (transient)."""
        for sender in sorted(queues, key=lambda s: queues[s][0][0]):
            if full_until.get(sender, 0.0) > now:
                continue
            queue = queues[sender]
            run = [queue[i] for i in range(min(size, len(queue)))]
            holds: list[Hold | None]
            try:
                taken_holds, wait = self.limiter.try_acquire_many(
                    sender, [planned.cost for _, planned in run], run[0][1].rate
                )
                holds = list(taken_holds)
            except Exception as exc:
                holds, wait = [None] * len(run), 0.0
                for index, planned in run:
                    results[index] = failed(planned.item, exc)
            count = len(holds)
            for hold in holds:
                index, planned = queue.popleft()
                if hold is not None:
                    taken.append((index, planned, hold))
            if not queue:
                del queues[sender]
            if wait > 0:
                full_until[sender] = now + wait
            if count:
                return True
        return False

    def plan(self, item: Outgoing) -> "Planned | Result":
        """What to send, from which sender at what cost; or why not now (quiet hours) or not
        at all."""
        # An answer to someone who just wrote to us (a confirmation) goes at once, at any hour;
        # only our own initiative waits for the morning.
        if item.step_id is not None and in_quiet_hours(self.clock(), item.quiet_hours):
            hours = quiet_hours_of(item.quiet_hours)
            return Result(TRANSIENT, error=f"stille uren ({hours})", error_code=QUIET_HOURS)
        params = self.params(item)
        if isinstance(params, Result):
            return params
        sender, rate, cost = self.pace(item, params)
        return Planned(item, params, sender, rate, max(1, min(cost, rate)))

    def deliver_safely(self, planned: "Planned", hold: Hold) -> Result:
        try:
            return self.deliver(planned, hold)
        except Exception as exc:
            return failed(planned.item, exc)

    def deliver(self, planned: "Planned", hold: Hold) -> Result:
        return self.create(planned.params, planned.item, hold)

    def create(self, params: Mapping[str, str], item: Outgoing, hold: Hold) -> Result:
        """One request to Twilio. Once Twilio has answered, the hold is released: the request
        reached Twilio before the answer left. Without an answer (a time-out, a dropped
        connection) when or whether it reached Twilio is unknown: the hold counts until its
        lease ends."""
        callback = self.callback
        if item.message_id is not None:
            callback = status_callback_url(item.message_id)
        try:
            message = self.messages.create(status_callback=callback, **params)
        except (TwilioException, RequestException) as exc:
            if isinstance(getattr(exc, "status", None), int):
                self.release(hold)
            return result_for_error(exc)
        self.release(hold)
        sid = str(message.sid or "")
        if not sid:
            return Result(TRANSIENT, error="Twilio gaf geen bericht-id terug")
        return Result(SENT, transport_id=sid)

    def release(self, hold: Hold) -> None:
        # Never raises: the message has gone, and a failure here must not make it look
        # unsent. Unreleased, the hold counts until its lease ends (too long, never too short).
        try:
            self.limiter.release(hold)
        except Exception as exc:
            log.warning("Releasing a rate hold failed: %s", exception_summary(exc))

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        """Whether Twilio has this message (`outreach.messaging.transports.twilio.lookup`)."""
        return look_up(self.messages, self.wanted(item), since, now, self.settled)

    # What differs per channel.
    @abstractmethod
    def params(self, item: Outgoing) -> dict[str, str] | Result:
        """Twilio's parameters for this message, or why it cannot go."""

    @abstractmethod
    def pace(self, item: Outgoing, params: Mapping[str, str]) -> tuple[str, int, int]:
        """The sender, its rate and what this message costs of it."""

    @abstractmethod
    def wanted(self, item: Outgoing) -> Wanted:
        """What marks this message's hand-over in Twilio's list."""


def sender_params(sender: str) -> dict[str, str]:
    if SERVICE_SID.match(sender):
        return {"messaging_service_sid": sender}
    return {"from_": sender}


def body_too_long(body: str) -> Result | None:
    if utf16_length(body) > MAX_BODY:
        return Result(
            PERMANENT,
            error=twilio_errors.describe(twilio_errors.TOO_LONG),
            error_code=twilio_errors.TOO_LONG,
        )
    return None


@register("twilio-sms")
class TwilioSmsTransport(TwilioTransport):
    """SMS. The sender is a Messaging Service (`OUTREACH_TWILIO_MESSAGING_SERVICE_SID`, Twilio
    picks a number from its pool) or a number or alphanumeric id (`OUTREACH_TWILIO_FROM`); or a
    pool of either (`OUTREACH_TWILIO_SENDERS`), from which each reader always gets the same one
    (chosen by their number, as Twilio's Sticky Sender does), so that a conversation stays on
    one number and the load spreads evenly over the pool."""

    channel = "sms"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.senders: list[str] = list(settings.OUTREACH_TWILIO_SENDERS) or [
            s
            for s in (
                settings.OUTREACH_TWILIO_MESSAGING_SERVICE_SID or settings.OUTREACH_TWILIO_FROM,
            )
            if s
        ]
        if not self.senders:
            raise ImproperlyConfigured(
                "TwilioSmsTransport needs OUTREACH_TWILIO_MESSAGING_SERVICE_SID, "
                "OUTREACH_TWILIO_FROM or OUTREACH_TWILIO_SENDERS"
            )

    def sender_for(self, to: str) -> str:
        if len(self.senders) == 1:
            return self.senders[0]
        return self.senders[zlib.crc32(to.encode()) % len(self.senders)]

    def params(self, item: Outgoing) -> dict[str, str] | Result:
        too_long = body_too_long(item.body)
        if too_long:
            return too_long
        return {"to": item.to, "body": item.body, **sender_params(self.sender_for(item.to))}

    def pace(self, item: Outgoing, params: Mapping[str, str]) -> tuple[str, int, int]:
        sender = self.sender_for(item.to)
        return sender, sms_rate(sender), max(1, segment_count(item.body))

    def wanted(self, item: Outgoing) -> Wanted:
        # Any sender of the pool: the pool may have changed since the hand-over.
        return Wanted(item.to, frozenset(self.senders), item.body, template=False)


def content_sids() -> dict[str, dict[str, str]]:
    """`OUTREACH_TWILIO_WHATSAPP_CONTENT_SIDS`: {text: {language: "HX..."}}; a flat
    {language: "HX..."} is the first-contact text's ("whatsapp")."""
    configured: Mapping[str, Any] = settings.OUTREACH_TWILIO_WHATSAPP_CONTENT_SIDS
    if configured and all(isinstance(v, str) for v in configured.values()):
        return {"whatsapp": dict(configured)}
    return {name: dict(per_language) for name, per_language in configured.items()}


@register("twilio-whatsapp")
class TwilioWhatsAppTransport(TwilioTransport):
    """WhatsApp. Inside the 24-hour session the reader opened by writing to us
    (`Outgoing.in_session`) the text goes as it is; outside it WhatsApp takes only a template
    Meta approved: the text's Content SID in the reader's language (Dutch when that language
    has none) with its variables, and no body. A free text that Twilio refuses because the
    session has closed (63016) goes again as the text's approved template when there is one."""

    channel = "whatsapp"
    requests_per_message = 2

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sender = (
            settings.OUTREACH_TWILIO_WHATSAPP_FROM or settings.OUTREACH_TWILIO_MESSAGING_SERVICE_SID
        )
        if not sender:
            raise ImproperlyConfigured(
                "TwilioWhatsAppTransport needs OUTREACH_TWILIO_WHATSAPP_FROM or "
                "OUTREACH_TWILIO_MESSAGING_SERVICE_SID"
            )
        if not SERVICE_SID.match(sender) and not sender.startswith(WHATSAPP):
            sender = WHATSAPP + sender
        self.sender = sender
        self.templates = content_sids()
        self.variable_names: list[str] = list(settings.OUTREACH_TWILIO_WHATSAPP_VARIABLES)

    def content_sid(self, template: str, language: str) -> str:
        per_language = self.templates.get(template or "whatsapp", {})
        return per_language.get(language) or per_language.get(DEFAULT_LANGUAGE, "")

    def content_variables(self, item: Outgoing) -> str:
        # Twilio fills a variable left out with the template's own sample value; an empty
        # one it refuses.
        values = {
            str(number): str(item.variables[name])
            for number, name in enumerate(self.variable_names, start=1)
            if item.variables.get(name)
        }
        return json.dumps(values, ensure_ascii=False)

    def base_params(self, item: Outgoing) -> dict[str, str]:
        to = item.to if item.to.startswith(WHATSAPP) else WHATSAPP + item.to
        return {"to": to, **sender_params(self.sender)}

    def params(self, item: Outgoing) -> dict[str, str] | Result:
        base = self.base_params(item)
        if item.in_session:
            return body_too_long(item.body) or {**base, "body": item.body}
        return self.template_params(item, base)

    def template_params(self, item: Outgoing, base: dict[str, str]) -> dict[str, str] | Result:
        sid = self.content_sid(item.template, item.language)
        if not sid:
            return Result(
                PERMANENT,
                error=f"geen goedgekeurde WhatsApp-sjabloon voor '{item.template or 'whatsapp'}'",
            )
        return {**base, "content_sid": sid, "content_variables": self.content_variables(item)}

    def pace(self, item: Outgoing, params: Mapping[str, str]) -> tuple[str, int, int]:
        return self.sender, whatsapp_rate(self.sender), 1

    def wanted(self, item: Outgoing) -> Wanted:
        # A template may have gone: outside the session, or after a refused free text.
        template = not item.in_session or bool(self.content_sid(item.template, item.language))
        body = item.body if item.in_session else None
        return Wanted(self.base_params(item)["to"], frozenset({self.sender}), body, template)

    def deliver(self, planned: Planned, hold: Hold) -> Result:
        result = super().deliver(planned, hold)
        item = planned.item
        if item.in_session and result.error_code == twilio_errors.OUTSIDE_SESSION:
            # The session closed meanwhile: the approved template instead, if the text has one.
            params = self.template_params(item, self.base_params(item))
            if isinstance(params, Result):
                return result
            rate = whatsapp_rate(self.sender)
            again = acquire(self.limiter, self.sender, 1, rate, self.max_wait, self.sleep)
            if again is None:
                return held_back()
            return self.create(params, item, again)
        return result
