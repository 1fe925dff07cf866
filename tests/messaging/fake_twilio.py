"""A local stand-in for Twilio's Messages API, strict the way the real one is.

`FakeTwilio().start()` serves HTTP/1.1 (keep-alive) on 127.0.0.1 from an asyncio loop in a
thread; `python -m tests.messaging.fake_twilio --port N` serves it in a process of its own (the
benchmark). Point the transport at it with OUTREACH_TWILIO_API_URL.

Every POST /2010-04-01/Accounts/{AccountSid}/Messages.json is checked as Twilio checks it and
answered in Twilio's shapes: 201 with the message resource (sid "SM...", status "queued", or
"accepted" through a Messaging Service), or the error JSON {"code", "message", "more_info",
"status"}:

- Basic auth with the account SID and auth token, the same account in the path (401 20003);
- To: E.164 or whatsapp:+E.164 (21604 missing, 21211 invalid);
- From or MessagingServiceSid (21603 neither, 21212 / 21701 malformed, 21910 a WhatsApp To
  from a non-WhatsApp From);
- Body or ContentSid (21602 neither; Body at most 1,600 characters, counted in UTF-16 code
  units, 21617; ContentSid "HX" + 32 hex, 21655; ContentVariables a JSON object of strings,
  21656).

Stricter than Twilio, to catch our own mistakes: StatusCallback is required (21609 when missing
or not an http(s) URL), and Body together with ContentSid is refused (21602).

Numbers that answer with an error, as Twilio's magic test numbers do: +316999 followed by the
code's five digits (+31699921211 -> 21211, +31699921614, +31699921610, +31699963016 for a
WhatsApp free text only, +31699920429 -> HTTP 429, +31699920500 -> 500, +31699920503 -> 503),
and +31699920504 answers only after `slow_seconds` (a time-out). `errors[number] = code` adds
more. Every POST is recorded (`requests`; GET /_fake/requests in the process mode).

The crash window: a number in `drop_after_create` has its message created (it is in `messages`
and in the list) and the connection closed without an answer, as when the network fails after
Twilio took the request.

GET /2010-04-01/Accounts/{AccountSid}/Messages.json lists the messages created here, newest
first, in Twilio's page shape ({"messages": [...], "next_page_uri", "page", "page_size",
"start", "end", "uri", "first_page_uri", "previous_page_uri"}), with the same auth and account
checks, and Twilio's filters: To, From, DateSent / DateSent> / DateSent< (by the date in GMT
only, as Twilio reads them: DateSent> is "on or after that date"), PageSize (1-1000, default
50), Page and PageToken (from next_page_uri). A message shows as "sent" (date_sent: when it was
created, by `clock`) until `set_status` records another status, e.g. "failed" with an error
code; one not sent yet ("queued", "accepted", "scheduled") has no date_sent, so a DateSent
filter leaves it out. A template message's body is its rendered text, never ours. The codes
in `list_errors` answer the next list requests in turn (20429 -> HTTP 429, 20503 -> 503, ...).
These requests are recorded in `queries`, not in `requests`.
"""

import argparse
import asyncio
import base64
import json
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from outreach.messaging.transports.ratelimit import segment_count

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
ALPHANUMERIC = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$")
SERVICE_SID = re.compile(r"^MG[0-9a-fA-F]{32}$")
CONTENT_SID = re.compile(r"^HX[0-9a-fA-F]{32}$")
MAGIC_PREFIX = "+316999"  # never a number the benchmark's data uses
MAGIC = {
    f"{MAGIC_PREFIX}{code}": code for code in (21211, 21614, 21610, 63016, 20429, 20500, 20503)
}
SLOW = MAGIC_PREFIX + "20504"
POOL_NUMBER = "+3197010000000"  # the number a Messaging Service sends from
HTTP_ERRORS = {20429: 429, 20500: 500, 20503: 503}

