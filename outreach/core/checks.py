"""`outreach check` (and every command that runs the system checks) warns about each
municipality whose contact details are incomplete: its campaigns do not start."""

from typing import Any

from django.core import checks
from django.db import DatabaseError

from outreach.core.models import Municipality
from outreach.core.municipalities import contact_command, missing_contact


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
