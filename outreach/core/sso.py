"""Single sign-on: what a municipality's identity provider says about a person decides her
roles and municipalities here.

The provider sends claims (OpenID Connect); one of them lists the person's groups there
(`OUTREACH_OIDC_GROUPS_CLAIM`). `OUTREACH_OIDC_GROUP_MAP` says what each of those groups grants:

    {"gm0363-klantmanagers": {"role": "caseworker", "municipalities": ["0363"]},
     "regio-beheer": {"roles": ["supervisor", "administrator"], "municipalities": ["0363", "0307"]}}

A person gets every role and every municipality that any of her groups grants (roles are
Django groups and hold for all her municipalities, as for local accounts). Each login sets them
anew, so what her provider no longer grants is taken away. A login that grants no role is
refused. The glue to the OpenID Connect library is `outreach.core.oidc`.
"""

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from outreach.core.models import Municipality, StaffProfile
from outreach.core.roles import ROLES, ensure_role_groups

logger = logging.getLogger(__name__)

GRANT_KEYS = {"role", "roles", "municipalities"}
USERNAME_MAX = 150  # Django's User.username


@dataclass(frozen=True)
class Grant:
    """What one group at the provider grants here."""

    roles: frozenset[str]
    municipalities: frozenset[str]  # CBS codes


@dataclass(frozen=True)
class Access:
    """What a person gets here: the union of her groups' grants."""

    roles: frozenset[str]
    municipalities: frozenset[str]


class GroupMapError(ValueError):
    """OUTREACH_OIDC_GROUP_MAP cannot be read; the message says where and why."""


class Refused(Exception):
    """A login the provider confirmed but that gets no access here; `message` is shown on the
    login page (Dutch) and names no personal data."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def enabled() -> bool:
    """Single sign-on is on when a client id is configured."""
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def local_login_enabled() -> bool:
    """Local accounts (username and password) log in unless single sign-on is on and
    OUTREACH_LOCAL_LOGIN turns them off: without single sign-on nobody could log in."""
    return bool(settings.OUTREACH_LOCAL_LOGIN) or not enabled()


def provider_name() -> str:
    return str(settings.OUTREACH_OIDC_PROVIDER_NAME or "uw organisatie")


def parse_group_map(text: str) -> dict[str, Grant]:
    """The mapping from the JSON of OUTREACH_OIDC_GROUP_MAP, or GroupMapError naming the group
    and field that is wrong."""
    if not text.strip():
        return {}
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise GroupMapError(f"OUTREACH_OIDC_GROUP_MAP is not valid JSON: {error}") from None
    if not isinstance(raw, dict):
        raise GroupMapError(
            'OUTREACH_OIDC_GROUP_MAP must be a JSON object {"<group>": {"role": ..., '
            '"municipalities": [...]}}'
        )
    return {group: _grant(group, value) for group, value in raw.items()}


def _grant(group: str, value: Any) -> Grant:
    where = f"OUTREACH_OIDC_GROUP_MAP group {group!r}"
    if not group:
        raise GroupMapError("OUTREACH_OIDC_GROUP_MAP has an empty group name")
    if not isinstance(value, dict):
        raise GroupMapError(f'{where}: expected an object {{"role": ..., "municipalities": [...]}}')
    unknown = sorted(set(value) - GRANT_KEYS)
    if unknown:
        raise GroupMapError(
            f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(GRANT_KEYS))})"
        )
    roles = value.get("roles", [])
    if "role" in value:
        roles = [value["role"], *roles]
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise GroupMapError(f"{where}: roles must be a list of role names")
    bad_roles = sorted(set(roles) - set(ROLES))
    if bad_roles:
        raise GroupMapError(
            f"{where}: unknown role(s) {', '.join(bad_roles)} (known: {', '.join(ROLES)})"
        )
    codes = value.get("municipalities", [])
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise GroupMapError(f"{where}: municipalities must be a list of CBS codes, e.g. ['0363']")
    bad_codes = [c for c in codes if not (len(c) == 4 and c.isdigit())]
    if bad_codes:
        raise GroupMapError(
            f"{where}: {', '.join(bad_codes)} is not a CBS gemeentecode (four digits, e.g. 0363)"
        )
    if not roles and not codes:
        raise GroupMapError(f"{where} grants nothing (no role, no municipality)")
    return Grant(frozenset(roles), frozenset(codes))


def claimed_groups(claims: Mapping[str, Any], claim: str) -> list[str]:
    """The groups in `claim`, a name or a dotted path into nested claims (Keycloak puts them
    under "realm_access.roles"); a single string counts as one group, anything else as none."""
    value: Any = claims
    for part in claim.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [g for g in value if isinstance(g, str)]
    return []


def roles_and_municipalities(
    claims: Mapping[str, Any], mapping: Mapping[str, Grant], claim: str = "groups"
) -> Access:
    """Every role and municipality that the person's groups grant; groups the mapping does not
    name grant nothing."""
    grants = [mapping[g] for g in claimed_groups(claims, claim) if g in mapping]
    return Access(
        roles=frozenset(r for grant in grants for r in grant.roles),
        municipalities=frozenset(c for grant in grants for c in grant.municipalities),
    )


def username_from(claims: Mapping[str, Any], claim: str) -> str:
    """The username: the value of a stable claim (`sub` by default)."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip() or len(value) > USERNAME_MAX:
        raise Refused(
            f"{provider_name()} gaf geen bruikbare gebruikersnaam mee (claim {claim}); "
            "inloggen kan zo niet. Neem contact op met uw beheerder."
        )
    return value


