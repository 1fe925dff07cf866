"""Who may own a case (whom its letters name: outreach.core.contacts)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from outreach.core.models import Municipality
from outreach.core.roles import CASEWORKER


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
