"""The browser tests' shared part: Debian's Chromium driven by Playwright, a page logged in
through the real login form. Never downloads a browser: Playwright only drives the system
Chromium. A test module imports this first; without /usr/bin/chromium or the playwright package
the module is skipped with the reason (CI installs both)."""

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )
try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    pytest.skip(
        "browser tests need the playwright package (pip install -e '.[dev]')",
        allow_module_level=True,
    )

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000  # generous for a loaded CI machine; the waits end as soon as the page is ready

__all__ = ["Page", "expect", "logged_in"]


@contextlib.contextmanager
def logged_in(
    base_url: str, username: str, password: str, *, reads_between_steps: bool = False
) -> Iterator[Page]:
    """A fresh browser page, logged in through the real login form. `reads_between_steps`: the
    test reads the database while the browser runs (with DJANGO_ALLOW_ASYNC_UNSAFE set)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="nl-NL", base_url=base_url)
        context.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            page = context.new_page()
            page.goto("/login/")
            page.get_by_label("Gebruikersnaam").fill(username)
            page.get_by_label("Wachtwoord").fill(password)
            page.get_by_role("button", name="Inloggen").click()
            yield page
        finally:
            expect.set_options(timeout=5_000)  # Playwright's default
            context.close()
            browser.close()
            if reads_between_steps:
                # Those reads ran beside Playwright's event loop on a connection of their own:
                # closed here, inside it, or it would hold the test database open after the run.
                connections.close_all()
