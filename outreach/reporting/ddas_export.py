"""The DDAS delivery to the national monitor: one JSON document in the standard's exchange model
(Uitwisselmodel, VNG Realisatie v0.9, copied in ddas_schema/) about the signals one
municipality received in a period, and their cases.

What goes in:
- `vroegsignalen`: every signal of the municipality whose receipt (`received_at`, as a local
  date) falls in [start, end], with its status, partner type, amount, dates, crisis flag and
  the client as far as we hold them.
- `vroegsignaalzaken`: every case of those signals, once, as it stands now: its end result
  (once closed), matching period and date, the day it was taken up, all its contact attempts,
  and references to its signals *in this delivery*.

A case whose signals span the period's boundary (a signal received in March, another joining
the case in April) is in both months' deliveries: each time with the references to that
month's signals only, and with the whole case as it stands (attempts, result). So every
reference points at a signal in the same document and each delivery tells all that became of
the signals it carries. The price: such a case's attempts are in both deliveries, and the
model has no case identifier to tell them apart by; figures that add deliveries up should count
attempts per signal.

Values:
- IDs: the partner's id of the signal, or ours ("S123"), as the partner feedback names them.
- `bedrag`: the schema's type is an integer of whole euros. Amounts are rounded half up, as
  people round money: EUR 312.50 is 313, EUR 312.49 is 312.
- Dates are ISO (YYYY-MM-DD); `aanleverdatumEnTijd` is `now` in UTC, with a Z.
- `datum_opgepakt` is the day the case's campaign started (none for a case that never started,
  such as one closed at screening). `matchingsdatum` is the day the case's last signal came in:
  intake matches each signal with the household's open case as it arrives, and sets the
  matching period (`startdatum_matchtingperiode`, spelled as the schema does, and
  `einddatum_matchingperiode`) then.
- What we do not hold is left out (`warmeOverdracht`, `kvk-nummer`, `functietitel`), and so is
  every personal field we lack: never an empty string, never a placeholder.
- The client's `Burgerservicenummer` is never in a delivery: the schema does not require it,
  and the BSN serves only to match a signal with the debt-help clients and the population
  register (it is stored encrypted, outreach.core.bsn).
- An anonymised client (outreach.privacy.retention) keeps only what survives anonymisation: the
  four-digit postcode area in `Postcode` (the schema's Postcode is a plain string, AN6 in the
  model) and the town. Name, BSN, birth date, street and house number are left out, whatever
  the rows hold in their place (the surname "(geanonimiseerd)", house number 0).

Streaming: the document is written piece by piece, the signals first and then the cases, each
from a chunked query whose related rows are read per chunk (two queries per chunk of cases,
none per row), so memory stays flat whatever the period's size (bench/ddas_export_bench.py).
The whole export reads one snapshot (REPEATABLE READ on PostgreSQL, a read transaction on
SQLite): a signal taken in meanwhile cannot appear in a case without being in the signals.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import islice
from typing import Any, TypeVar

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from outreach.casework.models import Case, ContactAttempt
from outreach.core.calendar import local_midnight
from outreach.core.contacts import default_contact_person
from outreach.core.models import Municipality
from outreach.intake.models import ANONYMISED_KEY_PREFIX, ANONYMOUS, Signal, signal_reference
from outreach.reporting.records import Writable

# Rows read and encoded at a time: the memory the export needs, whatever the period's size.
CHUNK_SIZE = 2000

SIGNAL_FIELDS = (
    "pk",
    "partner_ref",
    "crisis",
    "amount",
    "arrears_start",
    "signal_date",
    "status",
    "partner_type",
    "person__key",
    "person__initials",
    "person__prefix",
    "person__surname",
    "person__birth_date",
    "household__key",
    "household__street",
    "household__postcode",
    "household__house_number",
    "household__addition",
    "household__town",
)
CASE_FIELDS = ("pk", "state", "result", "matching_start", "matching_end", "started_at")

Row = tuple[Any, ...]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What one delivery holds."""

    municipality: str  # CBS gemeentecode
    start: date
    end: date
    signals: int
    cases: int
    attempts: int

    def line(self) -> str:
        return (
            f"DDAS delivery {self.municipality} {self.start}..{self.end}: {self.signals} "
            f"signal(s), {self.cases} case(s), {self.attempts} contact attempt(s)"
        )


def write_delivery(
    municipality: Municipality, start: date, end: date, now: datetime, out: Writable
) -> ExportSummary:
    """Write the delivery of the signals `municipality` received from `start` to `end` (local
    dates, both included), with their cases as they stand, to `out`; `now` is the delivery's
    time (aanleverdatumEnTijd). Returns its counts; raises ValueError when the period ends
    before it starts."""
    delivery = _Delivery(municipality, start, end, now)
    with _snapshot():
        for text in delivery.texts():
            out.write(text)
    return delivery.summary()


