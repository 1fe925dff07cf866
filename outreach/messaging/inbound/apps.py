from typing import Any

from django.apps import AppConfig
from django.core import checks


def check_grammar(**kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check` (and every server start) reads the keyword grammar of replies."""
    from outreach.messaging.inbound.grammar import GrammarError, grammar, reset_grammar

    reset_grammar()
    try:
        grammar()
    except GrammarError as exc:
        return [checks.Error(f"reply grammar: {exc}", id="inbound.E001")]
    return []


class InboundConfig(AppConfig):
    """Citizens' replies by SMS and WhatsApp: stored, understood, acted upon."""

    name = "outreach.messaging.inbound"
    label = "inbound"

    def ready(self) -> None:
        checks.register(check_grammar)
