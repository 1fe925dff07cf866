"""The benchmark's lean stand-in for Twilio (bench/twilio_stub.py) holds requests to the same
contract as the tests' fake: what one refuses, with which code, the other refuses too; and it
counts what it accepted."""

import asyncio
import json
import threading
from collections.abc import Iterator

import pytest

from bench.twilio_stub import Connection as StubConnection
from bench.twilio_stub import Stub, summary
from outreach.messaging.transports.twilio.transport import OutreachHttpClient
from tests.messaging.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, STATUS_URL, FakeTwilio

OTHER_ACCOUNT = "AC" + "f" * 32
SERVICE = "MG" + "a" * 32
CONTENT = "HX" + "b" * 32
GOOD = {
    "To": "+31612345678",
    "From": "+3197010000001",
    "Body": "Hallo",
    "StatusCallback": STATUS_URL,
}


@pytest.fixture
def stub_port() -> Iterator[tuple[Stub, int]]:
    stub = Stub(ACCOUNT_SID, AUTH_TOKEN)
    loop = asyncio.new_event_loop()
    ports: list[int] = []
    ready = threading.Event()

    async def listen() -> None:
        server = await loop.create_server(lambda: StubConnection(stub), "127.0.0.1", 0)
        ports.append(server.sockets[0].getsockname()[1])
        ready.set()

    thread = threading.Thread(
        target=lambda: (loop.run_until_complete(listen()), loop.run_forever())
    )
    thread.daemon = True
    thread.start()
    ready.wait(5)
    yield stub, ports[0]
    loop.call_soon_threadsafe(loop.stop)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def post(port: int, form: dict[str, str], account: str = ACCOUNT_SID, token: str = AUTH_TOKEN):
    answer = OutreachHttpClient(5.0).request(
        "POST",
        f"http://127.0.0.1:{port}/2010-04-01/Accounts/{account}/Messages.json",
        data=form,
        auth=(ACCOUNT_SID, token),
    )
    payload = json.loads(answer.text)
    return answer.status_code, payload.get("code"), payload


CASES = [
    ("accepted", GOOD, {}),
    ("from a messaging service", {**GOOD, "From": None, "MessagingServiceSid": SERVICE}, {}),
    ("whatsapp template", {**GOOD, "To": "whatsapp:+31612345678", "From": "whatsapp:+3197010000002",
                           "Body": None, "ContentSid": CONTENT,
                           "ContentVariables": '{"1": "Sanne"}'}, {}),
    ("alphanumeric sender", {**GOOD, "From": "Gemeente"}, {}),
    ("no To", {**GOOD, "To": None}, {}),
    ("To not E.164", {**GOOD, "To": "0612345678"}, {}),
    ("no sender", {**GOOD, "From": None}, {}),
    ("bad sender", {**GOOD, "From": "+0"}, {}),
    ("bad service", {**GOOD, "From": None, "MessagingServiceSid": "MG1"}, {}),
    ("whatsapp To, sms From", {**GOOD, "To": "whatsapp:+31612345678"}, {}),
    ("no body", {**GOOD, "Body": None}, {}),
    ("body and content", {**GOOD, "ContentSid": CONTENT}, {}),
    ("body too long", {**GOOD, "Body": "é" * 1601}, {}),
    ("bad content sid", {**GOOD, "Body": None, "ContentSid": "HX1"}, {}),
    ("bad variables", {**GOOD, "Body": None, "ContentSid": CONTENT, "ContentVariables": "[1]"},
     {}),
    ("no callback", {**GOOD, "StatusCallback": None}, {}),
    ("callback not http", {**GOOD, "StatusCallback": "ftp://x/y"}, {}),
    ("wrong token", GOOD, {"token": "nope"}),
    ("other account in the path", GOOD, {"account": OTHER_ACCOUNT}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "form", "options"), CASES, ids=[c[0] for c in CASES])
def test_the_stub_answers_as_the_tests_fake_does(stub_port, fake, name, form, options):
    _, port = stub_port
    form = {k: v for k, v in form.items() if v is not None}
    expected = post(fake.port, form, **options)
    answered = post(port, form, **options)
    assert answered[:2] == expected[:2]
    if expected[0] == 201:
        resource, fake_resource = answered[2], expected[2]
        assert resource["sid"].startswith("SM") and len(resource["sid"]) == 34
        assert set(resource) == set(fake_resource)
        for key in ("to", "from", "messaging_service_sid", "status", "num_segments", "body"):
            assert resource[key] == fake_resource[key], key


def test_the_stub_counts_what_it_accepted(stub_port):
    stub, port = stub_port
    for to in ("+31600000001", "+31600000002", "+31600000001"):
        post(port, {**GOOD, "To": to})
    post(port, {**GOOD, "To": "0612"})
    counts = summary({"accepted": stub.accepted})
    assert counts == {"accepted": 3, "distinct_to": 2, "duplicates": 1}
    assert stub.refused == {21211: 1} and stub.requests == 4
    assert len({sid for _, sid in stub.accepted}) == 3
