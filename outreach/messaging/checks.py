"""`outreach check` (and the web process at start) builds the configured
transports, so a missing Twilio token or sender shows at once, not as failing batches later."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def transports_configured(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    from django.utils.module_loading import import_string

    errors = []
    named = {"*": settings.OUTREACH_TRANSPORT, **settings.OUTREACH_TRANSPORTS}
    for channel, dotted in named.items():
        where = "OUTREACH_TRANSPORT" if channel == "*" else f"OUTREACH_TRANSPORTS[{channel!r}]"
        try:
            # Built afresh (not the process's cached one): the check sees today's settings.
            import_string(dotted)()
        except (ImportError, ImproperlyConfigured) as exc:
            errors.append(Error(f"{where} = {dotted!r} cannot be used: {exc}", id="messaging.E001"))
    return errors
