"""Stream a JSON delivery with ijson, so a file of any size is read in bounded memory.

Two passes over the bytes: the first checks the whole document (syntax, UTF-8, nesting, shape)
and learns where its signals are and which municipality it names, so a broken file is refused
before any row is taken, as when the document was read whole; the second hands out the signals
one at a time. The accepted shapes: a bare list of signals, {"vroegsignalen": [...]}, and a DDAS
document with leveringen (of one municipality, which the caller checks).
"""

import codecs
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import ijson

# A binary stream from the start of the delivery, once per pass.
Opener = Callable[[], IO[bytes]]

CHUNK = 64 * 1024
# DDAS documents nest six levels deep. ijson builds a path per level, so a file of nothing but
# '[' would otherwise take memory quadratic in its size.
MAX_DEPTH = 100
BOM = b"\xef\xbb\xbf"
ITEM = -1  # a path step into an array (map keys are strings)
# The C backend (yajl) comes with ijson's wheels; the pure Python one, about ten times slower,
# is only asked where in a broken file the error is, as yajl's report quotes the file's text.
SLOW = ijson.get_backend("python")


class NotJson(ValueError):
    """The document is not readable JSON of an accepted shape; the message says why."""


@dataclass(frozen=True)
class Outline:
    items_at: str  # ijson's prefix of the signals
    municipality_codes: tuple[str, ...]  # as the document names them, without repeats
    escaped_nul: bool  # holds \u0000, which PostgreSQL cannot store


class _Checked:
    """The delivery's bytes without a UTF-8 BOM, checked to be UTF-8 on the way through (or
    repaired: the pure Python parser raises on a cut character even as it is closed)."""

    def __init__(self, raw: IO[bytes], limit: int | None = None, repair: bool = False) -> None:
        self.raw = raw
        self.limit = limit  # read no more than this many bytes
        self.repair = repair  # give out a bad byte, or a character cut at the limit, as U+FFFD
        self.offset = 0  # bytes read
        self.skipped = 0  # the BOM's
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace" if repair else "strict")
        self.tail = b""
        self.escaped_nul = False

    def read(self, size: int = CHUNK) -> bytes:
        if size == 0:  # ijson asks whether the stream gives bytes or text
            return b""
        if size < 0:
            size = CHUNK
        if self.limit is not None:
            size = min(size, self.limit - self.offset)
        if self.offset == 0 and not self.skipped:
            data = self.raw.read(max(size, len(BOM)))
            if data.startswith(BOM):
                data, self.skipped = data[len(BOM) :], len(BOM)
        else:
            data = self.raw.read(size) if size else b""
        try:
            text = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            at = self.skipped + self.offset + exc.start
            raise NotJson(f"JSON must be UTF-8: {exc.reason} at byte {at}") from exc
        window = self.tail + data
        self.escaped_nul = self.escaped_nul or b"\\u0000" in window
        self.tail = window[-5:]
        self.offset += len(data)
        return text.encode() if self.repair else data


def outline(opener: Opener) -> Outline:
    """Read the whole document once, keeping only its shape: NotJson if it is not readable."""
    with opener() as raw:
        checked = _Checked(raw)
        try:
            found = _shape(ijson.basic_parse(checked, buf_size=CHUNK))
        except NotJson:
            raise
        except ijson.JSONError as exc:
            raise NotJson(_located(opener, _reason(exc), checked.offset)) from exc
        except UnicodeDecodeError as exc:  # yajl's, of a lone low surrogate escape (\udc00)
            raise NotJson(
                "not valid JSON: a \\u escape is half of a character (a lone surrogate)"
            ) from exc
        except ValueError as exc:  # Python's, of an integer of more than 4300 digits
            raise NotJson(_located(opener, "a number too long to read", checked.offset)) from exc
    return Outline(found[0], found[1], checked.escaped_nul)


