"""The Twilio transport's HTTP exchange (transports/twilio/connection.py): keep-alive, the
shapes of an HTTP/1.1 answer, and failures raised as requests raises them; and the client
that uses it, which leaves a request to requests when the environment names a proxy."""

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
import requests
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ReadTimeout

from outreach.messaging.transports.base import SENT, Outgoing
from outreach.messaging.transports.twilio.connection import Connection, form_encode
from outreach.messaging.transports.twilio.transport import OutreachHttpClient, TwilioSmsTransport

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


def test_requests_share_one_keep_alive_connection_and_go_out_whole(serve):
    server = serve(ok(b'{"n": 1}'), ok(b'{"n": 2}'))
    connection = Connection("127.0.0.1", server.port, None, 5.0)
    body = form_encode({"To": "+31612345678", "Body": "Hallo"}).encode()
    first = connection.exchange("POST", "/a", {"Authorization": "Basic x"}, body)
    second = connection.exchange("POST", "/b", {}, body)
    assert (first.status, first.text(), second.text()) == (201, '{"n": 1}', '{"n": 2}')
    assert server.connections == 1
    head, _, sent = server.requests[0].partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"POST /a HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}".encode() in head
    assert b"Authorization: Basic x" in head and sent == body
    assert f"Content-Length: {len(body)}".encode() in head


def test_a_chunked_answer_and_a_continue_before_it_are_read_whole(serve):
    chunked = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n"
        b'4\r\n{"a"\r\n6;ext=1\r\n: "b"}\r\n0\r\nX-Trailer: 1\r\n\r\n'
    )
    server = serve(chunked, ok())
    connection = Connection("127.0.0.1", server.port, None, 5.0)
    answer = connection.exchange("GET", "/", {}, None)
    assert (answer.status, answer.text()) == (200, '{"a": "b"}')
    assert connection.exchange("GET", "/", {}, None).status == 201  # the connection is still good


def test_an_answer_that_closes_the_connection_is_read_to_its_end(serve):
    closing = b"HTTP/1.1 503 ERROR\r\nConnection: close\r\n\r\n"

    def close_after(conn: socket.socket) -> None:
        conn.sendall(closing + b'{"code": 20503}')

    server = serve(close_after, ok())
    connection = Connection("127.0.0.1", server.port, None, 5.0)
    answer = connection.exchange("POST", "/", {}, b"x=1")
    assert (answer.status, answer.body) == (503, b'{"code": 20503}')
    assert connection.sock is None
    assert connection.exchange("POST", "/", {}, b"x=1").status == 201
    assert server.connections == 2


def test_a_connection_the_server_closed_while_idle_is_opened_again(serve):
    server = serve(lambda conn: conn.sendall(ok()), ok())  # answers, then closes
    connection = Connection("127.0.0.1", server.port, None, 5.0)
    assert connection.exchange("POST", "/", {}, b"x=1").status == 201
    server.thread.join(0.2)  # the server has closed the first connection by now
    assert connection.exchange("POST", "/", {}, b"x=2").status == 201
    assert server.connections == 2
    assert server.requests[1].endswith(b"x=2")


def test_a_server_that_does_not_answer_in_time_is_a_read_timeout(serve):
    server = serve(lambda conn: conn.recv(1) and None, ok())
    connection = Connection("127.0.0.1", server.port, None, 0.2)
    with pytest.raises(ReadTimeout):
        connection.exchange("POST", "/", {}, b"x=1")
    assert connection.sock is None


def test_nobody_listening_is_a_connection_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RequestsConnectionError):
        Connection("127.0.0.1", port, None, 1.0).exchange("GET", "/", {}, None)


def test_garbage_instead_of_an_answer_is_a_connection_error(serve):
    server = serve(b"SMTP ready\r\n\r\n")
    with pytest.raises(RequestsConnectionError):
        Connection("127.0.0.1", server.port, None, 1.0).exchange("GET", "/", {}, None)


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
