"""Who a batch of steps reaches: per case, the person of its latest followed-up signal and the
address."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from outreach.casework.models import Case
from outreach.core.contacts import ContactDirectory
from outreach.core.ddas import FOLLOWED_UP
from outreach.intake.models import Person, PhoneNumber, Signal
from outreach.messaging.texts.compose import contact_context
from outreach.messaging.texts.experiments import household_key


@dataclass(frozen=True)
class Recipient:
    case_id: int
    state: str
    municipality_id: int
    crisis: bool
    score: int
    deadline: date
    name: str
    language: str
    mobile: str
    email: str
    address: str  # the lines of a letter's address block
    partner_types: tuple[str, ...] = ()  # of the case's signals, oldest first
    reference: str = ""  # the case's number, to quote on the phone
    municipality: dict[str, object] | None = None  # its letterhead (messaging.compose)
    assignee_id: int | None = None  # the caseworker who owns the case: her tasks
    # The quiet hours its municipality keeps ("21:00-08:00"; empty: none): its own, else the
    # service's default (`Municipality.quiet_hours_in_force`).
    quiet_hours: str = ""
    # The household: its row, and the stable key text experiments assign a variant by.
    household_id: int = 0
    household_key: str = ""

    def address_for(self, channel: str) -> str:
        if channel in ("sms", "whatsapp"):
            return self.mobile
        if channel == "email":
            return self.email
        return self.address


def load_recipients(case_ids: Iterable[int]) -> dict[int, Recipient]:
    ids = list(case_ids)
    latest: dict[int, tuple[date, int, int]] = {}
    partners: dict[int, list[str]] = {}
    for case_id, person_id, signal_date, signal_id, partner_type, status in (
        Signal.objects.filter(case_id__in=ids)
        .order_by("signal_date", "id")
        .values_list("case_id", "person_id", "signal_date", "id", "partner_type", "status")
    ):
        # Only a followed-up signal names whom to write: a screened-out one that joined the
        # case may be of a deceased person, or of one who opted out.
        key = (signal_date, signal_id, person_id)
        if status in FOLLOWED_UP and (case_id not in latest or key > latest[case_id]):
            latest[case_id] = key
        partners.setdefault(case_id, []).append(partner_type)
    person_ids = {person for _, _, person in latest.values()}
    persons = {p.pk: p for p in Person.objects.filter(id__in=person_ids)}
    mobiles: dict[int, str] = {}
    for person_id, e164 in (
        # Not a number the provider refused (PhoneNumber.unusable_reason).
        PhoneNumber.objects.filter(
            person_id__in=person_ids, kind=PhoneNumber.Kind.MOBILE, unusable_reason=""
        )
        .order_by("id")
        .values_list("person_id", "e164")
    ):
        mobiles.setdefault(person_id, e164)
    recipients: dict[int, Recipient] = {}
    # Per municipality and the contact person named (the assignee's profile or the team's).
    letterheads: dict[tuple[int, int | None], dict[str, object]] = {}
    cases = list(Case.objects.filter(id__in=ids).select_related("household", "municipality"))
    people = ContactDirectory.load(
        {case.municipality_id for case in cases}, {case.assignee_id for case in cases}
    )
    for case in cases:
        place = case.municipality
        named = people.person_for(place.pk, case.assignee_id)
        letterhead = (place.pk, named.pk if named else None)
        if letterhead not in letterheads:
            letterheads[letterhead] = contact_context(place, case.assignee_id, people)
        person = persons.get(latest[case.pk][2]) if case.pk in latest else None
        home = case.household
        name = person.display_name if person else "bewoner"
        street = f"{home.street} {home.house_number}{home.addition}".strip()
        recipients[case.pk] = Recipient(
            case_id=case.pk,
            state=case.state,
            municipality_id=case.municipality_id,
            crisis=case.crisis,
            score=case.score,
            deadline=case.deadline,
            name=name,
            language=(person.preferred_language if person else "") or "nl",
            mobile=mobiles.get(person.pk, "") if person else "",
            email=person.email if person else "",
            address="\n".join([name, street, f"{home.postcode}  {home.town}".strip()]),
            partner_types=tuple(partners.get(case.pk, ())),
            reference=case.reference,
            municipality=letterheads[letterhead],
            assignee_id=case.assignee_id,
            quiet_hours=place.quiet_hours_in_force(),
            household_id=home.pk,
            household_key=household_key(home.key),
        )
    return recipients
