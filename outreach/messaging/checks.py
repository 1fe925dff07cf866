"""`outreach check` (and the web process at start) runs the check of every configured transport,
so a missing Twilio token or sender shows at once, not as failing batches later."""

from typing import Any

from django.core.checks import Error, register

from outreach.messaging.transports.registry import configured
from outreach.messaging.transports.registry import register as transports


@register()
def transports_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for channel, name in configured().items():
        where = "OUTREACH_TRANSPORT" if channel == "*" else f"OUTREACH_TRANSPORTS[{channel!r}]"
        for problem in transports.problems(name):
            errors.append(
                Error(f"{where} = {name!r} cannot be used: {problem}", id="messaging.E001")
            )
    return errors
