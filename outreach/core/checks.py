"""`outreach check` (and every command that runs the system checks) warns about each
municipality whose contact details are incomplete: its campaigns do not start; and refuses
policy defaults from the environment that every municipality without its own would inherit
broken (quiet hours that cannot be read)."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

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
