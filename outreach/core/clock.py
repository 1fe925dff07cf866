"""The injected clock: commands take --now so tests, demos and the simulator can move time."""

from datetime import date, datetime

from django.utils import timezone


class BadTime(ValueError):
    pass


def parse_now(text: str | None) -> datetime:
    """An ISO time (local time when it has no offset), or the real time when None."""
    if not text:
        return timezone.now()
    return parse_time(text, "--now")


def parse_time(text: str, option: str) -> datetime:
    """An ISO date or time given with `option`; local time when it has no offset, a date alone
    is its first moment."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadTime(
            f"{option} {text!r}: use an ISO date or time such as 2026-03-01 or 2026-03-01T09:00"
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def parse_day(text: str, option: str) -> date:
    """An ISO date given with `option` (e.g. --from)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadTime(
            f"{option} {text!r} is not a date: use an ISO date such as 2026-01-31"
        ) from None
