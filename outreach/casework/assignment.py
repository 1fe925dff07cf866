"""Who may own a case, and the name and direct number letters print for its owner."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import CASEWORKER


@dataclass(frozen=True)
class DirectContact:
    """The named person who helps, as letters and messages print her."""

    name: str
    phone: str


def caseworkers_of(municipality: Municipality) -> QuerySet[Any]:
    """The active users with the caseworker role on `municipality`'s staff."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name=CASEWORKER,
            staff_profile__municipalities=municipality,
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def may_be_assigned(user: Any, municipality: Municipality) -> bool:
    return caseworkers_of(municipality).filter(pk=user.pk).exists()


def display_name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def direct_contacts(user_ids: Iterable[int | None]) -> dict[int, DirectContact]:
    """Per user with both a full name and a direct number: what a letter prints. Others are left
    out (the letter then names the municipality's contact person, never a login name)."""
    wanted = {pk for pk in user_ids if pk is not None}
    contacts: dict[int, DirectContact] = {}
    for profile in StaffProfile.objects.filter(user_id__in=wanted).select_related("user"):
        name, phone = profile.user.get_full_name().strip(), profile.phone.strip()
        if name and phone:
            contacts[profile.user_id] = DirectContact(name, phone)
    return contacts
