"""Validate one delivered row into a SignalRecord, or say precisely what is wrong with it."""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from outreach.core.ddas import partner_type_from_text
from outreach.intake.parsing import (
    ParseError,
    Phone,
    normalise_postcode,
    parse_amount,
    parse_bool,
    parse_bsn,
    parse_date,
    parse_email,
    parse_house_number,
    parse_phone,
)
from outreach.intake.readers import RawRow, without_bsn

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
CP1252_WARNING = (
    "not valid UTF-8: read as Windows-1252; check its letters with accents (ë, é, ü) and "
    "save the file as UTF-8"
)


def parse_personal_date(text: str) -> date:
    """A date of birth or death: its reason does not repeat it."""
    return parse_date(text, personal=True)


@dataclass(frozen=True, slots=True)
class Finding:
    row: int
    field: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "reason": self.reason}


@dataclass(slots=True)
class SignalRecord:
    row: int
    partner_type: str
    partner_name: str
    partner_ref: str
    amount: Decimal
    arrears_start: date | None
    signal_date: date
    crisis: bool
    bsn: str = field(repr=False)  # never in a repr, so never in a log or traceback
    initials: str
    first_name: str
    prefix: str
    surname: str
    birth_date: date | None
    street: str
    town: str
    postcode: str
    house_number: int
    addition: str
    phone: Phone | None
    email: str
    customer_number: str
    raw: dict[str, Any]

    household_key: str = ""
    person_key: str = ""
    dedupe_key: str = ""

    def __post_init__(self) -> None:
        # Computed once: the pipeline looks these up many times per row.
        self.household_key = household_key(self.postcode, self.house_number, self.addition)
        self.person_key = person_key(
            self.household_key, self.surname, self.initials or self.first_name
        )
        self.dedupe_key = self._dedupe_key()

    def _dedupe_key(self) -> str:
        """Partner and reference when the partner gives one; otherwise the signal's content.

        With a reference the key keeps it readable after a short digest of the partner:
        partners number their signals in sequence, so the unique index grows at its end instead
        of at random places, which keeps a million-row delivery fast.
        """
        if self.partner_ref:
            return f"{_digest(self.partner_type + '|' + self.partner_name, 6)}|{self.partner_ref}"
        basis = (
            f"{self.partner_type}|{self.partner_name}|{self.signal_date}|{self.amount}|"
            f"{self.household_key}|{self.surname.lower()}|{self.birth_date}"
        )
        return "#" + _digest(basis, 16)


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def household_key(postcode: str, number: int, addition: str) -> str:
    return f"{postcode}|{number}|{addition}"


# Dutch surname prefixes (tussenvoegsels): one side may write "van Dijk", the other "Dijk" with
# the prefix in its own column (voorvoegsel).
SURNAME_PREFIXES = frozenset(
    {"van", "de", "der", "den", "het", "'t", "te", "ter", "ten", "in", "op", "aan", "la", "le"}
)


def surname_core(surname: str) -> str:
    """The surname in lower case without leading prefixes or extra spaces: "Van der  Berg" is
    "berg"."""
    words = surname.lower().split()
    while len(words) > 1 and words[0] in SURNAME_PREFIXES:
        words.pop(0)
    return " ".join(words)


def person_key(household: str, surname: str, given: str) -> str:
    initial = given.strip()[:1].upper()
    return f"{household}|{surname_core(surname)[:80]}|{initial}"


@dataclass(slots=True)
class Outcome:
    record: SignalRecord | None
    errors: list[Finding]
    warnings: list[Finding]


