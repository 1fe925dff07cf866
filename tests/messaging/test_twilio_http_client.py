"""The Twilio transport's HTTP client (urllib3's keep-alive pool under Twilio's client):
requests go out whole on one connection, the shapes of an HTTP/1.1 answer are read, failures
are raised as requests raises them (which the transport turns into results), and a proxy in
the environment leaves the request to requests."""

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import requests
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout

from outreach.messaging.transports.base import SENT, Outgoing
from outreach.messaging.transports.twilio.transport import (
    OutreachHttpClient,
    TwilioSmsTransport,
    form_encode,
)

pytest_plugins = ["tests.messaging.twilio_fixtures"]


class Server:
    """A one-connection-at-a-time TCP server that answers each request with the next of
    `answers` (bytes, or a callable that gets the socket); it records the requests and counts
    the connections it accepted."""

    def __init__(self, answers: list[bytes | Callable[[socket.socket], None]]) -> None:
        self.answers = answers
        self.requests: list[bytes] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.answers:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                buffer = b""
                while self.answers:
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            break
                        buffer += data
                    if not buffer:
                        break
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    length = 0
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            length = int(line.split(b":")[1])
                    while len(rest) < length:
                        rest += conn.recv(65536)
                    self.requests.append(head + b"\r\n\r\n" + rest[:length])
                    buffer = rest[length:]
                    answer = self.answers.pop(0)
                    if callable(answer):
                        answer(conn)
                        break
                    conn.sendall(answer)

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[..., Server]]:
    servers: list[Server] = []

    def start(*answers: bytes | Callable[[socket.socket], None]) -> Server:
        servers.append(Server(list(answers)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def ok(body: bytes = b'{"sid": "SM1"}', *extra: str) -> bytes:
    head = ["HTTP/1.1 201 CREATED", "Content-Type: application/json; charset=utf-8", *extra]
    return ("\r\n".join([*head, f"Content-Length: {len(body)}"]) + "\r\n\r\n").encode() + body


def client(timeout: float = 5.0) -> OutreachHttpClient:
    return OutreachHttpClient(timeout, pool=2)


def url(server: Server, path: str = "/") -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_requests_share_one_keep_alive_connection_and_go_out_whole(serve):
    server = serve(ok(b'{"n": 1}'), ok(b'{"n": 2}'))
    http = client()
    data = {"To": "+31612345678", "Body": "Hallo"}
    first = http.request("POST", url(server, "/a"), data=data, auth=("AC1", "secret"))
    second = http.request("POST", url(server, "/b"), data=data)
    assert (first.status_code, first.text, second.text) == (201, '{"n": 1}', '{"n": 2}')
    assert server.connections == 1
    head, _, sent = server.requests[0].partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"POST /a HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}".encode() in head
    assert b"Authorization: Basic QUMxOnNlY3JldA==" in head
    assert sent == form_encode(data).encode()


def test_a_chunked_answer_is_read_whole(serve):
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        b'4\r\n{"a"\r\n6\r\n: "b"}\r\n0\r\n\r\n'
    )
    server = serve(chunked, ok())
    http = client()
    answer = http.request("GET", url(server))
    assert (answer.status_code, answer.text) == (200, '{"a": "b"}')
    assert http.request("GET", url(server)).status_code == 201  # the connection is still good
    assert server.connections == 1


def test_an_answer_that_closes_the_connection_is_read_to_its_end(serve):
    closing = b"HTTP/1.1 503 ERROR\r\nConnection: close\r\n\r\n"

    def close_after(conn: socket.socket) -> None:
        conn.sendall(closing + b'{"code": 20503}')

    server = serve(close_after, ok())
    http = client()
    answer = http.request("POST", url(server), data={"x": "1"})
    assert (answer.status_code, answer.text) == (503, '{"code": 20503}')
    assert http.request("POST", url(server), data={"x": "1"}).status_code == 201
    assert server.connections == 2


def test_a_server_that_does_not_answer_in_time_is_a_read_timeout(serve):
    server = serve(lambda conn: conn.recv(1) and None, ok())
    with pytest.raises(ReadTimeout):
        client(0.2).request("POST", url(server), data={"x": "1"})


def test_nobody_listening_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RequestsConnectionError):
        client(1.0).request("GET", f"http://127.0.0.1:{port}/")


def test_garbage_instead_of_an_answer_is_a_connection_error(serve):
    server = serve(b"SMTP ready\r\n\r\n")
    with pytest.raises(RequestsConnectionError):
        client(1.0).request("GET", url(server))


@pytest.mark.parametrize(
    "data",
    [
        {"To": "+31612345678", "Body": "Hallo & tot ziens = 100% 🙂"},
        {"To": "x", "MediaUrl": ["https://a/1", "https://a/2"], "Skip": None},
        {"ContentVariables": '{"1": "Sanne"}', "Empty": ""},
    ],
)
def test_a_form_is_encoded_as_requests_encodes_it(data):
    expected = requests.Request("POST", "http://x/", data=data).prepare().body
    assert form_encode(data) == expected


def test_a_proxy_in_the_environment_carries_the_requests(twilio_settings, fake_twilio, monkeypatch):
    # Twilio's address cannot be reached here: only the proxy (the fake, which reads the
    # absolute URL's path) can answer.
    monkeypatch.setenv("http_proxy", fake_twilio.url)
    monkeypatch.setenv("no_proxy", "")
    twilio_settings.OUTREACH_TWILIO_API_URL = "http://twilio.invalid"
    transport = TwilioSmsTransport()
    assert isinstance(transport.client.http_client, OutreachHttpClient)
    (result,) = transport.send([Outgoing(1, 1, "sms", "+31612345678", "Hallo", "nl")])
    assert result.outcome == SENT
    assert [r.to for r in fake_twilio.messages] == ["+31612345678"]
