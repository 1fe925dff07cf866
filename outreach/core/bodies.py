"""Request bodies of a bounded size, judged before anything is read.

Django reads a body only as far as its Content-Length (a request without one has an empty
body under WSGI), so a declared length over the limit is refused before a byte is read, and a
body is never read further than the limit.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse


class BodyTooLarge(Exception):
    """The body is over `limit` bytes."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")
        self.limit = limit


def declared_length(request: HttpRequest) -> int:
    """The body's Content-Length; 0 when missing or unreadable (Django then reads nothing)."""
    text = request.META.get("CONTENT_LENGTH") or ""
    return int(text) if text.isascii() and text.isdigit() else 0


def check_length(request: HttpRequest, limit: int) -> None:
    """Raise BodyTooLarge when the declared length is over `limit`; reads nothing."""
    if declared_length(request) > limit:
        raise BodyTooLarge(limit)


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The body, at most `limit` bytes (not Django's DATA_UPLOAD_MAX_MEMORY_SIZE: this view
    sets its own); BodyTooLarge before reading when it says it is longer."""
    check_length(request, limit)
    data = request.read(limit + 1)
    if len(data) > limit:  # a server that passes more than the declared length
        raise BodyTooLarge(limit)
    return data


def limit_body(
    limit: Callable[[], int], too_large: Callable[[int], HttpResponse]
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A view decorator: a request whose declared body is over `limit()` bytes gets
    `too_large(limit)` before the view (and Django's form parsing) reads any of it."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            bound = limit()
            try:
                check_length(request, bound)
            except BodyTooLarge:
                return too_large(bound)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
