"""The file outbox: the embedded default transport for every channel. Nothing leaves the
machine; each message becomes one JSON line in OUTREACH_OUTBOX_FILE (default
DATA_DIR/outbox.jsonl), which `outreach outbox` shows:

    {"id": "outbox-41", "case": 7, "channel": "sms", "to": "+31612345678",
     "body": "Beste J. Jansen, ...", "status": "sent", "created": "2026-05-15T09:00:00+02:00",
     "message": 118}

`to` is the E.164 number, the e-mail address or the letter's address lines (one per line);
`body` is the text as sent, for a letter its HTML reduced to readable text. The id is
"outbox-<planned step id>", so a step that is tried again after its transaction rolled back
writes the same id again: readers keep the last line of an id. `message` is the id of the
message row the line is the hand-over of (`Outgoing.message_id`; null without one): `lookup`
finds a hand-over by it. (`outreach outbox` shows the fields above it.)

Several worker processes may write at once: a batch is one `write` to a file opened with
O_APPEND, under an exclusive `flock`, so lines never interleave and a message's line is there
whole or not at all. `prune_outbox` (the retention
job) rewrites the file under the same lock and swaps it in with a rename; a writer that waited
for the lock notices the swap and writes to the new file.
"""

import contextlib
import fcntl
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from outreach.core.private import open_private, private_dir
from outreach.messaging.texts.plaintext import html_to_text, looks_like_html
from outreach.messaging.transports.base import (
    ABSENT,
    HANDED_OVER,
    SENT,
    TRANSIENT,
    UNKNOWN,
    WAIT,
    Lookup,
    Outgoing,
    Result,
)
from outreach.messaging.transports.registry import register

FIELDS = ("id", "case", "channel", "to", "body", "status", "created")


def outbox_path() -> Path:
    return Path(settings.OUTREACH_OUTBOX_FILE)


def readable_body(channel: str, body: str) -> str:
    """The text a reader sees: a letter's (or an HTML e-mail's) HTML as plain text."""
    if channel == "letter" or looks_like_html(body):
        return html_to_text(body)
    return body


def outbox_id(step_id: int | None) -> str:
    return f"outbox-{step_id}" if step_id is not None else f"outbox-{uuid.uuid4().hex}"


def outbox_line(item: Outgoing, message_id: str, created: datetime) -> dict[str, Any]:
    return {
        "id": message_id,
        "case": item.case_id,
        "channel": item.channel,
        "to": item.to,
        "body": readable_body(item.channel, item.body),
        "status": "sent",
        "created": timezone.localtime(created).isoformat(),
        "message": item.message_id,
    }


@register("outbox")
class FileOutboxTransport:
    """Every message as a line in the outbox file; answers `sent` (a failed write: transient,
    the engine tries again)."""

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        if not batch:
            return []
        created = timezone.now()
        ids = [outbox_id(item.step_id) for item in batch]
        data = "".join(
            json.dumps(outbox_line(item, message_id, created), ensure_ascii=False) + "\n"
            for item, message_id in zip(batch, ids, strict=True)
        ).encode("utf-8")
        try:
            append(outbox_path(), data)
        except OSError as exc:
            return [Result(TRANSIENT, error=f"outbox: {exc.strerror or exc}") for _ in batch]
        return [Result(SENT, transport_id=message_id) for message_id in ids]

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        """The outbox's line of this message (the last, as readers keep it), or `absent`."""
        if item.message_id is None:
            return Lookup(UNKNOWN, note="outbox: zonder bericht-id niet na te zoeken")
        try:
            line = line_of_message(outbox_path(), item.message_id)
        except OSError as exc:
            return Lookup(WAIT, note=f"outbox niet te lezen: {exc.strerror or exc}")
        if line is None:
            return Lookup(ABSENT, note="niet in de outbox")
        return Lookup(HANDED_OVER, Result(SENT, transport_id=str(line["id"])), note="in de outbox")


