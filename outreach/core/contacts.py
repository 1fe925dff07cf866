"""Who letters and messages name for a case, and adding contact people.

The rule (issue 11): the case's assigned caseworker when she has an active contact profile
(`ContactPerson` linked to her user) for the case's municipality; otherwise the municipality's
default contact person (the team's); otherwise nobody, and then no text that names a contact
person is made and no campaign starts (`municipalities.missing_contact`).

`ContactDirectory` reads the people a batch needs in one query; `contact_person_for` is the
same rule for one case.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from outreach.core.models import ContactPerson, Municipality


@dataclass
class ContactDirectory:
    """The active contact people of some municipalities that a batch of cases may name."""

    defaults: dict[int, ContactPerson] = field(default_factory=dict)
    profiles: dict[tuple[int, int], ContactPerson] = field(default_factory=dict)

    @classmethod
    def load(
        cls, municipality_ids: Iterable[int], user_ids: Iterable[int | None] = ()
    ) -> "ContactDirectory":
        """Each municipality's default contact person, and the contact profiles of these users
        there: one query."""
        places = set(municipality_ids)
        users = {pk for pk in user_ids if pk is not None}
        directory = cls()
        if not places:
            return directory
        # A profile of a user who can no longer log in is not named: she has left the team.
        wanted = Q(is_default=True) | Q(user_id__in=users, user__is_active=True)
        for person in ContactPerson.objects.filter(
            wanted, municipality_id__in=places, active=True
        ).select_related("municipality"):
            if person.is_default:
                directory.defaults[person.municipality_id] = person
            if person.user_id is not None and person.user_id in users:
                directory.profiles[(person.municipality_id, person.user_id)] = person
        return directory

    def person_for(self, municipality_id: int, assignee_id: int | None) -> ContactPerson | None:
        """Whom a case of this municipality, assigned to this user (or to nobody), names."""
        if assignee_id is not None:
            own = self.profiles.get((municipality_id, assignee_id))
            if own is not None:
                return own
        return self.defaults.get(municipality_id)


def contact_person_for(municipality: Municipality, assignee_id: int | None) -> ContactPerson | None:
    """Whom the letters of one case name (ContactDirectory.person_for, for a single case)."""
    return ContactDirectory.load([municipality.pk], [assignee_id]).person_for(
        municipality.pk, assignee_id
    )


def default_contact_person(municipality: Municipality) -> ContactPerson | None:
    """The municipality's active default contact person (the team's), if it has one."""
    return contact_person_for(municipality, None)


def add_contact_person(
    municipality: Municipality,
    name: str,
    phone: str,
    *,
    email: str = "",
    team: str = "",
    username: str | None = None,
    default: bool = False,
) -> ContactPerson:
    """Add a contact person, or update the one with this name (or, with `username`, this
    user's profile) at this municipality. With `default` she becomes the team's contact person
    in place of the one before (who stays, no longer the default). Raises ValueError naming
    the field and why."""
    user = None
    if username is not None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise ValueError(f"user: no user named {username!r}")
    found = ContactPerson.objects.filter(municipality=municipality)
    person = (
        found.filter(user=user).first() if user is not None else found.filter(name=name).first()
    ) or ContactPerson(municipality=municipality)
    person.name, person.phone, person.email, person.team = name.strip(), phone, email, team
    person.active = True
    if user is not None:
        person.user = user
    person.is_default = person.is_default or default
    try:
        person.full_clean(validate_constraints=False)
    except ValidationError as exc:
        problems = (f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ValueError("; ".join(problems)) from None
    with transaction.atomic():
        if default:
            found.filter(is_default=True).exclude(pk=person.pk).update(is_default=False)
        person.save()
    return person


def set_default_contact(
    municipality: Municipality, name: str | None = None, phone: str | None = None
) -> ContactPerson:
    """What `add-municipality --contact worker_name=... --contact worker_phone=...` sets: the
    default contact person's name and/or number. Only one of them is enough when she exists;
    a new one needs both. Raises ValueError naming the detail."""
    person = (
        default_contact_person(municipality)
        or ContactPerson.objects.filter(municipality=municipality, is_default=True).first()
    )
    if person is None and not (name and phone):
        lacking = "worker_phone" if name else "worker_name"
        raise ValueError(
            f"contact: {lacking} is needed as well: the municipality has no default contact "
            "person yet"
        )
    return add_contact_person(
        municipality,
        name or (person.name if person else ""),
        phone or (person.phone if person else ""),
        email=person.email if person else "",
        team=person.team if person else "",
        username=person.user.get_username() if person and person.user else None,
        default=True,
    )
