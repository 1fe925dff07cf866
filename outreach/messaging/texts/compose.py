"""Making the text of one message: the published version of a text for the reader's
municipality and language (`versions.resolution_order`: its own, else the shared one, in her
language, else in Dutch), rendered with the documented context.

A text that cannot be made raises `ComposeError` and nothing is sent: never a half-rendered
letter, and never one with a required value empty (`catalogue.required_fields`: the contact
person, her direct number, the reply number, the reader's name and address on a letter). The
error names the text, version and the empty fields, never the reader.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from outreach.core.contacts import ContactDirectory
from outreach.core.models import Municipality
from outreach.core.municipalities import PERSON_KEYS
from outreach.messaging.models import TemplateVersion
from outreach.messaging.texts.catalogue import SMS, TEMPLATES, required_fields
from outreach.messaging.texts.context import build_context, language_or_default
from outreach.messaging.texts.versions import Owned, choose, published_of_every_owner


class ComposeError(Exception):
    pass


# How an error names a required value that is empty (catalogue.required_fields).
FIELD_NAMES = {
    "name": "the reader's name (name)",
    "address_lines": "the address (address_lines)",
    "worker_name": "the contact person's name (worker_name)",
    "worker_phone": "her direct number (worker_phone)",
    "reply_number": "the reply number (reply_number)",
    "partners": "who told us (partners)",
}


@dataclass(frozen=True)
class Reader:
    """What a text may know of the person it is for."""

    name: str
    language: str
    address_lines: list[str]
    partner_types: list[str]
    reference: str


@dataclass(frozen=True)
class Composed:
    body: str
    template: str
    version: int
    language: str
    # The context's plain values, for a provider's own template (an approved WhatsApp text).
    variables: dict[str, str] = field(default_factory=dict, compare=False)
    # Whose version it was made from: the municipality's own, or None for the shared text.
    template_municipality: int | None = None


@dataclass
class PublishedTexts:
    """The published versions a batch needs: each text and language read once, with every
    municipality's own versions, so a batch spanning municipalities asks no more."""

    versions: dict[tuple[str, str], dict[Owned, TemplateVersion]] = field(default_factory=dict)

    def get(
        self, name: str, lang: str, municipality_id: int | None = None
    ) -> TemplateVersion | None:
        key = (name, lang)
        if key not in self.versions:
            self.versions[key] = published_of_every_owner(name, lang)
        return choose(self.versions[key], lang, municipality_id)


def letterhead(municipality: Municipality) -> dict[str, Any]:
    """The letterhead of `Municipality.contact` (team, phone, e-mail, address, reply number
    ...), with the municipality's name; no contact person."""
    contact = {k: v for k, v in (municipality.contact or {}).items() if k not in PERSON_KEYS}
    return {**contact, "name": contact.get("name") or f"Gemeente {municipality.name}"}


def contact_context(
    municipality: Municipality,
    assignee_id: int | None = None,
    people: ContactDirectory | None = None,
) -> dict[str, Any]:
    """The letterhead, and the contact person the letters of a case of `municipality` assigned
    to `assignee_id` name (worker_name, worker_phone): the caseworker when she has an active
    contact profile there, else the municipality's default contact person
    (`ContactDirectory.person_for`). Without an assignee (a preview) the default one. A batch
    passes `people`, loaded once for all its cases; without it one query reads them."""
    if people is None:
        people = ContactDirectory.load([municipality.pk], [assignee_id])
    context = letterhead(municipality)
    person = people.person_for(municipality.pk, assignee_id)
    if person is not None:
        context.update(worker_name=person.name, worker_phone=person.phone)
    return context


def municipality_letterhead(municipality: Municipality) -> dict[str, Any]:
    """The letterhead of a municipality without a case: its own contact person (the text
    editor's preview and checks of its own texts)."""
    return contact_context(municipality)


def compose(
    name: str,
    reader: Reader,
    municipality: dict[str, Any],
    today: date,
    texts: PublishedTexts,
    appointment_at: datetime | None = None,
    *,
    municipality_id: int | None = None,
) -> Composed:
    """The text `name` for `reader`, from the version her municipality (`municipality_id`;
    None: the shared texts only) sends, with its letterhead `municipality`."""
    from outreach.messaging.texts.rendering import RenderError, render_html, render_text

    spec = TEMPLATES.get(name)
    if spec is None:
        raise ComposeError(f"unknown text '{name}'")
    version = texts.get(name, language_or_default(reader.language), municipality_id)
    if version is None:
        raise ComposeError(f"no published version of '{name}'")
    context = build_context(
        lang=version.lang,
        name=reader.name,
        address_lines=reader.address_lines,
        today=today,
        reference=reader.reference,
        worker_name=str(municipality.get("worker_name", "")),
        worker_phone=str(municipality.get("worker_phone", "") or municipality.get("phone", "")),
        reply_number=str(municipality.get("reply_number", "")),
        partner_types=reader.partner_types,
        municipality=municipality,
        appointment_at=appointment_at,
    )
    empty = context.empty(required_fields(spec))
    if empty:
        # Never "Mijn naam is . U kunt mij bellen op .": the step fails and takes its path.
        fields = ", ".join(FIELD_NAMES.get(f, f) for f in empty)
        where = f"'{name}' ({version.lang}) v{version.version}{_owner(version)}"
        raise ComposeError(f"{where}: required but empty: {fields}")
    values = context.as_dict()
    try:
        if spec.kind == SMS:
            body = render_text(version.source, values, version.lang)
        else:
            body = render_html(version.source, values, version.lang)
    except RenderError as exc:
        where = f"'{name}' ({version.lang}) v{version.version}{_owner(version)}"
        raise ComposeError(f"{where}: {exc}") from exc
    return Composed(
        body,
        name,
        version.version,
        version.lang,
        plain_values(values),
        version.municipality_id,
    )


def _owner(version: TemplateVersion) -> str:
    """How an error names whose version it was: nothing for the shared one."""
    return f" of municipality {version.municipality_id}" if version.municipality_id else ""


def plain_values(context: dict[str, Any]) -> dict[str, str]:
    """The context's text values, flat: {"worker_name": ..., "municipality": its name,
    "yes": the yes keyword, ...}."""
    values = {k: v for k, v in context.items() if isinstance(v, str)}
    values["municipality"] = str((context.get("municipality") or {}).get("name", ""))
    values.update({k: str(v) for k, v in (context.get("keywords") or {}).items()})
    return values
