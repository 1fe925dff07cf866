"""Roles are Django groups; a user sees only the municipalities on their staff profile."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from outreach.core.models import Municipality

CASEWORKER = "caseworker"
COMMUNICATION = "communication"
SUPERVISOR = "supervisor"
ADMINISTRATOR = "administrator"
ROLES = (CASEWORKER, COMMUNICATION, SUPERVISOR, ADMINISTRATOR)


def ensure_role_groups() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def has_role(user: Any, *roles: str) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(user.groups.filter(name__in=roles).exists())


def municipalities_for(user: Any) -> QuerySet[Municipality]:
    if not user.is_authenticated:
        return Municipality.objects.none()
    if getattr(user, "is_superuser", False):
        return Municipality.objects.all()
    return Municipality.objects.filter(staff__user=user)


# Who may see citizens' cases. Communication staff edit texts and never see citizens' data.
CASE_ROLES = (CASEWORKER, SUPERVISOR, ADMINISTRATOR)

# Any view: one that answers with a page, or with a stream (a download).
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def role_required(*roles: str) -> Callable[[View], View]:
    """Log in first; then only these roles (403 for the others)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied("your role does not give access to cases")
            return view(request, *args, **kwargs)

        return cast(View, guarded)

    return decorate
