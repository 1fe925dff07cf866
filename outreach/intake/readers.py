"""Read partner files (CSV or JSON) into numbered rows of column -> text, streaming.

Rows keep the partner's own values as text; validation happens elsewhere. A file that cannot be
read at all raises FileRejected with the reason.
"""

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from outreach.intake import json_stream

REQUIRED_COLUMNS = ("bedrag", "signaaldatum", "achternaam", "postcode", "huisnummer")
# The columns of formats/signals.md, in the order files written by us use.
SIGNAL_COLUMNS: tuple[str, ...] = (
    "id",
    "signaalpartner",
    "partner_naam",
    "bedrag",
    "ontstaansdatum",
    "signaaldatum",
    "crisissignaal",
    "bsn",
    "voorletters",
    "voornaam",
    "voorvoegsel",
    "achternaam",
    "geboortedatum",
    "straatnaam",
    "postcode",
    "huisnummer",
    "huisnummertoevoeging",
    "plaatsnaam",
    "telefoonnummer",
    "email",
    "klantnummer",
)
KNOWN_COLUMNS = frozenset(SIGNAL_COLUMNS)
# Other spellings partners use for the same columns (DDAS's own names among them).
ALIASES = {
    "burgerservicenummer": "bsn",
    "partnernaam": "partner_naam",
    "partner naam": "partner_naam",
    "telefoon": "telefoonnummer",
    "e-mail": "email",
    "emailadres": "email",
    "toevoeging": "huisnummertoevoeging",
    "woonplaats": "plaatsnaam",
    "straat": "straatnaam",
}
MAX_FIELD = 10_000
MAX_JSON_BYTES = 200 * 1024 * 1024  # of a request body (files are streamed)


class FileRejected(Exception):
    """The whole delivery is unreadable; the message says why."""


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int  # 1 = first data row (or first item of a JSON list)
    fields: dict[str, str]  # normalised column name -> text as delivered
    raw: dict[str, Any]  # what the partner delivered, kept with the signal
    # "cp1252" when a line of the row was not valid UTF-8 and was read as Windows-1252.
    encoding: str = "utf-8"


# keep(columns, values) -> False skips a row early (it still counts for the row numbers).
RowFilter = Callable[[Sequence[str], Sequence[str]], bool]


def column_name(header: str) -> str:
    name = header.strip().lstrip("\ufeff").strip().lower()
    return ALIASES.get(name, name)


@lru_cache(maxsize=256)
def _bsn_columns(headers: tuple[str, ...]) -> tuple[str, ...]:
    """Which of these headers are the BSN, whatever their spelling: asked once per file, as a
    file's rows share their headers."""
    return tuple(h for h in headers if column_name(h) == "bsn")


def without_bsn(raw: dict[str, Any]) -> dict[str, Any]:
    """The row as delivered without its BSN, whatever the column's spelling (also in a DDAS
    item's `client` or `contact` block): the BSN is kept only encrypted (outreach.core.bsn).
    An empty BSN column stays: the row is kept as delivered where it holds no BSN."""

    def kept(row: dict[str, Any]) -> dict[str, Any]:
        filled = [h for h in _bsn_columns(tuple(row)) if _filled(row[h])]
        if not filled:
            return row
        row = dict(row)  # never the caller's dict: a CSV row's raw is also its fields
        for header in filled:
            del row[header]
        return row

    row = kept(raw)
    for block in ("client", "contact"):
        sub = row.get(block)
        if isinstance(sub, dict):
            inner = kept(sub)
            if inner is not sub:
                row = dict(row) if row is raw else row
                row[block] = inner
    return row


def _filled(value: Any) -> bool:
    return value is not None and str(value).strip() != ""


@dataclass
class Delivery:
    rows: Iterator[RawRow]
    municipality_code: str | None = None  # a DDAS document names its gemeentecode
    is_csv: bool = True