MESSAGES = {
    20001: "Invalid parameter {name}",
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "The 'To' number {to} is not a valid phone number.",
    21212: "The 'From' number {from_} is not a valid phone number, shortcode, or alphanumeric "
    "sender ID.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21609: "Invalid StatusCallback url",
    21610: "Attempt to send to unsubscribed recipient",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21655: "The ContentSid is Invalid.",
    21656: "The ContentVariables Parameter is invalid.",
    21701: "The Messaging Service Sid {service} is invalid.",
    21910: "Invalid From and To pair. From and To should be of the same channel",
    63016: "Failed to send freeform message because you are outside the allowed window. If you "
    "are using WhatsApp, please use a Message Template.",
}


class Refused(Exception):
    def __init__(self, code: int, status: int = 400, **values: str) -> None:
        super().__init__(code)
        self.code = code
        self.status = status
        self.values = values


@dataclass
class Record:
    """One request as the fake received it."""

    at: float  # time.monotonic() when the request was read
    status: int
    error_code: int | None = None
    sid: str = ""
    to: str = ""
    from_: str = ""
    messaging_service_sid: str = ""
    body: str | None = None
    content_sid: str = ""
    content_variables: str = ""
    status_callback: str = ""
    segments: int = 0
    form: dict[str, str] = field(default_factory=dict)
    # The message as Twilio keeps it (201 only): when it was created (`clock`, seconds since the
    # epoch), its status in the list ("" = sent) and error code, and whether the connection was
    # dropped instead of answering.
    created: float = 0.0
    message_status: str = ""
    message_error: int | None = None
    dropped: bool = False

    @property
    def sender(self) -> str:
        return self.messaging_service_sid or self.from_


@dataclass
class Query:
    """One GET of the Messages list as the fake received it."""

    at: float
    status: int
    params: dict[str, str]
    error_code: int | None = None
    returned: int = 0  # messages on the page


class _Drop(Exception):
    """Close the connection without an answer."""


NOT_SENT_YET = frozenset({"queued", "accepted", "scheduled"})
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_form(form: dict[str, str]) -> None:
    """Refuse a form to create a message as Twilio would (and a little stricter: see the
    module's docstring). The benchmark's stub (bench/twilio_stub.py) checks with this too."""
    to = form.get("To", "")
    sender = form.get("From", "")
    service = form.get("MessagingServiceSid", "")
    body = form.get("Body")
    content = form.get("ContentSid", "")
    variables = form.get("ContentVariables", "")
    callback = form.get("StatusCallback", "")
    if not to:
        raise Refused(21604)
    whatsapp = to.startswith("whatsapp:")
    if not E164.match(to.removeprefix("whatsapp:")):
        raise Refused(21211)
    if not sender and not service:
        raise Refused(21603)
    if service and not SERVICE_SID.match(service):
        raise Refused(21701)
    if sender:
        bare = sender.removeprefix("whatsapp:")
        alphanumeric = not sender.startswith("whatsapp:") and ALPHANUMERIC.match(bare)
        if not (E164.match(bare) or alphanumeric):
            raise Refused(21212)
        if whatsapp != sender.startswith("whatsapp:"):
            raise Refused(21910)
    if body is None and not content:
        raise Refused(21602)
    if body is not None and content:
        raise Refused(21602)  # stricter than Twilio: one or the other
    if body is not None and utf16_length(body) > 1600:
        raise Refused(21617)
    if content and not CONTENT_SID.match(content):
        raise Refused(21655)
    if variables:
        if not content:
            raise Refused(21656)
        try:
            parsed = json.loads(variables)
        except ValueError:
            raise Refused(21656) from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in parsed.items()
        ):
            raise Refused(21656)
    if not callback or urlsplit(callback).scheme not in ("http", "https"):
        raise Refused(21609)  # stricter than Twilio: every send names its callback


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment)


def _sent_within(record: Record, bounds: list[tuple[str, date]]) -> bool:
    """Whether the message was sent (here: created) on the dates the DateSent filters allow."""
    day = datetime.fromtimestamp(record.created, UTC).date()
    return all(
        {"DateSent": day == bound, "DateSent>": day >= bound, "DateSent<": day <= bound}[name]
        for name, bound in bounds
    )


