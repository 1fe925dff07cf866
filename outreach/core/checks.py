"""`outreach check` (and every command that runs the system checks) warns about each
municipality whose contact details are incomplete: its campaigns do not start; and refuses
policy defaults from the environment that every municipality without its own would inherit
broken (quiet hours that cannot be read), and a single sign-on that cannot work (no secret, no
endpoints, a group map that cannot be read)."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from outreach.core import sso
from outreach.core.bsn import parse_keys
from outreach.core.models import Municipality
from outreach.core.municipalities import contact_command, missing_contact
from outreach.core.quiet_hours import quiet_hours_problem


@checks.register()
def contact_complete(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        municipalities = list(Municipality.objects.only("code", "name", "contact"))
    except DatabaseError:
        return []  # not migrated yet (`outreach migrate` runs the checks first)
    warnings: list[checks.CheckMessage] = []
    for municipality in municipalities:
        missing = missing_contact(municipality)
        if missing:
            warnings.append(
                checks.Warning(
                    f"the contact details lack {', '.join(missing)}: no campaign of this "
                    "municipality starts (every text names the contact person, her direct "
                    "number and the reply number)",
                    hint=contact_command(municipality, missing),
                    obj=municipality,
                    id="core.W001",
                )
            )
    return warnings


@checks.register()
def policy_defaults(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problem = quiet_hours_problem(settings.OUTREACH_QUIET_HOURS)
    if not problem:
        return []
    return [
        checks.Error(
            f"OUTREACH_QUIET_HOURS {problem}",
            hint="e.g. OUTREACH_QUIET_HOURS=21:00-08:00 (empty: no quiet hours)",
            id="core.E001",
        )
    ]


@checks.register()
def bsn_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A malformed OUTREACH_BSN_KEY fails every command (the settings already refuse a missing
    one in production)."""
    if not settings.OUTREACH_BSN_KEY:
        return []
    try:
        parse_keys(settings.OUTREACH_BSN_KEY)
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="core.E002")]
    return []


@checks.register()
def single_sign_on(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Single sign-on that is on must be able to work: a secret, the provider's endpoints, a
    group map that reads; and turning local accounts off needs single sign-on."""
    if not sso.enabled():
        if not settings.OUTREACH_LOCAL_LOGIN:
            return [
                checks.Error(
                    "OUTREACH_LOCAL_LOGIN is off but single sign-on is not configured "
                    "(OIDC_RP_CLIENT_ID): local accounts keep logging in",
                    hint="configure single sign-on, or leave OUTREACH_LOCAL_LOGIN on",
                    id="core.E020",
                )
            ]
        return []
    errors: list[checks.CheckMessage] = []

    def error(message: str, hint: str) -> None:
        errors.append(checks.Error(message, hint=hint, id="core.E021"))

    if not settings.OIDC_RP_CLIENT_SECRET:
        error("OIDC_RP_CLIENT_SECRET is not set", "the secret the provider gave this client")
    if not settings.OIDC_OP_DISCOVERY:
        needed = [*REQUIRED_ENDPOINTS]
        if settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")):
            needed.append("OIDC_OP_JWKS_ENDPOINT")  # the provider's public keys
        missing = [name for name in needed if not getattr(settings, name)]
        if missing:
            error(
                f"single sign-on needs OIDC_OP_DISCOVERY or {', '.join(missing)}",
                "e.g. OIDC_OP_DISCOVERY=https://login.example.nl/.well-known/openid-configuration",
            )
    try:
        mapping = sso.parse_group_map(settings.OUTREACH_OIDC_GROUP_MAP)
    except sso.GroupMapError as problem:
        error(str(problem), GROUP_MAP_EXAMPLE)
    else:
        if not mapping:
            error(
                "OUTREACH_OIDC_GROUP_MAP is empty: every login through the provider is refused",
                GROUP_MAP_EXAMPLE,
            )
        errors.extend(unknown_municipalities(mapping))
    return errors


# Without a discovery document, these come from the environment.
REQUIRED_ENDPOINTS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_ISSUER",
)
GROUP_MAP_EXAMPLE = (
    'e.g. {"gm0363-klantmanagers": {"role": "caseworker", "municipalities": ["0363"]}}'
)


def unknown_municipalities(mapping: dict[str, sso.Grant]) -> list[checks.CheckMessage]:
    codes = {code for grant in mapping.values() for code in grant.municipalities}
    try:
        known = set(Municipality.objects.filter(code__in=codes).values_list("code", flat=True))
    except DatabaseError:
        return []  # not migrated yet
    return [
        checks.Warning(
            f"OUTREACH_OIDC_GROUP_MAP names municipality {code}, which is not registered: its "
            "groups grant no access to it",
            hint=f"outreach add-municipality {code} <name> ...",
            id="core.W020",
        )
        for code in sorted(codes - known)
    ]
