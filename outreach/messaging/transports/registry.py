"""Transports register by a short name, with a check of their configuration (as Open Forms
registers its plugins). Settings name a transport by that name:

    OUTREACH_TRANSPORT=outbox
    OUTREACH_TRANSPORTS='{"sms": "twilio-sms", "whatsapp": "twilio-whatsapp",
                          "letter": "print-house", "email": "email"}'

A dotted path to a class of one's own is taken too (a test's transport, an extension).
`outreach check` (and the web process at start) runs every configured transport's check.
"""

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from outreach.messaging.transports.base import (
    Lookup,
    Outgoing,
    Result,
    RowsTransport,
    Transport,
    lookup,
)

T = TypeVar("T", bound=type)


class Registry:
    """Transport classes by name. A class may define `check_config() -> list[str]` (what is
    missing, in words); without it, the check builds the transport and reports what that
    refuses (ImproperlyConfigured)."""

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}

    def __call__(self, name: str) -> Callable[[T], T]:
        def decorator(cls: T) -> T:
            if name in self._classes and self._classes[name] is not cls:
                raise ValueError(f"transport name {name!r} is taken by {self._classes[name]}")
            self._classes[name] = cls
            return cls

        return decorator

    def names(self) -> list[str]:
        return sorted(self._classes)

    def resolve(self, name: str) -> type:
        """The class `name` stands for: a registered name, or a dotted path."""
        if name in self._classes:
            return self._classes[name]
        if "." in name:
            try:
                cls: type = import_string(name)
            except ImportError as exc:
                raise ImproperlyConfigured(f"no transport {name!r}: {exc}") from exc
            return cls
        known = ", ".join(self.names())
        raise ImproperlyConfigured(f"no transport called {name!r} (known: {known})")

    def problems(self, name: str) -> list[str]:
        """What keeps the transport `name` from working with today's settings."""
        try:
            cls = self.resolve(name)
            check = getattr(cls, "check_config", None)
            if check is not None:
                return list(check())
            cls()  # built afresh: the check sees today's settings, not a cached instance
        except ImproperlyConfigured as exc:
            return [str(exc)]
        return []


register = Registry()


def configured() -> dict[str, str]:
    """The transport name per setting: "*" for OUTREACH_TRANSPORT, else the channel."""
    return {"*": settings.OUTREACH_TRANSPORT, **settings.OUTREACH_TRANSPORTS}


class ChannelRouter:
    """Each message to the transport of its channel; the results in the batch's order."""

    def __init__(self, transports: Mapping[str, Transport], default: Transport) -> None:
        self.transports = transports
        self.default = default

    def for_channel(self, channel: str) -> Transport:
        return self.transports.get(channel, self.default)

    def lookup(self, item: Outgoing, since: datetime, now: datetime) -> Lookup:
        return lookup(self.for_channel(item.channel), item, since, now)

    def send(self, batch: Sequence[Outgoing]) -> list[Result]:
        by_transport: dict[int, tuple[Transport, list[int]]] = {}
        for index, item in enumerate(batch):
            transport = self.for_channel(item.channel)
            by_transport.setdefault(id(transport), (transport, []))[1].append(index)
        results: list[Result | None] = [None] * len(batch)
        for transport, indexes in by_transport.values():
            answers = transport.send([batch[i] for i in indexes])
            if len(answers) != len(indexes):
                raise RuntimeError(f"{type(transport).__name__} must answer every message")
            for index, answer in zip(indexes, answers, strict=True):
                results[index] = answer
        return [r for r in results if r is not None]


@functools.cache
def transport_for(name: str) -> Transport:
    transport: Transport = register.resolve(name)()
    return transport


def default_transport() -> ChannelRouter:
    """The configured transports, built once per process (they may hold HTTP sessions)."""
    default = transport_for(settings.OUTREACH_TRANSPORT)
    named = settings.OUTREACH_TRANSPORTS
    return ChannelRouter({channel: transport_for(n) for channel, n in named.items()}, default)


def reset_transports() -> None:
    """For tests that change the settings."""
    transport_for.cache_clear()


register("rows")(RowsTransport)
