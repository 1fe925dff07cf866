"""axe-core in a Playwright page: the axe.min.js that the axe-playwright-python package ships
(installed from PyPI with the dev dependencies, never downloaded at test time), run on the WCAG
2.0 and 2.1 level A and AA rules and axe's best practices."""

import json
from pathlib import Path
from typing import Any

from tests.browser import Page, unavailable

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:
    unavailable(
        "accessibility tests need axe-core from the axe-playwright-python package "
        "(pip install -e '.[dev]')"
    )

# WCAG 2.1 AA is the legal bar for Dutch government software (Besluit digitale toegankelijkheid
# overheid, via EN 301 549). Best practices are reported too; the tests fail on the impacts below.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")

_axe = Axe()


def audit(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now, each with its impact, help and nodes."""
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]},
    )
    violations: list[dict[str, Any]] = results.response["violations"]
    return violations


def failing(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in FAILING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> list[str]:
    """One line per violation: rule id, impact, what it asks, and the elements (CSS selectors)."""
    lines = []
    for v in violations:
        targets = ["/".join(str(t) for t in node["target"]) for node in v["nodes"]]
        shown = ", ".join(targets[:8]) + (
            f" (+{len(targets) - 8} more)" if len(targets) > 8 else ""
        )
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {shown}")
    return lines


def save(violations: list[dict[str, Any]], path: Path) -> None:
    """Every violation, whatever its impact, as JSON: for reading after a run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(violations, indent=1, ensure_ascii=False))
