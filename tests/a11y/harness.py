"""One site and one browser for all the page checks of a module: a test module imports these
fixtures by name (a conftest could not: it would import tests.browser, which fails or skips
without a browser, for every test beside it).

The pages only read, so the data is built once per module (the demo municipality with ten days
of campaigns takes seconds) behind a live server of our own, rather than pytest-django's
`live_server`, which empties the database after every test. The module's data is flushed at
its end, as a transactional test would leave the database. A browser context per test, with
the session cookie of a demo user of the page's role."""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from pytest_django.live_server_helper import LiveServer

from tests.a11y.site import Site, build_site
from tests.browser import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# Screenshots and axe's findings go here (CI keeps the folder as the run's artifacts).
ARTIFACTS = Path(os.environ.get("OUTREACH_TEST_ARTIFACTS") or ROOT / "test-artifacts")


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    phone: bool = False


DESKTOP = Viewport("desktop", 1280, 900)
PHONE = Viewport("phone", 375, 812, phone=True)  # a caseworker in the field
VIEWPORTS = [DESKTOP, PHONE]


@pytest.fixture(scope="module")
def site(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Site]:
    """The data, and a live server on it, for the module; flushed afterwards."""
    from outreach.celery import app
    from outreach.messaging.transports.registry import reset_transports

    folder = tmp_path_factory.mktemp("a11y")
    files = override_settings(
        OUTREACH_OUTBOX_FILE=folder / "outbox.jsonl", OUTREACH_PRINT_DIR=folder / "print"
    )
    eager = app.conf.task_always_eager
    with django_db_blocker.unblock(), files:
        app.conf.task_always_eager = True
        reset_transports()
        try:
            built = build_site(folder / "demo")
            server = LiveServer("localhost")
            try:
                with server._live_server_modified_settings:  # ALLOWED_HOSTS gets "localhost"
                    built.url = server.url
                    yield built
            finally:
                server.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)
            app.conf.task_always_eager = eager
            reset_transports()


class Browser:
    """Chromium on the site; a new context per page, with the session cookie of its role."""

    def __init__(self, browser: Any, site: Site) -> None:
        self.browser = browser
        self.site = site

    def page(self, role: str | None, viewport: Viewport) -> Page:
        """A new page in a context of its own at this size, logged in as `role` (a demo user
        named after the role), or not logged in at all (None)."""
        context = self.browser.new_context(
            base_url=self.site.url,
            locale="nl-NL",
            viewport={"width": viewport.width, "height": viewport.height},
            is_mobile=viewport.phone,
            has_touch=viewport.phone,
        )
        context.set_default_timeout(TIMEOUT_MS)
        if role is not None:
            cookie = {"name": settings.SESSION_COOKIE_NAME, "value": self.site.sessions[role]}
            context.add_cookies([{**cookie, "url": self.site.url}])
        return context.new_page()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator[Browser]:
    """Chromium for the module. Its driver's event loop runs in this thread from here on, and
    Django refuses the database in a thread with a running loop; each test's own transaction
    (pytest-django's `db`) is begun and rolled back here all the same, so Django is told it is
    safe (it is: one thread, and the pages' requests run in the server's)."""
    unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            expect.set_options(timeout=TIMEOUT_MS)
            try:
                yield Browser(chromium, site)
            finally:
                expect.set_options(timeout=5_000)  # Playwright's default
                chromium.close()
                # The tests' transactions ran beside the driver's loop on a connection of
                # their own (Django's connections are per async context): closed in it.
                connections.close_all()
    finally:
        if unsafe is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = unsafe


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[str | None, Viewport], Page]]:
    """open_page(role, viewport): a fresh page; its context is closed after the test."""
    pages: list[Page] = []

    def open_(role: str | None, viewport: Viewport) -> Page:
        page = browser.page(role, viewport)
        pages.append(page)
        return page

    yield open_
    for page in pages:
        page.context.close()