def open_delivery(path: Path) -> Delivery:
    """A CSV or JSON file; JSON when the first non-blank byte is '{' or '['."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise FileRejected(f"cannot open {path.name}: {exc.strerror}") from exc
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return read_json(lambda: path.open("rb"))
    return Delivery(read_csv_file(path))


def read_csv_file(
    path: Path,
    required: Iterable[str] = REQUIRED_COLUMNS,
    known: frozenset[str] = KNOWN_COLUMNS,
    keep: RowFilter | None = None,
) -> Iterator[RawRow]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FileRejected(f"cannot open {path.name}: {exc.strerror}") from exc
    with handle:
        yield from read_csv(handle, required, known, keep)


class Decoder:
    """UTF-8 (with or without BOM) or Windows-1252, decided per line so one stray byte
    further down does not garble the rest of the file. `fell_back` says whether a line since
    the last `taken()` was read as Windows-1252 (the row it belongs to is warned about)."""

    def __init__(self) -> None:
        self.fell_back = False

    def lines(self, binary: Iterable[bytes]) -> Iterator[str]:
        first = True
        for line in binary:
            if first:
                refuse_utf16(line)
                line = line.removeprefix(b"\xef\xbb\xbf")
                first = False
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                text = line.decode("cp1252", errors="replace")
                self.fell_back = True
            yield text.replace("\x00", "")

    def taken(self) -> str:
        """The encoding of the lines read since the last call."""
        encoding = "cp1252" if self.fell_back else "utf-8"
        self.fell_back = False
        return encoding


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # also the start of UTF-32's


def refuse_utf16(first_line: bytes) -> None:
    """FileRejected for UTF-16 (or UTF-32): read as UTF-8 or Windows-1252 it would become
    text with a NUL between every two characters."""
    save_as = "save it as UTF-8 (in Excel: 'CSV UTF-8') or Windows-1252"
    if first_line.startswith(UTF16_BOMS):
        raise FileRejected(
            f"the file is UTF-16 (it starts with a UTF-16 byte-order mark); {save_as}"
        )
    sample = first_line[:4096]
    if sample.count(0) * 4 > len(sample):  # ASCII in UTF-16: every other byte is NUL
        raise FileRejected(
            f"the file's first line is mostly NUL bytes, as in UTF-16 without a byte-order "
            f"mark; {save_as}"
        )


def read_csv(
    binary: IO[bytes],
    required: Iterable[str] = REQUIRED_COLUMNS,
    known: frozenset[str] = KNOWN_COLUMNS,
    keep: RowFilter | None = None,
) -> Iterator[RawRow]:
    decoder = Decoder()
    lines = decoder.lines(binary)
    header_line = next((line for line in lines if line.strip()), None)
    if header_line is None:
        raise FileRejected("the file is empty")
    delimiter = detect_delimiter(header_line)
    if "\r" in header_line.rstrip("\r\n"):
        raise FileRejected(
            "lines end in a bare carriage return (old Mac format); save the file with "
            "Windows (CRLF) or Unix (LF) line ends"
        )
    try:
        header = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as exc:  # e.g. a field over the size limit
        raise FileRejected(f"the header line is not readable CSV: {exc}") from exc
    columns = [column_name(h) for h in header]
    check_header(columns, header, tuple(required), known)
    reader = csv.reader(lines, delimiter=delimiter)
    same_names = columns == header
    number = 0
    decoder.taken()  # the header's
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            decoder.taken()
            yield RawRow(number, {"__error__": f"unreadable CSV: {exc}"}, {})
            continue
        # The reader takes only the lines of the row it returns.
        encoding = decoder.taken()
        if not values or not "".join(values).strip():
            continue
        number += 1
        if len(values) != len(columns):
            yield RawRow(
                number,
                {"__error__": f"row has {len(values)} fields, the header has {len(columns)}"},
                dict(zip(header, values, strict=False)),
            )
            continue
        if keep is not None and not keep(columns, values):
            continue
        if max(map(len, values)) > MAX_FIELD:
            values = [v[:MAX_FIELD] for v in values]
        fields = dict(zip(columns, values, strict=True))
        # Usually the partner's header is already our column names: one dict serves both.
        raw = fields if same_names else dict(zip(header, values, strict=True))
        yield RawRow(number, fields, raw, encoding)


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def check_header(
    columns: list[str], header: list[str], required: tuple[str, ...], known: frozenset[str]
) -> None:
    missing = [c for c in required if c not in columns]
    if not any(c in known for c in columns):
        # Not the line's values: without a header it is a signal, with a name or a BSN.
        raise FileRejected(
            f"no header row with the expected columns: the first line has {len(header)} "
            f"field(s), none of them a known column name ({', '.join(required)}, ...)"
        )
    if missing:
        raise FileRejected(f"required column(s) missing from the header: {', '.join(missing)}")
    doubled = sorted({c for c in columns if columns.count(c) > 1})
    if doubled:
        raise FileRejected(f"column(s) appear more than once in the header: {', '.join(doubled)}")


def read_json(opener: json_stream.Opener) -> Delivery:
    """A JSON delivery, streamed: the whole document is checked first (FileRejected before any
    row is taken), then its signals are read one at a time."""
    try:
        found = json_stream.outline(opener)
    except json_stream.NotJson as exc:
        raise FileRejected(str(exc)) from exc
    except OSError as exc:
        raise FileRejected(f"cannot read the file: {exc.strerror}") from exc
    if len(found.municipality_codes) > 1:
        raise FileRejected(
            f"the document holds deliveries for several municipalities "
            f"({', '.join(found.municipality_codes)}); deliver them one municipality at a time"
        )
    items = json_stream.items(opener, found.items_at)
    code = found.municipality_codes[0] if found.municipality_codes else None
    return Delivery(json_rows(items, found.escaped_nul), code, is_csv=False)


def json_rows(items: Iterable[Any], escaped_nul: bool = False) -> Iterator[RawRow]:
    """Numbered rows of the signals, a row with an error for an item that is not an object.
    `escaped_nul`: the document holds \\u0000, which is taken out (PostgreSQL stores no NUL)."""
    try:
        for number, item in enumerate(items, start=1):
            if escaped_nul:
                item = _without_nul(item)
            if not isinstance(item, dict):
                yield RawRow(
                    number, {"__error__": "a signal must be a JSON object"}, {"item": item}
                )
                continue
            yield RawRow(number, flatten_ddas_item(item), item)
    except json_stream.NotJson as exc:
        raise FileRejected(str(exc)) from exc


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def parse_json(data: bytes) -> Delivery:
    """JSON delivered in a request body, read whole: the API bounds the body's size and the
    signals a request may hold. Unlike a file, a body may hold Python's NaN and Infinity,
    reported as a bad amount of their row."""
    if len(data) > MAX_JSON_BYTES:
        raise FileRejected(f"JSON deliveries are limited to {MAX_JSON_BYTES // 2**20} MB")
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text)
        if _UNSTORABLE_ESCAPE.search(text):
            document = _storable(document)
    except UnicodeDecodeError as exc:
        raise FileRejected(f"JSON must be UTF-8: {exc.reason} at byte {exc.start}") from exc
    except json.JSONDecodeError as exc:
        raise FileRejected(
            f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from exc
    except RecursionError as exc:
        raise FileRejected("not valid JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise FileRejected(f"not valid JSON: {exc}") from exc
    items = json_items(document)  # raises FileRejected before any row is taken
    return Delivery(json_rows(items), ddas_municipality_code(document), is_csv=False)


# \u0000 and lone surrogates (\ud800) are valid JSON escapes, but PostgreSQL stores neither.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


def _storable(value: Any) -> Any:
    """The document without NUL characters and with lone surrogates replaced."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_storable(v) for v in value]
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    return value


