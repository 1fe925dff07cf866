"""Every main page meets WCAG 2.1 AA as axe-core checks it, at a desktop's width and at a
phone's (a caseworker in the field), where it also fits without scrolling sideways: wide tables
scroll in their own frame. A screenshot of each page at each width goes to the test artifacts
folder (test-artifacts/, or OUTREACH_TEST_ARTIFACTS).

Debian's Chromium driven by Playwright, with the axe.min.js of the axe-playwright-python
package; under CI a missing one fails the module (tests/browser.py). To check a new page, add
a line to PAGES."""

# The fixtures are imported by name: pytest finds them here.
# ruff: noqa: F401, F811

import re
from dataclasses import dataclass

import pytest

from outreach.core.roles import CASEWORKER, COMMUNICATION, SUPERVISOR

# tests.a11y.axe first: without axe-core (or the browser) the module fails under CI, or skips.
from tests.a11y import axe
from tests.a11y.harness import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    VIEWPORTS,
    Viewport,
    browser,
    open_page,
    site,
)
from tests.browser import Page, expect


@dataclass(frozen=True)
class Screen:
    """A page: its name (for the test id and the artifacts), its path, with placeholders from
    Site.ids, and the role of the demo user who looks at it (None: not logged in)."""

    name: str
    path: str
    role: str | None
    status: int = 200  # a page that explains bad input answers 400


PAGES = [
    Screen("login", "/login/", None),
    Screen("queue", "/", CASEWORKER),
    Screen("queue_filtered", "/?sort=deadline&days=30&kind=single&bogus=1", CASEWORKER),
    Screen("queue_bad_filter", "/?days=soon&area=38", CASEWORKER),
    Screen("case", "/cases/{case}/", CASEWORKER),
    Screen("tasks", "/tasks/", CASEWORKER),
    Screen("inbox", "/inbox/", CASEWORKER),
    Screen("at_risk", "/at-risk/", SUPERVISOR),
    Screen("to_check", "/to-check/", CASEWORKER),
    Screen("feedback", "/feedback/", SUPERVISOR),
    Screen("dashboard", "/dashboard/", SUPERVISOR),
    Screen("dashboard_bad_period", "/dashboard/?from=2026-13-01&to=2026-01-01", SUPERVISOR, 400),
    Screen("simulations", "/dashboard/simulations/", SUPERVISOR),
    Screen("simulation_done", "/dashboard/simulations/{simulation}/", SUPERVISOR),
    Screen("simulation_running", "/dashboard/simulations/{simulation_running}/", SUPERVISOR),
    Screen("audit", "/audit/", SUPERVISOR),
    Screen("audit_bad_filter", "/audit/?kind=brief&start=gisteren", SUPERVISOR),
    Screen("case_audit", "/cases/{case}/audit/", SUPERVISOR),
    Screen("texts", "/texts/", COMMUNICATION),
    Screen("text_editor_sms", "/texts/{code}/invitation/nl/", COMMUNICATION),
    Screen("text_editor_letter", "/texts/{code}/first_single/nl/", COMMUNICATION),
    Screen("text_history", "/texts/{code}/invitation/nl/history/", COMMUNICATION),
    Screen("text_proposals", "/texts/voorstellen/", COMMUNICATION),
    Screen("text_experiment", "/texts/{code}/invitation/experiment/", COMMUNICATION),
]

# The database is set up for the module's site (tests/a11y/harness.py), which is built once
# and committed; each test only reads, through the live server.
pytestmark = pytest.mark.django_db

# A document wider than the window by more than this scrolls sideways (sub-pixel rounding).
SLACK_PX = 1


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: v.name)
@pytest.mark.parametrize("screen", PAGES, ids=lambda s: s.name)
def test_page_has_no_serious_accessibility_violation_and_fits_the_width(
    screen: Screen, viewport: Viewport, site, open_page
):
    page = open_page(screen.role, viewport)
    path = screen.path.format(**site.ids)
    response = page.goto(path)
    assert response is not None and response.status == screen.status, (
        path,
        response and response.status,
    )
    assert page.url == site.url + path, f"{path} led to {page.url}"  # not sent to the login

    shot = ARTIFACTS / "screenshots" / f"{screen.name}-{viewport.name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=shot, full_page=True)
    violations = axe.audit(page)
    axe.save(violations, ARTIFACTS / "axe" / f"{screen.name}-{viewport.name}.json")

    problems = axe.describe(axe.failing(violations))
    if viewport.phone:
        problems += sideways(page, viewport)
    assert not problems, f"{path} at {viewport.name} width:\n  " + "\n  ".join(problems)