class FakeTwilio:
    def __init__(
        self,
        account_sid: str = ACCOUNT_SID,
        auth_token: str = AUTH_TOKEN,
        port: int = 0,
        slow_seconds: float = 2.0,
        keep_forms: bool = True,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.port = port
        self.slow_seconds = slow_seconds
        self.keep_forms = keep_forms
        self.errors: dict[str, int] = {}
        self.drop_after_create: set[str] = set()
        self.list_errors: list[int] = []
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.requests: list[Record] = []
        self.queries: list[Query] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.server: asyncio.Server | None = None
        self.thread: threading.Thread | None = None
        self.connections: set[asyncio.Task[None]] = set()
        expected = f"{account_sid}:{auth_token}".encode()
        self.authorization = "Basic " + base64.b64encode(expected).decode()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Record]:
        """The requests that created a message."""
        return [r for r in self.requests if r.status == 201]

    # --- serving -----------------------------------------------------------------------------

    def start(self) -> "FakeTwilio":
        """Serve from a thread of this process."""
        ready = threading.Event()

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            self.loop.run_until_complete(self._listen())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, name="fake-twilio", daemon=True)
        self.thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Twilio server did not start")
        return self

    def stop(self) -> None:
        loop = self.loop
        if loop is None:
            return

        async def close() -> None:
            if self.server is not None:
                self.server.close()
            for task in list(self.connections):
                task.cancel()
            await asyncio.gather(*self.connections, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(close(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        if self.thread is not None:
            self.thread.join(5)
        loop.close()
        self.loop = None

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.connections.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                try:
                    status, payload = await self._answer(method, target, headers, body)
                except _Drop:
                    return
                data = json.dumps(payload).encode()
                reason = "CREATED" if status == 201 else ("OK" if status < 400 else "ERROR")
                writer.write(
                    (
                        f"HTTP/1.1 {status} {reason}\r\n"
                        "Content-Type: application/json; charset=utf-8\r\n"
                        f"Twilio-Request-Id: RQ{uuid.uuid4().hex}\r\n"
                        f"Content-Length: {len(data)}\r\n\r\n"
                    ).encode("latin-1")
                    + data
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except asyncio.CancelledError:
            pass
        finally:
            self.connections.discard(task)
            writer.close()

    async def _answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any]:
        path = urlsplit(target).path
        if path == "/_fake/requests" and method == "GET":
            return 200, [asdict(r) for r in self.requests]
        if path == "/_fake/reset" and method == "POST":
            self.requests.clear()
            return 200, {}
        at = time.monotonic()
        if method == "GET" and MESSAGES_PATH.match(path):
            return self._answer_list(path, urlsplit(target).query, headers, at)
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        record = Record(at=at, status=0, form=form if self.keep_forms else {})
        try:
            if method != "POST":
                raise Refused(20404, 404)
            self._check(path, headers)
            resource = self._create(form, record)
            record.status = 201
            self.requests.append(record)  # created: the list shows it, whatever comes next
            if record.to.removeprefix("whatsapp:") == SLOW:
                await asyncio.sleep(self.slow_seconds)
            if record.to.removeprefix("whatsapp:") in self.drop_after_create:
                record.dropped = True
                raise _Drop
            return 201, resource
        except Refused as refused:
            record.status = refused.status
            record.error_code = refused.code
            self.requests.append(record)
            return refused.status, self._error(refused, record)

    def _check(self, path: str, headers: dict[str, str]) -> None:
        """Twilio's checks of every request to the Messages resource: the path, the account's
        credentials and the same account in the path."""
        match = MESSAGES_PATH.match(path)
        if not match:
            raise Refused(20404, 404)
        if headers.get("authorization") != self.authorization:
            raise Refused(20003, 401)
        if match.group(1) != self.account_sid:
            raise Refused(20404, 404)

    @staticmethod
    def _error(refused: Refused, record: Record | None = None) -> dict[str, Any]:
        values = {"to": "", "from_": "", "service": "", "name": ""} | refused.values
        if record is not None:
            values |= {"to": record.to, "from_": record.from_}
            values["service"] = record.messaging_service_sid
        return {
            "code": refused.code,
            "message": MESSAGES.get(refused.code, "Error").format(**values),
            "more_info": f"https://www.twilio.com/docs/errors/{refused.code}",
            "status": refused.status,
        }

    # --- the Messages resource ---------------------------------------------------------------

    def _create(self, form: dict[str, str], record: Record) -> dict[str, Any]:
        to = record.to = form.get("To", "")
        sender = record.from_ = form.get("From", "")
        service = record.messaging_service_sid = form.get("MessagingServiceSid", "")
        body = record.body = form.get("Body")
        record.content_sid = form.get("ContentSid", "")
        record.content_variables = form.get("ContentVariables", "")
        record.status_callback = form.get("StatusCallback", "")
        check_form(form)
        whatsapp = to.startswith("whatsapp:")
        number = to.removeprefix("whatsapp:")
        code = self.errors.get(number, MAGIC.get(number))
        if code == 63016 and not (whatsapp and body is not None):
            code = None  # only a WhatsApp free text needs the session
        if code and number != SLOW:
            raise Refused(code, HTTP_ERRORS.get(code, 400))
        record.segments = segment_count(body) if body is not None else 1
        record.sid = "SM" + uuid.uuid4().hex
        record.created = self.clock().timestamp()
        return self._resource(record, "accepted" if service and not sender else "queued")

    def _resource(self, record: Record, status: str) -> dict[str, Any]:
        """The message resource in Twilio's shape, in `status`."""
        created = _rfc2822(datetime.fromtimestamp(record.created, UTC))
        sent = status not in NOT_SENT_YET
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{record.sid}"
        body = record.body
        if body is None:  # a template: Twilio renders it once it sends, never a text of ours
            body = f"[{record.content_sid}] {record.content_variables}" if sent else ""
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": created,
            "date_sent": created if sent else None,
            "date_updated": created,
            "direction": "outbound-api",
            "error_code": record.message_error,
            "error_message": None,
            # Through a Messaging Service Twilio picks the number from its pool once it sends.
            "from": record.from_ or (POOL_NUMBER if sent else None),
            "messaging_service_sid": record.messaging_service_sid or None,
            "num_media": "0",
            "num_segments": str(record.segments),
            "price": None,
            "price_unit": "USD",
            "sid": record.sid,
            "status": status,
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": record.to,
            "uri": f"{uri}.json",
        }

    def set_status(self, sid: str, status: str, error_code: int | None = None) -> None:
        """What Twilio records of the message `sid` later: "delivered", "failed" with its error
        code, ... (the list shows it; no callback is sent)."""
        (record,) = [r for r in self.messages if r.sid == sid]
        record.message_status = status
        record.message_error = error_code

    # --- the Messages list -------------------------------------------------------------------

    def _answer_list(
        self, path: str, query: str, headers: dict[str, str], at: float
    ) -> tuple[int, Any]:
        params = dict(parse_qsl(query, keep_blank_values=True))
        record = Query(at=at, status=200, params=params)
        self.queries.append(record)
        try:
            self._check(path, headers)
            if self.list_errors:
                code = self.list_errors.pop(0)
                raise Refused(code, HTTP_ERRORS.get(code, 400))
            page = self._page(path, params)
        except Refused as refused:
            record.status, record.error_code = refused.status, refused.code
            return refused.status, self._error(refused)
        record.returned = len(page["messages"])
        return 200, page

    def _listed(self, params: dict[str, str]) -> list[Record]:
        """The created messages the filters select, newest first (by date sent, then created)."""
        bounds: list[tuple[str, date]] = []
        for name in ("DateSent", "DateSent>", "DateSent<"):
            if params.get(name):
                try:
                    # Twilio takes the date only: 2026-05-18 or 2026-05-18T08:00:00Z alike.
                    bounds.append((name, date.fromisoformat(params[name][:10])))
                except ValueError:
                    raise Refused(20001, 400, name=name) from None
        selected = []
        for record in self.messages:
            status = record.message_status or "sent"
            sender = record.from_ or (POOL_NUMBER if status not in NOT_SENT_YET else "")
            if params.get("To", record.to) != record.to or params.get("From", sender) != sender:
                continue
            if bounds and (status in NOT_SENT_YET or not _sent_within(record, bounds)):
                continue  # a message not sent yet has no date_sent
            selected.append(record)
        return sorted(selected, key=lambda r: r.created, reverse=True)

    def _page(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        size_text = params.get("PageSize", str(DEFAULT_PAGE_SIZE))
        if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PAGE_SIZE:
            raise Refused(20001, 400, name="PageSize")
        size = int(size_text)
        page_text = params.get("Page", "0")
        if not page_text.isdigit():
            raise Refused(20001, 400, name="Page")
        page = int(page_text)
        listed = self._listed(params)
        token = params.get("PageToken", "")
        start = 0
        if token:
            # "PA" + the SID of the previous page's last message: the next page starts after
            # it, however many messages came in meanwhile.
            sids = [r.sid for r in listed]
            if not token.startswith("PA") or token[2:] not in sids:
                raise Refused(20001, 400, name="PageToken")
            start = sids.index(token[2:]) + 1
        elif page:
            start = page * size
        chunk = listed[start : start + size]
        filters = {k: v for k, v in params.items() if k in ("To", "From") or k.startswith("Date")}

        def uri(**extra: object) -> str:
            return f"{path}?{urlencode({**filters, 'PageSize': size, **extra})}"

        more = start + size < len(listed)
        return {
            "messages": [self._resource(r, r.message_status or "sent") for r in chunk],
            "page": page,
            "page_size": size,
            "start": start,
            "end": start + len(chunk) - 1 if chunk else start,
            "uri": uri(Page=page) if not token else uri(Page=page, PageToken=token),
            "first_page_uri": uri(Page=0),
            "previous_page_uri": uri(Page=page - 1) if page else None,
            "next_page_uri": uri(Page=page + 1, PageToken="PA" + chunk[-1].sid)
            if more and chunk
            else None,
        }

    # --- callbacks ---------------------------------------------------------------------------

    def status_params(self, record: Record, status: str, error_code: str = "") -> dict[str, str]:
        """The form Twilio POSTs to the StatusCallback for `record`'s message."""
        params = {
            "AccountSid": self.account_sid,
            "ApiVersion": "2010-04-01",
            "MessageSid": record.sid,
            "SmsSid": record.sid,
            "MessageStatus": status,
            "SmsStatus": status,
            "To": record.to,
            "From": record.from_ or POOL_NUMBER,
        }
        if record.messaging_service_sid:
            params["MessagingServiceSid"] = record.messaging_service_sid
        if record.to.startswith("whatsapp:"):
            params["ChannelPrefix"] = "whatsapp"
        if error_code:
            params["ErrorCode"] = error_code
        return params


# What the tests configure the transports with (tests/messaging/twilio_fixtures.py).
PUBLIC_BASE_URL = "https://outreach.example.nl"
STATUS_URL = PUBLIC_BASE_URL + "/webhooks/twilio/status"
SMS_FROM = "+3197010000001"
WHATSAPP_FROM = "whatsapp:+3197010000002"
SERVICE = "MG" + "fedcba9876543210" * 2
CONTENT = {
    "whatsapp": {"nl": "HX" + "a" * 32, "en": "HX" + "b" * 32},
    "yes_confirmation": {"nl": "HX" + "c" * 32},
}


def main() -> None:
    parser = argparse.ArgumentParser(description="a local stand-in for Twilio's Messages API")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account-sid", default=ACCOUNT_SID)
    parser.add_argument("--auth-token", default=AUTH_TOKEN)
    args = parser.parse_args()
    fake = FakeTwilio(args.account_sid, args.auth_token, args.port, keep_forms=False)

    async def serve() -> None:
        await fake._listen()
        print(f"listening on {fake.url}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