def iter_delivery(
    municipality: Municipality, start: date, end: date, now: datetime
) -> Iterator[str]:
    """The same document as `write_delivery` writes, in pieces of text (for a streaming HTTP
    response). The snapshot's transaction stays open until the iterator is exhausted or
    closed."""
    delivery = _Delivery(municipality, start, end, now)  # checks the period at once

    def texts() -> Iterator[str]:
        with _snapshot():
            yield from delivery.texts()

    return texts()


def received_between(municipality: Municipality, start: date, end: date) -> QuerySet[Signal]:
    """The municipality's signals received on the local dates `start` to `end`, both included."""
    first, after = local_midnight(start), local_midnight(end + timedelta(days=1))
    return Signal.objects.filter(
        municipality=municipality, received_at__gte=first, received_at__lt=after
    )


def amount_in_euros(amount: Decimal) -> int:
    """The schema's `bedrag`: whole euros, rounded half up."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def supplying_organisation(municipality: Municipality) -> dict[str, Any]:
    """`aanleverende_organisatie` from the municipality's contact details: the team's name (or
    the municipality's) and, where any is given, one contact person (the team's default one,
    outreach.core.contacts) with what we have of her name, number and e-mail, the team's number
    and e-mail where she has none. Nothing is made up for what is missing."""
    contact = municipality.contact or {}
    named = default_contact_person(municipality)
    organisation: dict[str, Any] = {}
    name = _text(contact.get("team")) or _text(municipality.name)
    if name:
        organisation["naam"] = name
    person = _present(
        naam=_text(named.name if named else ""),
        telefoonnummer=_text(named.phone if named else "") or _text(contact.get("phone")),
        email=_email((named.email if named else "") or contact.get("email")),
    )
    if person:
        organisation["contactpersoonen"] = [person]
    return organisation


def client(row: Row) -> dict[str, Any]:
    """The `client` of a signal row (SIGNAL_FIELDS from person__key on): what we hold, and of an
    anonymised person only the postcode area and the town."""
    (person_key, initials, prefix, surname, birth_date, household_key, street, postcode,
     house_number, addition, town) = row  # fmt: skip
    anonymised = (
        person_key.startswith(ANONYMISED_KEY_PREFIX)
        or household_key.startswith(ANONYMISED_KEY_PREFIX)
        or surname == ANONYMOUS
    )
    if anonymised:
        area = _text(postcode)[:4]
        return _present(Postcode=area if len(area) == 4 else "", Plaatsnaam=_text(town))
    return _present(
        Voorletters=_text(initials),
        Voorvoegsel=_text(prefix),
        Achternaam=_text(surname),
        Geboortedatum=birth_date,
        Straatnaam=_text(street),
        Postcode=_text(postcode),
        Huisnummer=str(house_number) if house_number else "",
        Huisnummertoevoeging=_text(addition),
        Plaatsnaam=_text(town),
    )


class _Delivery:
    """One delivery's pieces of text, counting what it writes."""

    def __init__(self, municipality: Municipality, start: date, end: date, now: datetime):
        if end < start:
            raise ValueError(f"the period ends ({end}) before it starts ({start})")
        self.municipality = municipality
        self.start, self.end, self.now = start, end, now
        self.first, self.after = local_midnight(start), local_midnight(end + timedelta(days=1))
        # Looked up once: timezone.localdate() asks for the current zone on every call.
        self.zone = timezone.get_current_timezone()
        self.signals = self.cases = self.attempts = 0

    def summary(self) -> ExportSummary:
        return ExportSummary(
            self.municipality.code, self.start, self.end, self.signals, self.cases, self.attempts
        )

    def texts(self) -> Iterator[str]:
        head = _json(
            {
                "startdatumLevering": self.start,
                "einddatumLevering": self.end,
                "aanleverdatumEnTijd": self.now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "codeGegevensleverancier": settings.OUTREACH_DDAS_SUPPLIER_CODE,
            }
        )
        levering = _json(
            {
                "teller": 1,
                "gemeentecode": self.municipality.code,
                "aanleverende_organisatie": supplying_organisation(self.municipality),
            }
        )
        # Both objects stay open: their arrays follow, streamed.
        yield f'{head[:-1]},"leveringen":[{levering[:-1]},"vroegsignalen":['
        yield from _joined(self._signal_items())
        yield '],"vroegsignaalzaken":['
        yield from _joined(self._case_items())
        yield "]}]}\n"

    def _received(self) -> QuerySet[Signal]:
        return received_between(self.municipality, self.start, self.end)

    def _signal_items(self) -> Iterator[list[dict[str, Any]]]:
        rows = (
            self._received()
            .order_by("pk")
            .values_list(*SIGNAL_FIELDS)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for chunk in _chunks(rows, CHUNK_SIZE):
            items = [self._signal(row) for row in chunk]
            self.signals += len(items)
            yield items

    @staticmethod
    def _signal(row: Row) -> dict[str, Any]:
        pk, partner_ref, crisis, amount, arrears_start, signal_date, status, partner_type = row[:8]
        item: dict[str, Any] = {
            "ID": signal_reference(partner_ref, pk),
            "crisissignaal": bool(crisis),
            "bedrag": amount_in_euros(amount),
        }
        if arrears_start is not None:
            item["ontstaansdatum"] = arrears_start
        item["signaaldatum"] = signal_date
        item["status"] = status
        item["signaalpartner"] = {"type": partner_type}
        item["client"] = client(row[8:])
        return item

    def _case_items(self) -> Iterator[list[dict[str, Any]]]:
        rows = (
            Case.objects.filter(
                municipality=self.municipality, pk__in=self._received().values("case_id")
            )
            .order_by("pk")
            .values_list(*CASE_FIELDS)
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for chunk in _chunks(rows, CHUNK_SIZE):
            ids = [row[0] for row in chunk]
            references, last_in = self._references(ids)
            attempts = self._attempts(ids)
            items = []
            for pk, state, result, matching_start, matching_end, started_at in chunk:
                if not references.get(pk):
                    continue  # cannot happen within one snapshot; the schema wants one or more
                item: dict[str, Any] = {}
                if state == Case.State.CLOSED and result:
                    item["resultaat"] = result
                item["matchingsdatum"] = last_in[pk]
                item["startdatum_matchtingperiode"] = matching_start
                if started_at is not None:
                    item["datum_opgepakt"] = started_at.astimezone(self.zone).date()
                item["einddatum_matchingperiode"] = matching_end
                item["vroegsignalen"] = [{"ID": ref} for ref in references[pk]]
                item["contactpogingen"] = attempts.get(pk, [])
                self.attempts += len(item["contactpogingen"])
                items.append(item)
            self.cases += len(items)
            yield items

    def _references(self, case_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, date]]:
        """Per case, the IDs of its signals in this delivery (each once: two partners may use
        the same id), and the day its last signal came in."""
        references: dict[int, dict[str, None]] = {}
        last_in: dict[int, datetime] = {}
        rows = (
            Signal.objects.filter(case_id__in=case_ids)
            .order_by("pk")
            .values_list("case_id", "pk", "partner_ref", "received_at", "municipality_id")
        )
        for case_id, pk, partner_ref, received_at, municipality_id in rows:
            if case_id not in last_in or received_at > last_in[case_id]:
                last_in[case_id] = received_at
            if municipality_id == self.municipality.pk and self.first <= received_at < self.after:
                references.setdefault(case_id, {})[signal_reference(partner_ref, pk)] = None
        return (
            {case_id: list(refs) for case_id, refs in references.items()},
            {case_id: moment.astimezone(self.zone).date() for case_id, moment in last_in.items()},
        )

    @staticmethod
    def _attempts(case_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        attempts: dict[int, list[dict[str, Any]]] = {}
        rows = (
            ContactAttempt.objects.filter(case_id__in=case_ids)
            .order_by("case_id", "date", "pk")
            .values_list("case_id", "kind", "reached", "date", "dagdeel")
        )
        for case_id, kind, reached, day, dagdeel in rows:
            attempts.setdefault(case_id, []).append(
                {"soort": kind, "bereikt": bool(reached), "datum": day, "dagdeel": dagdeel}
            )
        return attempts


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database for the whole export. On PostgreSQL a transaction
    of its own is REPEATABLE READ (and READ ONLY); inside a caller's transaction the export
    sees what that transaction sees."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _joined(chunks: Iterable[list[dict[str, Any]]]) -> Iterator[str]:
    """The items of the chunks as the body of a JSON array, one piece of text per chunk."""
    first = True
    for items in chunks:
        if not items:
            continue
        body = orjson.dumps(items).decode()[1:-1]  # the list's items without its brackets
        yield body if first else "," + body
        first = False


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _json(value: dict[str, Any]) -> str:
    return orjson.dumps(value).decode()


def _text(value: object) -> str:
    """A stored text as the export writes it: stripped; anything else (a list, None) and the
    anonymisation's placeholder count as absent."""
    if not isinstance(value, str):
        return ""
    text = value.strip()
    return "" if text == ANONYMOUS else text


def _email(value: object) -> str:
    address = _text(value)
    try:
        validate_email(address)
    except ValidationError:
        return ""
    return address


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: an empty text or None is left out, never written."""
    return {key: value for key, value in fields.items() if value not in ("", None)}