class RowValidator:
    """Validates rows against a fixed partner (file option or API token), today's date and
    the day the delivery was received (today, unless taken over from another system)."""

    def __init__(
        self,
        today: date,
        partner_type: str | None,
        partner_name: str = "",
        received: date | None = None,
    ) -> None:
        self.today = today
        self.partner_type = partner_type
        self.partner_name = partner_name
        self.received = received or today

    def validate(self, row: RawRow) -> Outcome:
        f = row.fields
        errors: list[Finding] = []
        warnings: list[Finding] = []
        if "__error__" in f:
            return Outcome(None, [Finding(row.number, "row", f["__error__"])], [])
        get = f.get

        def field(name: str) -> str:
            value = get(name)
            return value.strip() if value else ""

        def parsed(name: str, parser: Any, required: bool = False) -> Any:
            value = get(name)
            text = value.strip() if value else ""
            if not text:
                if required:
                    errors.append(Finding(row.number, name, "required, but empty"))
                return None
            try:
                return parser(text)
            except ParseError as exc:
                errors.append(Finding(row.number, name, str(exc)))
                return None

        partner_type = self._partner_type(field("signaalpartner"), row.number, errors)
        amount = parsed("bedrag", parse_amount, required=True)
        arrears_start = parsed("ontstaansdatum", parse_date)
        signal_date = parsed("signaaldatum", parse_date, required=True)
        crisis = parsed("crisissignaal", parse_bool) or False
        bsn = parsed("bsn", parse_bsn) or ""
        birth_date = parsed("geboortedatum", parse_personal_date)
        postcode = parsed("postcode", normalise_postcode, required=True)
        surname = field("achternaam")
        if not surname:
            errors.append(Finding(row.number, "achternaam", "required, but empty"))
        house: tuple[int, str] | None = None
        if not field("huisnummer"):
            errors.append(Finding(row.number, "huisnummer", "required, but empty"))
        else:
            try:
                house = parse_house_number(field("huisnummer"), field("huisnummertoevoeging"))
            except ParseError as exc:
                errors.append(Finding(row.number, "huisnummer", str(exc)))

        if signal_date is not None:
            if signal_date > self.today:
                errors.append(
                    Finding(row.number, "signaaldatum", f"{signal_date} is in the future")
                )
            elif signal_date > self.received:
                errors.append(
                    Finding(
                        row.number,
                        "signaaldatum",
                        f"{signal_date} is after the day the signal was received, {self.received}",
                    )
                )
            if arrears_start is not None and signal_date < arrears_start:
                errors.append(
                    Finding(
                        row.number,
                        "signaaldatum",
                        f"{signal_date} is before ontstaansdatum {arrears_start}",
                    )
                )
        if birth_date is not None and not EARLIEST_BIRTH_DATE <= birth_date <= self.today:
            errors.append(
                Finding(
                    row.number,
                    "geboortedatum",
                    f"not plausible: before {EARLIEST_BIRTH_DATE.year} or after today",
                )
            )

        # A bad phone number or e-mail does not cost the signal: the field is dropped.
        phone = None
        if field("telefoonnummer"):
            try:
                phone = parse_phone(field("telefoonnummer"))
            except ParseError as exc:
                warnings.append(Finding(row.number, "telefoonnummer", f"{exc}; dropped"))
        email = ""
        if field("email"):
            try:
                email = parse_email(field("email"))
            except ParseError as exc:
                warnings.append(Finding(row.number, "email", f"{exc}; dropped"))

        if row.encoding == "cp1252":
            warnings.append(Finding(row.number, "row", CP1252_WARNING))

        if errors or partner_type is None or house is None:
            return Outcome(None, errors, warnings)
        record = SignalRecord(
            row=row.number,
            partner_type=partner_type,
            partner_name=self.partner_name or field("partner_naam")[:200],
            partner_ref=field("id")[:100],
            amount=amount,
            arrears_start=arrears_start,
            signal_date=signal_date,
            crisis=crisis,
            bsn=bsn,
            initials=field("voorletters")[:20],
            first_name=field("voornaam")[:100],
            prefix=field("voorvoegsel")[:20],
            surname=surname[:200],
            birth_date=birth_date,
            street=field("straatnaam")[:100],
            town=field("plaatsnaam")[:100],
            postcode=postcode,
            house_number=house[0],
            addition=house[1],
            phone=phone,
            email=email,
            customer_number=field("klantnummer")[:50],
            # Kept with the signal until the retention period ends: never its BSN.
            raw=without_bsn(row.raw) if "bsn" in f else row.raw,
        )
        return Outcome(record, errors, warnings)

    def _partner_type(self, text: str, row: int, errors: list[Finding]) -> str | None:
        if self.partner_type is not None:
            if text and partner_type_from_text(text) != self.partner_type:
                errors.append(
                    Finding(
                        row,
                        "signaalpartner",
                        f"'{text}' does not match this delivery's partner type "
                        f"'{self.partner_type}'",
                    )
                )
                return None
            return self.partner_type
        if not text:
            errors.append(
                Finding(row, "signaalpartner", "required (or give the partner for the whole file)")
            )
            return None
        value = partner_type_from_text(text)
        if value is None:
            errors.append(
                Finding(row, "signaalpartner", f"'{text[:40]}' is not a DDAS signal partner type")
            )
        return value
