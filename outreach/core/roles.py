"""Roles are Django groups; a user sees only the municipalities on their staff profile."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.db.models import QuerySet

from outreach.core.models import Municipality

CASEWORKER = "caseworker"
COMMUNICATION = "communication"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
ROLES = (CASEWORKER, COMMUNICATION, SUPERVISOR, ADMINISTRATOR)


def ensure_role_groups() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return user.groups.filter(name__in=roles).exists()  # type: ignore[union-attr]


def municipalities_for(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Municipality]:
    if not user.is_authenticated:
        return Municipality.objects.none()
    if getattr(user, "is_superuser", False):
        return Municipality.objects.all()
    return Municipality.objects.filter(staff__user=user)
