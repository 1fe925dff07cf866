"""Looking up and registering municipalities."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from outreach.core.contacts import ContactDirectory, set_default_contact
from outreach.core.ddas import PartnerType, partner_type_from_text
from outreach.core.models import (
    CAPACITY_KINDS,
    RETENTION_DAYS_RANGE,
    WINDOW_DAYS_RANGE,
    Municipality,
    days_problems,
)
from outreach.core.quiet_hours import BadQuietHours, parse_quiet_hours


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


# What `add-municipality` writes "default" for: the setting goes back to the environment's.
DEFAULT_WORD = "default"
# The per-municipality settings with a default from the environment, set by name.
POLICY_FIELDS = ("quiet_hours", "retention_days", "window_days")


def parse_threshold(text: str) -> tuple[str, int]:
    """`TYPE=EUROS` ("Huur=100", any case) as (DDAS partner type, euros)."""
    type_text, sep, amount = text.partition("=")
    partner_type = partner_type_from_text(type_text)
    if not sep or not amount.strip().isdigit():
        raise ValueError(f"--threshold {text!r}: use TYPE=EUROS, e.g. Zorg=100")
    if partner_type is None:
        raise ValueError(
            f"--threshold {text!r}: {type_text.strip()!r} is not a partner type (TYPE=EUROS; "
            f"one of {', '.join(PartnerType.values)})"
        )
    return partner_type, int(amount)


def parse_capacity(text: str) -> tuple[str, int]:
    """`KIND=PER_DAY` ("phone=30", "visit=8") as (kind, calls or visits a day)."""
    kind, sep, amount = (part.strip() for part in text.partition("="))
    if not sep or kind not in CAPACITY_KINDS or not amount.isdigit():
        raise ValueError(
            f"--capacity {text!r}: use KIND=PER_DAY with KIND phone or visit and a whole "
            "number, e.g. phone=30"
        )
    return kind, int(amount)


def parse_quiet_hours_option(text: str) -> str:
    """--quiet-hours: `HH:MM-HH:MM`, or "default" (blank: the environment's)."""
    if text.strip().lower() == DEFAULT_WORD:
        return ""
    try:
        if parse_quiet_hours(text) is None:
            raise BadQuietHours(f"{text!r}: use HH:MM-HH:MM, e.g. 21:00-08:00")
    except BadQuietHours as exc:
        raise ValueError(f"--quiet-hours {exc} (or {DEFAULT_WORD})") from None
    return text.strip().replace(" ", "")


def parse_days_option(option: str, text: str, bounds: tuple[int, int]) -> int | None:
    """--retention-days / --window-days: a whole number of days within `bounds`, or "default"
    (None: the environment's)."""
    if text.strip().lower() == DEFAULT_WORD:
        return None
    if not text.strip().isdigit():
        raise ValueError(f"{option} {text!r}: use a whole number of days or {DEFAULT_WORD}")
    days = int(text)
    problems = days_problems(days, bounds)
    if problems:
        raise ValueError(f"{option} {text!r}: {problems[0]}")
    return days


def parse_retention_days(text: str) -> int | None:
    return parse_days_option("--retention-days", text, RETENTION_DAYS_RANGE)


def parse_window_days(text: str) -> int | None:
    return parse_days_option("--window-days", text, WINDOW_DAYS_RANGE)


def add_municipality(
    code: str,
    name: str,
    thresholds: dict[str, int],
    contact: dict[str, str] | None = None,
    arrears_days: dict[str, int | None] | None = None,
    manual_launch_tiers: list[str] | None = None,
    *,
    capacity: Mapping[str, int] | None = None,
    policy: Mapping[str, object] | None = None,
) -> Municipality:
    """Register or update a municipality. `manual_launch_tiers`, when given, replaces the tiers
    whose new cases wait for a caseworker to launch them; `capacity` and `thresholds` are
    merged into what is set; `policy` sets fields of POLICY_FIELDS ("" or None: the default)."""
    municipality = Municipality.objects.filter(code=code).first() or Municipality(code=code)
    municipality.name = name
    municipality.capacity = {**municipality.capacity, **(capacity or {})}
    for field, value in (policy or {}).items():
        if field not in POLICY_FIELDS:
            raise ValueError(f"unknown setting {field!r}; one of {', '.join(POLICY_FIELDS)}")
        setattr(municipality, field, value)
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
