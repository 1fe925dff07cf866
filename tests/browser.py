"""The browser tests' shared part: Debian's Chromium driven by Playwright, a page logged in
through the real login form. Never downloads a browser: Playwright only drives the system
Chromium. A test module imports this first. Without /usr/bin/chromium or the playwright package
the module is skipped with the reason on a developer's machine; under CI (the environment
variable CI set, as .ci/run does) it fails with that reason instead, so a browser test can
never go missing from CI's count unnoticed."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest
from django.db import connections


def unavailable(reason: str) -> NoReturn:
    """Stop the importing test module: a failure under CI (it installs everything the browser
    tests need), a skip with the reason elsewhere."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    unavailable(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
try:
    from playwright.sync_api import Page, expect, sync_playwright
except ImportError:
    unavailable("browser tests need the playwright package (pip install -e '.[dev]')")

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

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "TIMEOUT_MS",
    "Page",
    "expect",
    "logged_in",
    "sync_playwright",
    "unavailable",
]


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