def json_items(document: Any) -> list[Any]:
    """Items of {"vroegsignalen": [...]}, a bare list, or a DDAS document with leveringen."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        if isinstance(document.get("vroegsignalen"), list):
            return document["vroegsignalen"]
        if isinstance(document.get("leveringen"), list):
            items: list[Any] = []
            for delivery in document["leveringen"]:
                if isinstance(delivery, dict) and isinstance(delivery.get("vroegsignalen"), list):
                    items.extend(delivery["vroegsignalen"])
            return items
    raise FileRejected('JSON must hold {"vroegsignalen": [...]} or a DDAS document')


def ddas_municipality_code(document: Any) -> str | None:
    """The gemeentecode a DDAS document names, if it names one.

    A document whose deliveries are for several municipalities is rejected: its signals would
    otherwise all land in the first municipality.
    """
    if isinstance(document, dict) and isinstance(document.get("gemeentecode"), str):
        return str(document["gemeentecode"])
    if isinstance(document, dict) and isinstance(document.get("leveringen"), list):
        codes = list(
            dict.fromkeys(
                str(delivery["gemeentecode"])
                for delivery in document["leveringen"]
                if isinstance(delivery, dict) and isinstance(delivery.get("gemeentecode"), str)
            )
        )
        if len(codes) > 1:
            raise FileRejected(
                f"the document holds deliveries for several municipalities ({', '.join(codes)}); "
                "deliver them one municipality at a time"
            )
        return codes[0] if codes else None
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (dict, list)):
        return json.dumps(value)[:MAX_FIELD]
    if isinstance(value, float):
        # A JSON number is never Dutch notation: write it so the amount parser cannot take
        # 45.125 for forty-five thousand.
        exact = Decimal(repr(value))
        if not exact.is_finite():  # NaN and Infinity (a request body), 1e400 (read as inf)
            return repr(value)
        # Not by quantize(): it fails on a number of more digits than the context's precision.
        if int(exact.as_tuple().exponent) >= -2:
            return f"{exact:.2f}"
        return f"{exact:f} (more than two decimals)"
    return str(value)[:MAX_FIELD]


def flatten_ddas_item(item: dict[str, Any]) -> dict[str, str]:
    """A DDAS vroegsignaal (client/contact/signaalpartner objects) as flat CSV-style columns."""
    fields: dict[str, str] = {}
    for key, value in item.items():
        if isinstance(value, dict) and key in ("client", "contact", "signaalpartner"):
            continue
        fields[column_name(key)] = _text(value)
    partner = item.get("signaalpartner")
    if isinstance(partner, dict):
        fields["signaalpartner"] = _text(partner.get("type"))
        if partner.get("naam"):
            fields["partner_naam"] = _text(partner.get("naam"))
    elif partner is not None:
        fields["signaalpartner"] = _text(partner)
    for block in ("client", "contact"):
        sub = item.get(block)
        if isinstance(sub, dict):
            for key, value in sub.items():
                fields[column_name(key)] = _text(value)
    return fields


def read_csv_bytes(data: bytes) -> Iterator[RawRow]:
    """CSV delivered in a request body."""
    return read_csv(io.BytesIO(data))
