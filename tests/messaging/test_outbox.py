"""The file outbox, the embedded default: one JSON line per message, `outreach outbox`, writers
in several processes, pruning after the retention period."""

import json
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command

from outreach.casework.models import ContactAttempt
from outreach.messaging.models import Message
from outreach.messaging.texts.plaintext import html_to_text
from outreach.messaging.transports.base import SENT, TRANSIENT, Outgoing
from outreach.messaging.transports.outbox import FileOutboxTransport, prune_outbox, read_outbox
from outreach.messaging.transports.registry import default_transport, reset_transports
from outreach.privacy.retention import anonymise_expired
from tests.conftest import AMSTERDAM
from tests.messaging.channels import at, make_cases

ROOT = Path(__file__).resolve().parents[2]
KEYS = ["id", "case", "channel", "to", "body", "status", "created"]


def outbox_json(run_command, *args: str) -> list[dict]:
    return json.loads(run_command("outbox", "--json", *args))


@pytest.fixture
def outbox_file(settings) -> Path:
    return Path(settings.OUTREACH_OUTBOX_FILE)


def test_the_default_transport_is_the_file_outbox(settings):
    settings.OUTREACH_TRANSPORTS = {}
    reset_transports()
    assert all(
        isinstance(default_transport().for_channel(c), FileOutboxTransport)
        for c in ("sms", "whatsapp", "email", "letter")
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("campaign_dir")
def test_the_engine_writes_letters_and_sms_to_the_outbox(municipality, engine, run_command):
    (case,) = make_cases(municipality, 1, at("2026-05-15"))
    engine(at("2026-05-15"))  # the first letter
    engine(at("2026-05-18"))  # the SMS

    letter, sms = outbox_json(run_command)

    assert list(letter) == KEYS and list(sms) == KEYS
    letter_message = Message.objects.get(case=case, channel="letter")
    assert letter == {
        "id": f"outbox-{letter_message.step_id}",
        "case": case.pk,
        "channel": "letter",
        "to": letter_message.to,
        "body": letter["body"],
        "status": "sent",
        "created": letter["created"],
    }
    assert "\n" in letter["to"] and "Jansen" in letter["to"]
    assert "<" not in letter["body"] and "gratis" in letter["body"]
    assert "\n\nBeste Jan Jansen0,\n\nIk wil u graag" in letter["body"]  # paragraphs
    assert datetime.fromisoformat(letter["created"]).tzinfo is not None
    assert (sms["channel"], sms["to"]) == ("sms", "+31612345678")
    assert sms["body"] == Message.objects.get(case=case, channel="sms").body
    # Sent at once: the letter's attempt counts the moment it is in the outbox.
    assert letter_message.status == Message.Status.SENT
    assert letter_message.transport_id == letter["id"]
    assert ContactAttempt.objects.filter(case=case).count() == 2

    assert [m["channel"] for m in outbox_json(run_command, "--channel", "sms")] == ["sms"]
    assert [m["channel"] for m in outbox_json(run_command, "--limit", "1")] == ["sms"]
    assert outbox_json(run_command, "--limit", "0") == []
    table = run_command("outbox")
    assert "letter" in table and "+31612345678" in table and "2 message(s)" in table


def test_a_missing_outbox_is_empty(run_command, outbox_file):
    assert not outbox_file.exists()
    assert outbox_json(run_command) == []
    assert "0 message(s)" in run_command("outbox")


def test_unreadable_lines_are_reported_and_skipped(outbox_file, capsys):
    good = {"id": "outbox-1", "case": 3, "channel": "sms", "to": "+31612345678", "body": "Hoi"}
    good |= {"status": "sent", "created": "2026-05-15T09:00:00+02:00"}
    outbox_file.parent.mkdir(parents=True)
    outbox_file.write_bytes(
        b"\n".join(
            [
                json.dumps(good).encode(),
                b"{not json",
                json.dumps(["a list"]).encode(),
                json.dumps({**good, "id": "outbox-2", "created": "gisteren"}).encode(),
                json.dumps({**good, "case": "drie"}).encode(),
                b"\xff\xfe",
                json.dumps({**good, "id": "outbox-3"}).encode(),
                b'{"id": "outbox-4", "case": 3, "chan',  # a writer that died mid-line
            ]
        )
    )
    call_command("outbox", "--json")
    out, err = capsys.readouterr()
    assert [m["id"] for m in json.loads(out)] == ["outbox-1", "outbox-3"]
    path = str(outbox_file)
    assert err.splitlines() == [
        f"{path}:2: skipped, not JSON (Expecting property name enclosed in double quotes)",
        f"{path}:3: skipped, not a JSON object",
        f"{path}:4: skipped, created is not an ISO time: 'gisteren'",
        f"{path}:5: skipped, wrong type of case",
        f"{path}:6: skipped, not UTF-8",
        f"{path}:8: skipped, not JSON (Unterminated string starting at)",
    ]


def outgoing(step_id, channel="sms", to="+31612345678", body="Beste J. Jansen, bel ons."):
    return Outgoing(step_id, 3, channel, to, body, "nl")


def test_the_transport_writes_a_line_per_message_in_one_write(outbox_file):
    results = FileOutboxTransport().send(
        [outgoing(1), outgoing(None, "email", "jan@example.nl"), outgoing(1)]
    )
    assert [r.outcome for r in results] == [SENT, SENT, SENT]
    assert results[0].transport_id == "outbox-1" and results[1].transport_id.startswith("outbox-")
    lines = outbox_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert outbox_file.stat().st_mode & 0o777 == 0o600  # personal data
    # A step tried again writes its id again: the last line counts.
    assert [m["id"] for m in read_outbox().messages] == [results[1].transport_id, "outbox-1"]


def test_a_failed_write_is_transient(settings, tmp_path):
    (tmp_path / "a-file").write_text("")
    settings.OUTREACH_OUTBOX_FILE = tmp_path / "a-file" / "outbox.jsonl"
    (result,) = FileOutboxTransport().send([outgoing(1)])
    assert result.outcome == TRANSIENT and "outbox" in result.error


def test_a_letter_becomes_readable_text():
    html = textwrap.dedent(
        """\
        <!DOCTYPE html><html><head><title>Gemeente X</title><style>p { margin: 0 }</style></head>
        <body><header><p>Gemeente X</p></header>
        <p class="address">J. Jansen<br>Kerkstraat 12<br>
           3511 AB  UTRECHT</p>
        <main><h1>Wij helpen u graag</h1><p>Beste J. Jansen,</p>
        <p>Bel mij op <span class="number">030 123 4567</span>.
           Het is gratis &amp; vrijblijvend.</p></main></body></html>"""
    )
    assert html_to_text(html) == (
        "Gemeente X\n\nJ. Jansen\nKerkstraat 12\n3511 AB UTRECHT\n\nWij helpen u graag\n\n"
        "Beste J. Jansen,\n\nBel mij op 030 123 4567. Het is gratis & vrijblijvend."
    )


WRITER = """
import json, sys
from pathlib import Path
from outreach.messaging.transports.outbox import append
path, who, batches = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(batches):
    lines = "".join(
        json.dumps({"id": f"{who}-{i}-{j}", "case": i, "channel": "letter", "to": who,
                    "body": who * 4000, "status": "sent",
                    "created": "2026-05-15T09:00:00+02:00"}) + "\\n"
        for j in range(5)
    )
    append(path, lines.encode())
"""
PRUNER = """
import json, sys
from datetime import datetime, timezone
from pathlib import Path
from outreach.messaging.transports.outbox import append, prune_outbox
path, rounds = Path(sys.argv[1]), int(sys.argv[2])
old = {"id": "old", "case": 0, "channel": "sms", "to": "+31600000000", "body": "oud",
       "status": "sent", "created": "2000-01-01T00:00:00+00:00"}
removed = 0
for i in range(rounds):
    append(path, (json.dumps({**old, "id": f"old-{i}"}) + "\\n").encode())
    removed += prune_outbox(datetime(2020, 1, 1, tzinfo=timezone.utc), path)
print(removed)
"""


def run_processes(scripts: list[tuple[str, list[str]]]) -> list[str]:
    env = {"DJANGO_SETTINGS_MODULE": "outreach.settings", "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script, args in scripts
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


WRITERS, BATCHES, LINES = "abcd", 40, 5


def check_writers_lines(path: Path) -> None:
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    ids = [json.loads(line)["id"] for line in lines[:-1] if not line.startswith(b'{"id": "old')]
    assert len(ids) == len(set(ids)) == len(WRITERS) * BATCHES * LINES
    # Each batch's lines are together: one write, never split by another writer's.
    for index in range(0, len(ids), LINES):
        who, batch, first = ids[index].split("-")
        assert first == "0"
        assert ids[index : index + LINES] == [f"{who}-{batch}-{j}" for j in range(LINES)]


def test_writers_in_several_processes_never_interleave(outbox_file):
    run_processes([(WRITER, [str(outbox_file), who, str(BATCHES)]) for who in WRITERS])
    check_writers_lines(outbox_file)
    assert len(read_outbox(outbox_file).messages) == len(WRITERS) * BATCHES * LINES


def test_pruning_while_others_write_loses_no_line(outbox_file):
    writers = [(WRITER, [str(outbox_file), who, str(BATCHES)]) for who in WRITERS]
    *_, pruned = run_processes([*writers, (PRUNER, [str(outbox_file), "60"])])
    assert int(pruned) == 60
    check_writers_lines(outbox_file)
    assert not [m for m in read_outbox(outbox_file).messages if m["id"].startswith("old")]


@pytest.mark.django_db
def test_retention_prunes_outbox_lines_older_than_the_period(outbox_file, now):
    old, recent = now - timedelta(days=200), now - timedelta(days=10)
    for step, moment in ((1, old), (2, recent)):
        line = {"id": f"outbox-{step}", "case": 3, "channel": "sms", "to": "+31612345678"}
        line |= {"body": "Hoi", "status": "sent", "created": moment.isoformat()}
        outbox_file.parent.mkdir(parents=True, exist_ok=True)
        with outbox_file.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
    anonymise_expired(now, retention_days=183)
    assert [m["id"] for m in read_outbox(outbox_file).messages] == ["outbox-2"]
    assert outbox_file.stat().st_mode & 0o777 == 0o600
    assert prune_outbox(now.astimezone(AMSTERDAM) - timedelta(days=183), outbox_file) == 0


@pytest.mark.django_db
def test_retention_prunes_the_outbox_after_the_shortest_municipality_period(
    outbox_file, now, municipality, settings
):
    """The outbox is a copy of what the database keeps: it follows the strictest period."""
    settings.OUTREACH_RETENTION_DAYS = 183
    municipality.retention_days = 30
    municipality.save()
    line = {"id": "outbox-1", "case": 3, "channel": "sms", "to": "+31612345678", "body": "Hoi"}
    line |= {"status": "sent", "created": (now - timedelta(days=40)).isoformat()}
    outbox_file.parent.mkdir(parents=True, exist_ok=True)
    outbox_file.write_text(json.dumps(line) + "\n", encoding="utf-8")
    anonymise_expired(now)
    assert read_outbox(outbox_file).messages == []
