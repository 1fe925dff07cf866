"""A lean local stand-in for Twilio's Messages API, for the cadence benchmark's Twilio path:

    python -m bench.twilio_stub --port 0 --account-sid AC... --auth-token TOKEN

It checks a request to create a message with the tests' fake's own checks
(`tests.messaging.fake_twilio.check_form`) and answers in the same shapes, but is built to cost
the benchmark little: one asyncio `Protocol` (no stream objects) on HTTP/1.1 keep-alive, the
form read with `parse_qsl`, the answer's JSON written from one template, the date formatted once
a second.

Checked, as Twilio checks it: POST /2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth
with the account SID and token and the same account in the path (401 20003 / 404 20404); To in
E.164, or whatsapp:+E.164 (21604 missing, 21211 invalid); From (E.164 or an alphanumeric id,
21212) or MessagingServiceSid (MG + 32 hex, 21701), one of them (21603), and a WhatsApp To only
from a WhatsApp From (21910); Body or ContentSid, not both (21602); Body at most 1,600 UTF-16
code units (21617); ContentSid HX + 32 hex (21655); ContentVariables a JSON object of non-empty
strings (21656); StatusCallback an http(s) URL (21609). 201 answers the message resource with
a fresh SID ("SM" + 32 hex).

It counts what it received: GET /_stub/received answers {"accepted": [[To, Sid], ...],
"refused": {code: count}, "requests": n}, and GET /_stub/stats the counts alone.
"""

import argparse
import asyncio
import base64
import json
import os
import re
import signal
import time
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, urlencode

from outreach.messaging.transports.ratelimit import segment_count
from tests.messaging.fake_twilio import Refused, check_form

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-fA-F]{32})/Messages\.json$")


class Stub:
    """The server's state: its credentials and what it received."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.authorization = "Basic " + token
        self.accepted: list[tuple[str, str]] = []  # (To, Sid)
        self.refused: dict[int, int] = {}
        self.requests = 0
        self.prefix = f"SM{os.getpid() & 0xFFFFFFFF:08x}"
        self.count = 0
        self.date = ""
        self.date_second = -1

    def now_text(self) -> str:
        second = int(time.time())
        if second != self.date_second:
            self.date, self.date_second = formatdate(second, usegmt=True), second
        return self.date

    def create(self, account: str, form: dict[str, str]) -> bytes:
        """The 201's JSON for a message created from `form` (already checked)."""
        self.count += 1
        sid = f"{self.prefix}{self.count:024x}"
        to = form["To"]
        self.accepted.append((to, sid))
        service = form.get("MessagingServiceSid")
        sender = form.get("From")
        now = self.now_text()
        uri = f"/2010-04-01/Accounts/{account}/Messages/{sid}"
        resource = {
            "account_sid": account,
            "api_version": "2010-04-01",
            "body": form.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": sender,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": str(segment_count(form["Body"]) if "Body" in form else 1),
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service and not sender else "queued",
            "subresource_uris": {"media": f"{uri}/Media.json"},
            "to": to,
            "uri": f"{uri}.json",
        }
        return json.dumps(resource).encode()

    def answer(self, method: str, path: str, authorization: str, body: bytes) -> tuple[int, bytes]:
        if path.startswith("/_stub/") and method == "GET":
            stats = {"requests": self.requests, "accepted_count": len(self.accepted),
                     "refused": self.refused}  # fmt: skip
            if path == "/_stub/received":
                stats["accepted"] = self.accepted
            return 200, json.dumps(stats).encode()
        self.requests += 1
        try:
            match = MESSAGES_PATH.match(path) if method == "POST" else None
            if not match:
                raise Refused(20404, 404)
            if authorization != self.authorization:
                raise Refused(20003, 401)
            if match.group(1) != self.account_sid:
                raise Refused(20404, 404)
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
            check_form(form)
            return 201, self.create(self.account_sid, form)
        except Refused as refused:
            self.refused[refused.code] = self.refused.get(refused.code, 0) + 1
            error = {
                "code": refused.code,
                "message": "refused",
                "more_info": f"https://www.twilio.com/docs/errors/{refused.code}",
                "status": refused.status,
            }
            return refused.status, json.dumps(error).encode()


