"""Looking up and registering municipalities."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from outreach.core.contacts import ContactDirectory, set_default_contact
from outreach.core.models import Municipality


class UnknownMunicipality(LookupError):
    pass


def resolve_municipality(code: str | None) -> Municipality:
    """The municipality with this code; without a code, the only one there is."""
    if code:
        try:
            return Municipality.objects.get(code=code)
        except Municipality.DoesNotExist:
            raise UnknownMunicipality(
                f"no municipality with code {code!r}; add it with "
                f"`outreach add-municipality {code} NAME`"
            ) from None
    municipalities = list(Municipality.objects.all()[:2])
    if len(municipalities) == 1:
        return municipalities[0]
    if not municipalities:
        raise UnknownMunicipality(
            "no municipality registered yet; add one with `outreach add-municipality CODE NAME`"
        )
    raise UnknownMunicipality("several municipalities are registered: name one with --municipality")


def municipalities_option(code: str | None) -> QuerySet[Municipality]:
    """All municipalities, or the one a command's --municipality names."""
    if not code:
        return Municipality.objects.all()
    return Municipality.objects.filter(pk=resolve_municipality(code).pk)


# What letters and messages print (outreach.messaging.texts.context): the team's letterhead and
# the number SMS and WhatsApp replies go to, kept in `Municipality.contact`.
LETTERHEAD_KEYS = ("team", "phone", "email", "website", "address", "postal", "reply_number")
# The default contact person's name and direct number (a ContactPerson, not the JSON): what
# `add-municipality --contact worker_name=... --contact worker_phone=...` sets.
PERSON_KEYS = ("worker_name", "worker_phone")
CONTACT_KEYS = (*LETTERHEAD_KEYS[:-1], *PERSON_KEYS, "reply_number")
# Without these no campaign starts: every first approach names the person who helps, her
# direct number and where to send a reply (issue 8: no blank letters).
REQUIRED_CONTACT = ("worker_name", "worker_phone", "reply_number")
# How caseworkers read them (the at-risk list, the warnings).
CONTACT_LABELS = {
    "worker_name": "contactpersoon",
    "worker_phone": "direct nummer",
    "reply_number": "antwoordnummer",
}


def missing_contact(
    municipality: Municipality,
    people: ContactDirectory | None = None,
    assignee_id: int | None = None,
) -> list[str]:
    """The keys of REQUIRED_CONTACT a case of the municipality (assigned to `assignee_id`, or
    to nobody) lacks: the contact person it names with her direct number (both missing when
    there is nobody to name: `contacts.ContactDirectory.person_for`), the reply number. Pass
    `people` loaded for a batch; without it one query reads them."""
    if people is None:
        people = ContactDirectory.load([municipality.pk], [assignee_id])
    missing = [] if people.person_for(municipality.pk, assignee_id) else list(PERSON_KEYS)
    if not str((municipality.contact or {}).get("reply_number") or "").strip():
        missing.append("reply_number")
    return missing


def contact_command(municipality: Municipality, missing: list[str]) -> str:
    """The command that sets the missing details, for warnings to quote."""
    options = " ".join(f"--contact {key}=..." for key in missing)
    return f'outreach add-municipality {municipality.code} "{municipality.name}" {options}'


def missing_contact_text(missing: list[str]) -> str:
    """In Dutch, what is missing: "de gemeente heeft geen contactpersoon en geen
    antwoordnummer (ontbreekt: worker_name, reply_number)"."""
    labels = [f"geen {CONTACT_LABELS.get(key, key)}" for key in missing]
    listed = labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} en {labels[-1]}"
    return f"de gemeente heeft {listed} (ontbreekt: {', '.join(missing)})"


def parse_arrears_days(text: str) -> dict[str, int | None]:
    """`MIN-MAX` days of arrears ("30-365"); an empty side is no bound ("30-", "-365")."""
    low, sep, high = text.strip().partition("-")
    try:
        if not sep:
            raise ValueError
        return {
            "min": int(low) if low.strip() else None,
            "max": int(high) if high.strip() else None,
        }
    except ValueError:
        raise ValueError(
            f"--arrears-days {text!r}: use MIN-MAX in days, e.g. 30-365, 30- or -365"
        ) from None


def add_municipality(
    code: str,
    name: str,
    thresholds: dict[str, int],
    contact: dict[str, str] | None = None,
    arrears_days: dict[str, int | None] | None = None,
    manual_launch_tiers: list[str] | None = None,
) -> Municipality:
    """Register or update a municipality. `manual_launch_tiers`, when given, replaces the tiers
    whose new cases wait for a caseworker to launch them."""
    municipality = Municipality.objects.filter(code=code).first() or Municipality(code=code)
    municipality.name = name
    if manual_launch_tiers is not None:
        municipality.manual_launch_tiers = sorted(set(manual_launch_tiers))
    municipality.thresholds = {**municipality.thresholds, **thresholds}
    if arrears_days is not None:
        municipality.arrears_days = arrears_days
    person: dict[str, str] = {}
    for key, value in (contact or {}).items():
        if key not in CONTACT_KEYS:
            raise ValueError(f"contact: unknown detail {key!r}; one of {', '.join(CONTACT_KEYS)}")
        if key in PERSON_KEYS:
            person[key] = value
        else:
            # Postal address lines are written "Postbus 100|1000 AA  STAD".
            municipality.contact[key] = value.split("|") if key == "postal" else value
    try:
        municipality.full_clean()
    except ValidationError as exc:
        problems = (f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ValueError("; ".join(problems)) from None
    with transaction.atomic():
        municipality.save()
        if person:
            # The default contact person; saved after the municipality, whose save signal
            # would otherwise look for her before she is there.
            set_default_contact(municipality, person.get("worker_name"), person.get("worker_phone"))
    return municipality
