"""A lean HTTP/1.1 exchange on a keep-alive connection, for the requests to Twilio's API.

A send to Twilio is one small form POST and one small JSON answer; requests (preparing the
request, its hooks, merging settings, urllib3's pool) and even http.client (two writes a
request, the answer's headers parsed by the email package) cost more than the rest of a send
together. `Connection` writes a request with one `sendall` and reads the answer itself: a
status line, headers, and a body by Content-Length, chunked, or until the server closes.

Errors are raised as requests raises them (ConnectionError, ConnectTimeout, ReadTimeout), so
the transport treats both clients' alike.
"""

import select
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout

MAX_HEAD = 64 * 1024  # an answer's status line and headers; more is not an HTTP server's answer
CHUNK = 64 * 1024


def form_encode(data: Mapping[str, Any]) -> str:
    """A form as requests encodes it: None left out, a list as the key repeated."""
    pairs: list[tuple[str, Any]] = []
    for key, value in data.items():
        if isinstance(value, list | tuple):
            pairs.extend((key, v) for v in value if v is not None)
        elif value is not None:
            pairs.append((key, value))
    return urlencode(pairs)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    def text(self) -> str:
        content_type = self.headers.get("content-type", "")
        charset = "utf-8"
        for param in content_type.split(";")[1:]:
            name, _, value = param.strip().partition("=")
            if name.lower() == "charset" and value:
                charset = value.strip('"')
        return self.body.decode(charset, "replace")


class Connection:
    """One keep-alive connection to `host`:`port` (TLS with `context`), opened when needed and
    again after the server closed it. Not shared between threads."""

    def __init__(
        self, host: str, port: int, context: ssl.SSLContext | None, timeout: float | None
    ) -> None:
        self.host = host
        self.port = port
        self.context = context
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buffer = b""
        default = 443 if context is not None else 80
        self.host_header = host if port == default else f"{host}:{port}"

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    def dropped(self) -> bool:
        """Whether the server closed the idle connection (it then reads as ready): checked
        before a request goes on it, as urllib3 does, so no message is written into a closed
        connection."""
        if self.sock is None:
            return False
        if isinstance(self.sock, ssl.SSLSocket) and self.sock.pending():
            return True  # unread data on an idle connection: not an answer of ours
        poller = select.poll()  # not select(): a worker may hold more than 1,024 descriptors
        poller.register(self.sock, select.POLLIN)
        return bool(poller.poll(0))

    def open(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.context is not None:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
        except TimeoutError as exc:
            raise ConnectTimeout(f"connecting to {self.host}: {exc}") from exc
        except OSError as exc:
            raise RequestsConnectionError(f"connecting to {self.host}: {exc}") from exc
        return sock

    def exchange(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None
    ) -> Answer:
        """Send one request and read its whole answer."""
        if self.sock is not None and self.dropped():
            self.close()
        if self.sock is None:
            self.sock = self.open()
        self.sock.settimeout(self.timeout)
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host_header}"]
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        try:
            self.sock.sendall(request)
            answer = self.read_answer(method)
        except TimeoutError as exc:
            self.close()
            raise ReadTimeout(f"reading from {self.host}: {exc}") from exc
        except (OSError, ValueError) as exc:
            self.close()
            raise RequestsConnectionError(f"talking to {self.host}: {exc}") from exc
        return answer

    def read_answer(self, method: str) -> Answer:
        while True:
            status, version, headers = self.read_head()
            if status >= 200 or status == 101:
                break  # 1xx (100 Continue ...) precede the answer
        keep = version != "HTTP/1.0" or headers.get("connection", "").lower() == "keep-alive"
        if headers.get("connection", "").lower() == "close":
            keep = False
        if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            body = b""
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = self.read_chunked()
        elif "content-length" in headers:
            body = self.read_exactly(int(headers["content-length"]))
        else:
            body, keep = self.read_to_close(), False
        if not keep:
            self.close()
        return Answer(status, headers, body)

    def fill(self) -> None:
        assert self.sock is not None
        data = self.sock.recv(CHUNK)
        if not data:
            raise ConnectionResetError("the server closed the connection")
        self.buffer += data

    def read_line(self) -> bytes:
        while (end := self.buffer.find(b"\r\n")) < 0:
            if len(self.buffer) > MAX_HEAD:
                raise ValueError("an answer's line too long")
            self.fill()
        line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
        return line

    def read_head(self) -> tuple[int, str, dict[str, str]]:
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > MAX_HEAD:
                raise ValueError("an answer's headers too long")
            self.fill()
        head, self.buffer = self.buffer[:end].decode("latin-1"), self.buffer[end + 4 :]
        status_line, *header_lines = head.split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        if not version.startswith("HTTP/"):
            raise ValueError(f"not an HTTP answer: {status_line[:40]!r}")
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        return int(status), version, headers

    def read_exactly(self, count: int) -> bytes:
        while len(self.buffer) < count:
            self.fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.read_line().split(b";", 1)[0].strip(), 16)
            if size == 0:
                while self.read_line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            parts.append(self.read_exactly(size))
            self.read_exactly(2)  # the chunk's CRLF

    def read_to_close(self) -> bytes:
        assert self.sock is not None
        while data := self.sock.recv(CHUNK):
            self.buffer += data
        body, self.buffer = self.buffer, b""
        return body