REASONS = {200: "OK", 201: "CREATED", 401: "UNAUTHORIZED", 404: "NOT FOUND"}


class Connection(asyncio.Protocol):
    """One keep-alive connection: requests parsed from the buffer as they complete."""

    def __init__(self, stub: Stub) -> None:
        self.stub = stub
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            length, authorization, close = 0, "", False
            for line in head[1:]:
                name, _, value = line.partition(":")
                name = name.lower()
                if name == "content-length":
                    length = int(value)
                elif name == "authorization":
                    authorization = value.strip()
                elif name == "connection":
                    close = value.strip().lower() == "close"
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            method, target, _ = head[0].split(" ", 2)
            status, payload = self.stub.answer(method, target.split("?", 1)[0], authorization, body)
            assert self.transport is not None
            self.transport.write(
                f"HTTP/1.1 {status} {REASONS.get(status, 'ERROR')}\r\n"
                "Content-Type: application/json; charset=utf-8\r\n"
                f"Content-Length: {len(payload)}\r\n\r\n".encode()
                + payload
            )
            if close:
                self.transport.close()
                return


async def serve(stub: Stub, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(stub), "127.0.0.1", port, backlog=512)
    print(f"listening on http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()


class Client(asyncio.Protocol):
    """One keep-alive connection of the load: a request, its whole answer, the next."""

    def __init__(self, requests: list[bytes], done: asyncio.Future[int], until: float) -> None:
        self.requests = requests
        self.done = done
        self.until = until
        self.sent = self.answered = self.created = 0
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.next()

    def next(self) -> None:
        assert self.transport is not None
        if time.perf_counter() >= self.until:
            self.transport.close()
            self.done.set_result(self.created)
            return
        self.transport.write(self.requests[self.sent % len(self.requests)])
        self.sent += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end]
        length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        if len(self.buffer) < end + 4 + length:
            return
        self.created += head.startswith(b"HTTP/1.1 201")
        self.buffer = self.buffer[end + 4 + length :]
        self.next()


async def load(url: str, account: str, token: str, seconds: float, connections: int) -> int:
    """Messages created by `connections` keep-alive connections in `seconds`, each sending a
    request and waiting for its answer, as the transport's threads do."""
    host, port = url.removeprefix("http://").split(":")
    auth = base64.b64encode(f"{account}:{token}".encode()).decode()
    requests = []
    for n in range(1000):
        body = urlencode(
            {"To": f"+3161{n:07d}", "From": "+3197010000001", "StatusCallback":
             "https://outreach.example.nl/webhooks/twilio/status",
             "Body": "Beste J. Jansen, wij willen u graag helpen met uw betalingen. Bel ons."}
        ).encode()  # fmt: skip
        requests.append(
            f"POST /2010-04-01/Accounts/{account}/Messages.json HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Basic {auth}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    loop = asyncio.get_running_loop()
    until = time.perf_counter() + seconds
    futures = []
    for _ in range(connections):
        done: asyncio.Future[int] = loop.create_future()
        await loop.create_connection(lambda d=done: Client(requests, d, until), host, int(port))
        futures.append(done)
    return sum(await asyncio.gather(*futures))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    parser.add_argument("--load", metavar="URL", help="send to the stub at URL instead")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args(argv)
    if args.load:
        created = asyncio.run(
            load(args.load, args.account_sid, args.auth_token, args.seconds, args.connections)
        )
        print(json.dumps({"created": created, "seconds": args.seconds}))
        return
    asyncio.run(serve(Stub(args.account_sid, args.auth_token), args.port))


def summary(received: dict[str, Any]) -> dict[str, int]:
    """Messages accepted, distinct numbers and duplicates (a step's SMS goes to its case's own
    number: a number twice is a step sent twice)."""
    numbers = [to for to, _ in received["accepted"]]
    distinct = len(set(numbers))
    return {
        "accepted": len(numbers),
        "distinct_to": distinct,
        "duplicates": len(numbers) - distinct,
    }


if __name__ == "__main__":
    main()
