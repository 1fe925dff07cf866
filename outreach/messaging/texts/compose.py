"""Making the text of one message: the published version of a text for the reader's
municipality and language (`versions.resolution_order`: its own, else the shared one, in her
language, else in Dutch), rendered with the documented context. Where that text is in a running
experiment (outreach.messaging.texts.experiments) the household's variant of it is rendered
instead, and `Composed` says which experiment and variant.

A text that cannot be made raises `ComposeError` and nothing is sent: never a half-rendered
letter, and never one with a required value empty (`catalogue.required_fields`: the contact
person, her direct number, the reply number, the reader's name and address on a letter). The
error names the text, version and the empty fields, never the reader.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from outreach.core.contacts import ContactDirectory
from outreach.core.models import Municipality
from outreach.core.municipalities import PERSON_KEYS
from outreach.core.variants import assign
from outreach.messaging.models import Message, TemplateVersion
from outreach.messaging.texts.catalogue import SMS, TEMPLATES, required_fields
from outreach.messaging.texts.context import build_context, language_or_default
from outreach.messaging.texts.experiments import BASE, Household, Running, running_on
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
    # The text experiment and the household's variant of it; empty outside an experiment.
    text_experiment: str = ""
    text_variant: str = ""


@dataclass
class PublishedTexts:
    """The published versions a batch needs: each text and language read once, with every
    municipality's own versions, so a batch spanning municipalities asks no more; likewise the
    running experiments on each text, and the variants the batch's households already have
    (`expect` names them; they are read in one query for the batch, and only once a text of
    the batch runs an experiment)."""

    versions: dict[tuple[str, str], dict[Owned, TemplateVersion]] = field(default_factory=dict)
    experiments: dict[str, dict[int | None, Running]] = field(default_factory=dict)
    # (household id, experiment) -> the variant recorded on its messages or given in this batch.
    assigned: dict[tuple[int, str], str] = field(default_factory=dict)
    remembered: set[int] = field(default_factory=set)  # households whose variants are read
    expected: set[int] = field(default_factory=set)  # the batch's households, read together

    def get(
        self, name: str, lang: str, municipality_id: int | None = None
    ) -> TemplateVersion | None:
        key = (name, lang)
        if key not in self.versions:
            self.versions[key] = published_of_every_owner(name, lang)
        return choose(self.versions[key], lang, municipality_id)

    def expect(self, household_ids: Iterable[int]) -> None:
        """The batch's households: their variants are read together when the first of them
        meets a running experiment (most batches meet none and ask nothing)."""
        self.expected |= set(household_ids)

    def remember(self, household_ids: Iterable[int]) -> None:
        """Read the variants the households' earlier messages were sent in, once for all."""
        new = set(household_ids) - self.remembered
        if not new:
            return
        self.remembered |= new
        for household, experiment, variant in (
            Message.objects.filter(case__household_id__in=new)
            .exclude(text_experiment="")
            .order_by("created_at", "pk")
            .values_list("case__household_id", "text_experiment", "text_variant")
        ):
            self.assigned.setdefault((household, experiment), variant)

    def variant(
        self,
        name: str,
        version: TemplateVersion,
        municipality_id: int | None,
        household: Household | None,
    ) -> tuple[TemplateVersion, str, str]:
        """The version to send a household instead of `version` (the text itself, chosen for
        the reader), with the experiment and its variant ("", "" outside one). The owner's
        experiment applies: the municipality's, else the shared one where the reader gets
        the shared text; only in a language the variants cover."""
        if household is None:
            return version, "", ""
        if name not in self.experiments:
            self.experiments[name] = running_on(name)
        running = self.experiments[name]
        experiment = running.get(municipality_id) if municipality_id is not None else None
        if experiment is None and version.municipality_id is None:
            experiment = running.get(None)
        if experiment is None or not experiment.covers(version.lang):
            return version, "", ""
        self.remember(self.expected | {household.id})
        key = (household.id, experiment.name)
        chosen = self.assigned.get(key)
        if chosen is None or all(chosen != v for v, _ in experiment.variants):
            chosen = assign(experiment.name, household.key, experiment.variants)
        self.assigned[key] = chosen
        if chosen == BASE:
            return version, experiment.name, chosen
        return experiment.versions[(chosen, version.lang)], experiment.name, chosen


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
    household: Household | None = None,
) -> Composed:
    """The text `name` for `reader`, from the version her municipality (`municipality_id`;
    None: the shared texts only) sends, with its letterhead `municipality`; for `household`
    its variant where the text is in a running experiment (none given: the text itself)."""
    from outreach.messaging.texts.rendering import RenderError, render_html, render_text

    spec = TEMPLATES.get(name)
    if spec is None:
        raise ComposeError(f"unknown text '{name}'")
    version = texts.get(name, language_or_default(reader.language), municipality_id)
    if version is None:
        raise ComposeError(f"no published version of '{name}'")
    version, experiment, variant = texts.variant(name, version, municipality_id, household)
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
        experiment,
        variant,
    )


def _owner(version: TemplateVersion) -> str:
    """How an error names whose version it was (nothing for the shared one), and which
    variant of an experiment."""
    owner = f" of municipality {version.municipality_id}" if version.municipality_id else ""
    return owner + (f" variant {version.variant}" if version.variant else "")


def plain_values(context: dict[str, Any]) -> dict[str, str]:
    """The context's text values, flat: {"worker_name": ..., "municipality": its name,
    "yes": the yes keyword, ...}."""
    values = {k: v for k, v in context.items() if isinstance(v, str)}
    values["municipality"] = str((context.get("municipality") or {}).get("name", ""))
    values.update({k: str(v) for k, v in (context.get("keywords") or {}).items()})
    return values
