"""Whose texts a person edits: the shared defaults (with the permission `edit_shared_texts`,
granted by an administrator to a user or a group) and the own texts of the municipalities on
her staff profile (`core.roles.municipalities_for`), both only for communication staff and
administrators."""

from dataclasses import dataclass
from typing import Any

from outreach.core.models import Municipality
from outreach.core.roles import ADMINISTRATOR, COMMUNICATION, has_role, municipalities_for

TEXT_ROLES = (COMMUNICATION, ADMINISTRATOR)
SHARED_KEY = "gedeeld"  # in the editor's addresses, in place of a municipality's code
SHARED_PERMISSION = "messaging.edit_shared_texts"


class NoSuchScope(LookupError):
    """An address names neither the shared texts nor a known municipality."""


class NotYours(PermissionError):
    """The person may not act for these texts."""


@dataclass(frozen=True)
class Scope:
    """The owner of the texts being edited: a municipality, or None for the shared ones."""

    municipality: Municipality | None

    @property
    def municipality_id(self) -> int | None:
        return self.municipality.pk if self.municipality else None

    @property
    def key(self) -> str:
        return self.municipality.code if self.municipality else SHARED_KEY

    @property
    def label(self) -> str:
        return f"Gemeente {self.municipality.name}" if self.municipality else SHARED_LABEL

    @property
    def shared(self) -> bool:
        return self.municipality is None


SHARED_LABEL = "Gedeelde standaardtekst"


def may_edit_shared(user: Any) -> bool:
    return has_role(user, *TEXT_ROLES) and bool(user.has_perm(SHARED_PERMISSION))


def scopes_for(user: Any) -> list[Scope]:
    """Every owner whose texts `user` may edit: the shared first, then her municipalities."""
    if not has_role(user, *TEXT_ROLES):
        return []
    shared = [Scope(None)] if may_edit_shared(user) else []
    return shared + [Scope(m) for m in municipalities_for(user).order_by("name")]


def scope_for(user: Any, key: str) -> Scope:
    """The owner named by `key` (a municipality's code or SHARED_KEY) when `user` may edit its
    texts. Raises NoSuchScope or NotYours."""
    if key == SHARED_KEY:
        if not may_edit_shared(user):
            raise NotYours("the shared texts need the permission edit_shared_texts")
        return Scope(None)
    municipality = Municipality.objects.filter(code=key).first()
    if municipality is None:
        raise NoSuchScope(key)
    if not has_role(user, *TEXT_ROLES) or not (
        municipalities_for(user).filter(pk=municipality.pk).exists()
    ):
        raise NotYours(f"municipality {key} is not on the staff profile")
    return Scope(municipality)