def full_name(claims: Mapping[str, Any]) -> tuple[str, str]:
    """(first name, last name) as the provider gives them, cut to Django's field length."""
    first = claims.get("given_name")
    last = claims.get("family_name")
    if not isinstance(first, str) and not isinstance(last, str):
        name = claims.get("name")
        first, last = (name, "") if isinstance(name, str) else ("", "")
    return (first if isinstance(first, str) else "")[:150], (last if isinstance(last, str) else "")[
        :150
    ]


def sign_in(claims: Mapping[str, Any]) -> AbstractBaseUser:
    """The user for a login the provider confirmed with `claims`: created at the first login,
    her name, e-mail, roles and municipalities set anew at each. Refused when her groups grant
    no role, when the username is a local account's, or when the user is blocked here."""
    mapping = parse_group_map(settings.OUTREACH_OIDC_GROUP_MAP)
    username = username_from(claims, settings.OUTREACH_OIDC_USERNAME_CLAIM)
    access = roles_and_municipalities(claims, mapping, settings.OUTREACH_OIDC_GROUPS_CLAIM)
    if not access.roles:
        raise Refused(
            f"U bent bij {provider_name()} aangemeld, maar uw account geeft geen toegang tot "
            "Vroegsignalering: geen van uw groepen is aan een rol gekoppeld. Vraag uw "
            "functioneel beheerder om toegang."
        )
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_unusable_password()
        elif user.has_usable_password() or user.is_superuser:
            # A local account logs in with its password only: a provider must never be able to
            # take it over by sending its username.
            raise Refused(
                "Er bestaat al een lokaal account met deze gebruikersnaam; dat logt in met "
                f"wachtwoord, niet via {provider_name()}. Neem contact op met uw beheerder."
            )
        elif not user.is_active:
            raise Refused(
                "Uw account is in Vroegsignalering geblokkeerd. Neem contact op met uw beheerder."
            )
        user.first_name, user.last_name = full_name(claims)
        email = claims.get("email")
        user.email = email[:254] if isinstance(email, str) else ""
        user.save()
        grant_access(user, access)
    return user


def grant_access(user: Any, access: Access) -> None:
    """Give `user` exactly these roles and the municipalities of these codes; any other role
    group or municipality she had is taken away (groups that are no role stay)."""
    ensure_role_groups()
    other_groups = list(user.groups.exclude(name__in=ROLES))
    user.groups.set([*other_groups, *Group.objects.filter(name__in=access.roles)])
    municipalities = list(Municipality.objects.filter(code__in=access.municipalities))
    _warn_unknown(access.municipalities, (m.code for m in municipalities))
    profile, _ = StaffProfile.objects.get_or_create(user=user)
    profile.municipalities.set(municipalities)


def _warn_unknown(codes: Iterable[str], known: Iterable[str]) -> None:
    missing = sorted(set(codes) - set(known))
    if missing:
        logger.warning(
            "single sign-on: OUTREACH_OIDC_GROUP_MAP names municipality code(s) %s that are not "
            "registered; they grant nothing",
            ", ".join(missing),
        )
