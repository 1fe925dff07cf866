"""Middleware of the whole service."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """`Cache-Control: no-store` (and Django's other never-cache headers) on every answer.

    Nearly every page, CSV download and API answer holds citizens' personal data, so no browser
    or proxy may keep any of them: on a shared desk computer the back button or the disk cache
    would show the last caseworker's cases. Static files never reach this (the proxy or
    runserver serves them), so nothing worth caching is lost."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
