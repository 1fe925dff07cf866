"""The context a template sees: a small, documented set of plain values, never a model object.

    salutation     "Beste J. Jansen" (the language's own opening; "Beste bewoner" without name)
    name           "J. Jansen"
    address_lines  ["J. Jansen", "Kerkstraat 12 A", "3511 AB  UTRECHT"] (letters and cards)
    letter_date    "3 december 2026", in the language
    reference      "0363-000123": the case's number, to quote on the phone
    worker_name    "Sanne de Vries": the named person who helps
    worker_phone   "020 123 4567": her direct number
    reply_number   "06 1234 5678": where SMS and WhatsApp replies go
    keywords       {"yes": "JA", "call": "BEL", "stop": "STOP", "help": "HULP"}, in the language
    partners       ["uw energieleverancier"]: who told us, as the reader knows them
    appointment    {"date": "dinsdag 8 december", "time": "14:00"} or None
    municipality   {"name", "team", "phone", "email", "website", "address", "postal"}:
                   the letterhead and the ways to reach the team

Communication staff preview on `sample_context`, never on a citizen's data.
"""

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from babel.dates import format_date, format_time

from outreach.messaging.texts import wording
from outreach.messaging.texts.catalogue import DEFAULT_LANGUAGE, LANGUAGES

CONTEXT_NAMES = (
    "salutation",
    "name",
    "address_lines",
    "letter_date",
    "reference",
    "worker_name",
    "worker_phone",
    "reply_number",
    "keywords",
    "partners",
    "appointment",
    "municipality",
)
MUNICIPALITY_KEYS = ("name", "team", "phone", "email", "website", "address", "postal")


def language_or_default(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class Appointment:
    date: str
    time: str


@dataclass(frozen=True)
class TemplateContext:
    salutation: str
    name: str
    address_lines: list[str]
    letter_date: str
    reference: str
    worker_name: str
    worker_phone: str
    reply_number: str
    keywords: dict[str, str]
    partners: list[str]
    appointment: Appointment | None
    municipality: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def empty(self, names: Iterable[str]) -> list[str]:
        """Those of `names` that would print nothing: a blank text, no lines or a blank line."""
        return [name for name in names if _blank(getattr(self, name))]


def _blank(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return not value or any(_blank(item) for item in value)
    return value is None or not str(value).strip()


def appointment(lang: str, moment: datetime | None) -> Appointment | None:
    if moment is None:
        return None
    locale = language_or_default(lang)
    return Appointment(
        date=format_date(moment.date(), "EEEE d MMMM", locale=locale),
        time=format_time(moment, "HH:mm", locale=locale),
    )


def build_context(
    *,
    lang: str,
    name: str,
    address_lines: list[str],
    today: date,
    reference: str,
    worker_name: str,
    worker_phone: str,
    reply_number: str,
    partner_types: list[str],
    municipality: dict[str, Any],
    appointment_at: datetime | None = None,
) -> TemplateContext:
    lang = language_or_default(lang)
    partners = list(dict.fromkeys(wording.partner_phrase(lang, t) for t in partner_types))
    return TemplateContext(
        salutation=wording.salutation(lang, name),
        name=name,
        address_lines=address_lines,
        letter_date=format_date(today, "long", locale=lang),
        reference=reference,
        worker_name=worker_name,
        worker_phone=worker_phone,
        reply_number=reply_number,
        keywords=wording.keywords(lang),
        partners=partners,
        appointment=appointment(lang, appointment_at),
        municipality={key: municipality.get(key, "") for key in MUNICIPALITY_KEYS},
    )


SAMPLE_MUNICIPALITY = {
    "name": "Gemeente Voorbeeldstad",
    "team": "Team Vroeg Eropaf",
    "phone": "020 123 4500",
    "email": "vroegeropaf@voorbeeldstad.nl",
    "website": "www.voorbeeldstad.nl/geldzorgen",
    "address": "Stadhuisplein 1, 1011 AA Voorbeeldstad",
    "postal": ["Postbus 100", "1000 AA  VOORBEELDSTAD"],
}


def sample_context(
    lang: str, partner_count: int = 1, letterhead: Mapping[str, Any] | None = None
) -> TemplateContext:
    """Invented data for previews and checks: never a real citizen's. With a municipality's
    `letterhead` (compose.contact_context) the text is shown as that municipality sends it:
    its letterhead as it is, its contact person and reply number where it has them."""
    partner_types = ["Energie", "Huur", "Zorg"][: max(1, partner_count)]
    own = letterhead or {}
    return build_context(
        lang=lang,
        name="J. de Vries",
        address_lines=["J. de Vries", "Kerkstraat 12 A", "3511 AB  VOORBEELDSTAD"],
        today=date(2026, 12, 3),
        reference="9999-000123",
        worker_name=str(own.get("worker_name") or "Sanne Bakker"),
        # As compose does: the team's number when there is no direct one.
        worker_phone=str(own.get("worker_phone") or own.get("phone") or "020 123 4567"),
        reply_number=str(own.get("reply_number") or "06 1234 5678"),
        partner_types=partner_types,
        municipality=dict(letterhead) if letterhead is not None else SAMPLE_MUNICIPALITY,
        appointment_at=datetime(2026, 12, 8, 14, 0),
    )


def sample_for(
    name: str, lang: str, letterhead: Mapping[str, Any] | None = None
) -> TemplateContext:
    """The sample a text is previewed on: the letter for several signals names several; a
    municipality's own text on its `letterhead`."""
    return sample_context(lang, 2 if name == "first_multiple" else 1, letterhead)
