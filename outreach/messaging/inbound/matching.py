"""Who wrote: the sender's number to the person(s) who have it and their open case.

- The number is compared in E.164 with `PhoneNumber.e164`. Several people may have it (a
  shared phone, or one person in two municipalities of a regional service).
- When the number it was sent to is a municipality's reply number (`contact.reply_number`)
  and someone there has the sender's number, only that municipality's people count.
- Their open case (new, active or help offer) is the case; the most recent if there are
  several. Without an open case, their most recent case is kept for the case link, but the
  service does not act on a closed case by itself.
- A number nobody has is unknown: no person, no case.
"""

from dataclasses import dataclass, field

from outreach.casework.models import Case
from outreach.core.models import Municipality
from outreach.intake.models import Person
from outreach.intake.parsing import ParseError, parse_phone

OPEN_STATES = (Case.State.NEW, Case.State.ACTIVE, Case.State.HELP_OFFER)


@dataclass
class Sender:
    persons: list[Person] = field(default_factory=list)  # everyone with the number
    person: Person | None = None  # the one the case is about
    case: Case | None = None  # the open case, else the latest case, else None
    open_cases: list[Case] = field(default_factory=list)  # every open case of `persons`
    municipality: Municipality | None = None

    @property
    def known(self) -> bool:
        return bool(self.persons)

    @property
    def has_open_case(self) -> bool:
        return self.case is not None and self.case.state in OPEN_STATES


def as_e164(number: str) -> str:
    """A number in E.164, or "" when it is none (a short code, an alphanumeric sender)."""
    try:
        return parse_phone(number).e164
    except ParseError:
        return ""


def municipality_for_number(number: str) -> Municipality | None:
    """The municipality whose reply number this is."""
    if not number:
        return None
    for municipality in Municipality.objects.exclude(contact={}):
        reply = str(municipality.contact.get("reply_number") or "")
        if reply and as_e164(reply) == number:
            return municipality
    return None


def find_sender(from_number: str, to_number: str) -> Sender:
    addressed = municipality_for_number(to_number)
    persons = (
        list(Person.objects.filter(phone_numbers__e164=from_number).distinct().order_by("pk"))
        if from_number
        else []
    )
    if addressed is not None and any(p.municipality_id == addressed.pk for p in persons):
        persons = [p for p in persons if p.municipality_id == addressed.pk]
    if not persons:
        return Sender(municipality=addressed)
    households = {p.household_id for p in persons}
    cases = Case.objects.filter(household_id__in=households).select_related("municipality")
    open_cases = list(cases.filter(state__in=OPEN_STATES).order_by("-created_at", "-pk"))
    case = open_cases[0] if open_cases else cases.order_by("-created_at", "-pk").first()
    person = persons[-1]
    if case is not None:
        person = [p for p in persons if p.household_id == case.household_id][-1]
    return Sender(
        persons=persons,
        person=person,
        case=case,
        open_cases=open_cases,
        municipality=case.municipality if case is not None else person.municipality,
    )