def test_a_keyboard_user_can_skip_the_menu_and_always_sees_where_the_focus_is(site, open_page):
    page = open_page(CASEWORKER, DESKTOP)
    page.goto("/cases/{case}/".format(**site.ids))
    focus = """(() => {
      const el = document.activeElement, s = getComputedStyle(el);
      return [el.closest("header, main")?.tagName, s.outlineStyle, s.outlineWidth, s.outlineColor];
    })()"""

    # The first Tab shows the skip link (it is off screen until then).
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    # The next is the menu: its focus ring is yellow on the dark header.
    page.keyboard.press("Tab")
    expect(
        page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link").first
    ).to_be_focused()
    assert page.evaluate(focus) == ["HEADER", "solid", "3px", "rgb(255, 191, 71)"]

    # Back to the skip link; following it, the next Tab is in the page's content, ringed dark.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(focus) == ["MAIN", "solid", "3px", "rgb(11, 12, 12)"]


def test_the_checks_catch_a_page_that_fails_them(open_page):
    """The harness itself: axe runs and reports by impact, and the width check measures."""
    page = open_page(None, PHONE)
    page.set_content(BAD_PAGE)
    found = {v["id"]: v for v in axe.failing(axe.audit(page))}
    assert {"image-alt", "color-contrast", "label"} <= set(found), sorted(found)
    assert found["image-alt"]["nodes"][0]["target"] == ["img"]
    assert axe.describe([found["label"]]) == [
        "label (critical): Form elements must have labels -> #nameless"
    ]
    (problem,) = sideways(page, PHONE)
    assert re.match(r"the page is 9\d\dpx wide in a 375px window", problem), problem
    assert problem.endswith("wider than the window: div.wide")

    page.set_content(GOOD_PAGE)
    assert axe.failing(axe.audit(page)) == []
    assert sideways(page, PHONE) == []


VIEWPORT_META = '<meta name="viewport" content="width=device-width, initial-scale=1">'
BAD_PAGE = f"""<!doctype html><html lang="nl">{VIEWPORT_META}<title>Fout</title><main><h1>Fout</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#aaa;background:#fff">te licht</p>
<input id="nameless">
<div class="wide" style="width:900px">breed</div></main>"""
GOOD_PAGE = f"""<!doctype html><html lang="nl">{VIEWPORT_META}<title>Goed</title><main><h1>Goed</h1>
<label>Naam <input></label>
<div style="overflow-x:auto"><div style="width:900px">breed, in een eigen kader</div></div>
</main>"""


def sideways(page: Page, viewport: Viewport) -> list[str]:
    """The page scrolls sideways at this width (WCAG 1.4.10 reflow): what sticks out."""
    document, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if document <= min(window, viewport.width) + SLACK_PX:
        return []
    wide = page.evaluate(WIDEST_ELEMENTS, viewport.width)
    return [
        f"the page is {document}px wide in a {viewport.width}px window; "
        f"wider than the window: {', '.join(wide) or '?'}"
    ]


# The outermost elements that stick out past the window's right edge, for the failure message:
# those no scrolling or clipping ancestor holds in (an absolutely positioned one is held only by
# a positioned ancestor).
WIDEST_ELEMENTS = """(width) => {
  const out = [];
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 1;
  for (const el of document.body.querySelectorAll("*")) {
    if (!sticksOut(el)) continue;
    const loose = ["absolute", "fixed"].includes(getComputedStyle(el).position);
    let held = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      const clips = style.overflowX !== "visible" && (!loose || style.position !== "static");
      if (clips || (!loose && sticksOut(up))) { held = true; break; }
    }
    if (!held) {
      const name = typeof el.className === "string" ? el.className.trim() : "";
      const cls = name ? "." + name.split(/\\s+/).join(".") : "";
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + cls);
    }
  }
  return out.slice(0, 8);
}"""