@contextlib.contextmanager
def _locked(path: Path, flags: int) -> Iterator[int]:
    """The file at `path` opened with `flags` and locked; the descriptor of the file that is
    at `path` once the lock is held (a prune may have swapped it in the meantime)."""
    private_dir(path.parent)
    while True:
        fd = open_private(path, flags)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                current = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                current = False
            if current:
                yield fd
                return
        finally:
            os.close(fd)  # also releases the lock


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def append(path: Path, data: bytes) -> None:
    """Append `data` in one write (O_APPEND: no other writer's lines inside it)."""
    with _locked(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT) as fd:
        _write_all(fd, data)


@dataclass
class Outbox:
    """The outbox's messages, oldest first (one per id: the last line of an id), and the lines
    that could not be read: (line number, why)."""

    messages: list[dict[str, Any]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)


def line_of_message(path: Path, message_id: int) -> dict[str, Any] | None:
    """The last line of the message row `message_id`; None when there is none. Read under the
    writers' lock: no write is half done while it reads."""
    try:
        with _locked(path, os.O_RDONLY) as fd, os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return None
    found = None
    for line in raw.split(b"\n"):
        if b'"message"' not in line:
            continue  # cheap: a line without one is no message row's
        try:
            value = json.loads(line)
        except ValueError:  # also UnicodeDecodeError
            continue
        if not isinstance(value, dict) or not isinstance(value.get("id"), str):
            continue
        number = value.get("message")
        if number == message_id and not isinstance(number, bool):
            found = value
    return found


def parse_line(text: str) -> dict[str, Any]:
    """One outbox line as a message in the documented shape; ValueError when it is not one."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    missing = [name for name in FIELDS if name not in value]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    wrong = [
        name
        for name in FIELDS
        if not isinstance(value[name], int if name == "case" else str)
        or isinstance(value[name], bool)
    ]
    if wrong:
        raise ValueError(f"wrong type of {', '.join(wrong)}")
    try:
        datetime.fromisoformat(str(value["created"]))
    except ValueError:
        raise ValueError(f"created is not an ISO time: {value['created']!r}") from None
    return {name: value[name] for name in FIELDS}


def created_at(message: dict[str, Any]) -> datetime:
    """When an outbox message was written (a time without offset is local time)."""
    moment = datetime.fromisoformat(str(message["created"]))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def read_outbox(path: Path | None = None) -> Outbox:
    """The outbox file's messages; a missing file is an empty outbox."""
    path = path or outbox_path()
    outbox = Outbox()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return outbox
    by_id: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            message = parse_line(line.decode("utf-8"))
        except UnicodeDecodeError:
            outbox.problems.append((number, "not UTF-8"))
            continue
        except ValueError as exc:
            outbox.problems.append((number, str(exc)))
            continue
        by_id.pop(str(message["id"]), None)  # the last line of an id counts, in its place
        by_id[str(message["id"])] = message
    outbox.messages = list(by_id.values())
    return outbox


def prune_outbox(cutoff: datetime, path: Path | None = None) -> int:
    """Remove the lines created before `cutoff` (and unreadable ones: they may hold personal
    data as well); returns how many lines went."""
    path = path or outbox_path()
    if not path.exists():
        return 0
    with _locked(path, os.O_RDWR | os.O_CREAT) as fd:
        with os.fdopen(os.dup(fd), "rb") as handle:
            lines = handle.read().split(b"\n")
        kept: list[bytes] = []
        removed = 0
        for line in lines:
            if not line.strip():
                continue
            try:
                old = created_at(parse_line(line.decode("utf-8"))) < cutoff
            except ValueError:  # also UnicodeDecodeError
                old = True
            if old:
                removed += 1
            else:
                kept.append(line + b"\n")
        if removed:
            partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            new_fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(new_fd, b"".join(kept))
                os.fsync(new_fd)
            finally:
                os.close(new_fd)
            os.replace(partial, path)
        return removed
