"""The texts the service sends: which templates exist, what kind each is, and which elements
each must carry (checked by the linter), and the values each is never made without
(`required_fields`, checked by compose). The files under `templates/` are their shipped
defaults; published versions in the database take over once communication staff edit them.

Layout: `templates/letters/<name>/<lang>.html` (letters and the A6 card, Jinja2 HTML that
extends `letters/_layout.html`) and `templates/sms/<name>/<lang>.txt` (SMS, also WhatsApp).
"""

from dataclasses import dataclass

from outreach.core.languages import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES"]
RIGHT_TO_LEFT = frozenset({"ar"})

LETTER, CARD, SMS = "letter", "card", "sms"
KINDS = (LETTER, CARD, SMS)

# What a first approach must say (DOMAIN.md, "How to write"); the linter finds each by the
# phrases of the language (outreach/messaging/lint) or, for the contact person, the placeholders.
FREE = "free"
NO_OBLIGATION = "no_obligation"
CONTACT_PERSON = "contact_person"  # {{ worker_name }} and {{ worker_phone }}
DATA_SOURCE = "data_source"  # how the municipality got the data
NORMALISING = "normalising"  # "this can happen to anyone"
ELEMENTS = (FREE, NO_OBLIGATION, CONTACT_PERSON, DATA_SOURCE, NORMALISING)
FIRST_APPROACH = ELEMENTS  # a first approach says everything


REPLY = ("reply_number",)  # the text asks for a keyword sent to the municipality's number


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    kind: str  # letter, card or sms
    description: str
    required: tuple[str, ...]
    appointment: bool = False  # sent with the visit's day and time (only a visit's texts)
    # Context values it prints and is never sent without, beyond those its kind and elements
    # imply (see required_fields): the reply number of a text that asks for a keyword reply.
    needs: tuple[str, ...] = ()

    @property
    def folder(self) -> str:
        return "sms" if self.kind == SMS else "letters"

    @property
    def suffix(self) -> str:
        return "txt" if self.kind == SMS else "html"

    def path(self, lang: str) -> str:
        """The template's path under `templates/`."""
        return f"{self.folder}/{self.name}/{lang}.{self.suffix}"


TEMPLATES: dict[str, TemplateSpec] = {
    spec.name: spec
    for spec in (
        TemplateSpec(
            "first_single", LETTER, "First letter, one signal", FIRST_APPROACH, needs=REPLY
        ),
        TemplateSpec(
            "first_multiple",
            LETTER,
            "First letter, several signals",
            FIRST_APPROACH,
            needs=REPLY,
        ),
        TemplateSpec(
            "follow_up",
            LETTER,
            "Follow-up letter after no response",
            FIRST_APPROACH,
            needs=REPLY,
        ),
        TemplateSpec(
            "visit_announcement",
            LETTER,
            "Letter announcing a home visit",
            (FREE, NO_OBLIGATION, CONTACT_PERSON, NORMALISING),
            appointment=True,
            needs=REPLY,
        ),
        TemplateSpec(
            "not_home_card",
            CARD,
            "Not-at-home card left at the door (A6)",
            (FREE, CONTACT_PERSON),
            needs=REPLY,
        ),
        TemplateSpec("invitation", SMS, "SMS invitation", (FREE, CONTACT_PERSON), needs=REPLY),
        TemplateSpec("reminder", SMS, "SMS reminder", (FREE, CONTACT_PERSON), needs=REPLY),
        TemplateSpec(
            "visit_announcement_sms",
            SMS,
            "SMS announcing a home visit",
            (CONTACT_PERSON,),
            appointment=True,
        ),
        TemplateSpec(
            "whatsapp",
            SMS,
            "WhatsApp template (first message)",
            (FREE,),
            needs=("worker_name", "worker_phone"),
        ),
        TemplateSpec("yes_confirmation", SMS, "Confirmation after a yes reply", (CONTACT_PERSON,)),
        TemplateSpec("optout_confirmation", SMS, "Confirmation of an opt-out", ()),
        TemplateSpec("info", SMS, "Information after a HELP reply", (FREE, CONTACT_PERSON)),
    )
}


def required_fields(spec: TemplateSpec) -> tuple[str, ...]:
    """The context values (messaging.context) a text is never made without: the reader's name
    and address on a letter, the contact person and her direct number where the text must name
    them, who told us where it must say so, and what `needs` adds."""
    fields: list[str] = []
    if spec.kind == LETTER:
        fields += ["name", "address_lines"]
    if CONTACT_PERSON in spec.required:
        fields += ["worker_name", "worker_phone"]
    if DATA_SOURCE in spec.required:
        fields.append("partners")
    return tuple(dict.fromkeys([*fields, *spec.needs]))