def _shape(events: Iterator[tuple[str, Any]]) -> tuple[str, tuple[str, ...]]:
    """Where the signals are, and the municipality codes the document names."""
    kinds: list[str] = []  # "map" or "array", for each open container
    path: list[str | int] = []  # each open container's key in its parent, or ITEM
    key: str = ""
    top = ""
    signals_list = deliveries_list = False
    top_code: str | None = None
    delivery_codes: list[str] = []
    for event, value in events:
        if event == "map_key":
            key = value
            continue
        if event in ("end_map", "end_array"):
            kinds.pop()
            path.pop()
            continue
        depth = len(kinds)
        if depth == 0:
            top = event
        elif depth == 1 and kinds[0] == "map":
            if key == "vroegsignalen":
                signals_list = event == "start_array"
            elif key == "leveringen":
                deliveries_list = event == "start_array"
            elif key == "gemeentecode" and event == "string":
                top_code = value
        elif depth == 3 and path[1:] == ["leveringen", ITEM] and kinds[2] == "map":
            if key == "gemeentecode" and event == "string":
                delivery_codes.append(value)
            elif key == "vroegsignalen" and event == "start_map":
                # Read as a list it would give its values as signals; not a DDAS shape.
                raise NotJson("a delivery's vroegsignalen must be a list, not an object")
        if event in ("start_map", "start_array"):
            path.append(key if depth and kinds[-1] == "map" else ITEM)
            kinds.append("map" if event == "start_map" else "array")
            if len(kinds) > MAX_DEPTH:
                raise NotJson(f"not valid JSON: nested more than {MAX_DEPTH} levels deep")
    if top == "start_array":
        items_at = "item"
    elif top == "start_map" and signals_list:
        items_at = "vroegsignalen.item"
    elif top == "start_map" and deliveries_list:
        items_at = "leveringen.item.vroegsignalen.item"
    else:
        raise NotJson('JSON must hold {"vroegsignalen": [...]} or a DDAS document')
    if top_code is not None:
        return items_at, (top_code,)
    return items_at, tuple(dict.fromkeys(delivery_codes)) if deliveries_list else ()


def _reason(exc: ijson.JSONError) -> str:
    """The first line of yajl's report (the next ones quote the text around the error); bytes
    where that text is not UTF-8."""
    report = exc.args[0] if exc.args else ""
    if isinstance(report, bytes):
        report = report.decode("utf-8", "replace")
    return str(report).splitlines()[0] if str(report).strip() else "unreadable"


def _located(opener: Opener, reason: str, end: int) -> str:
    """yajl's reason with the line and column of the error, which the pure Python parser tells
    (reading no further than yajl did); yajl's own report quotes the text around it, which may
    be a name or a BSN."""
    with opener() as raw:
        try:
            for _ in SLOW.basic_parse(_Checked(raw, limit=end, repair=True)):
                pass
        except ijson.JSONError as exc:
            found = re.fullmatch(r"Unexpected symbol (.*) at (\d+)", str(exc), re.DOTALL)
            if found:
                if found[1].lstrip("'-")[:1].isdigit():
                    reason = "a number too long to read"
                line, column = _line_and_column(opener, int(found[2]))
                return f"not valid JSON: {reason} (line {line}, column {column})"
        except ValueError:  # e.g. a string with a control character: no position
            pass
    return f"not valid JSON: {reason}"


def _line_and_column(opener: Opener, position: int) -> tuple[int, int]:
    """The line and column (both from 1) of a character position in the text after the BOM."""
    line, line_start, seen = 1, 0, 0
    with opener() as raw:
        checked = _Checked(raw, repair=True)  # as the parser that gave the position read it
        decoder = codecs.getincrementaldecoder("utf-8")()
        while seen < position:
            data = checked.read(CHUNK)
            text = decoder.decode(data, final=not data)[: position - seen]
            line += text.count("\n")
            if "\n" in text:
                line_start = seen + text.rindex("\n") + 1
            seen += len(text)
            if not data:
                break
    return line, position - line_start + 1


def items(opener: Opener, at: str) -> Iterator[Any]:
    """The signals of a document `outline` accepted, one at a time."""
    with opener() as raw:
        try:
            # Floats, as Python's own JSON reader gives them: the raw row is stored as JSON.
            yield from ijson.items(_Checked(raw), at, buf_size=CHUNK, use_float=True)
        except ijson.JSONError as exc:  # only if the file changed since it was outlined
            raise NotJson("not valid JSON: the file changed while it was read") from exc
