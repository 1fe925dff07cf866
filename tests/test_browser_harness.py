"""The browser tests never go missing from CI unnoticed: without Chromium, Playwright or
axe-core they fail under CI (CI set, as .ci/run does) and are skipped, with the reason, only
elsewhere."""

import pytest

from tests.browser import unavailable


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_under_ci_a_missing_browser_part_is_a_failure_with_the_reason(monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match=r"^CI is set and browser tests need X$"):
        unavailable("browser tests need X")


@pytest.mark.parametrize("value", [None, "", "false", "0"])
def test_elsewhere_a_missing_browser_part_skips_the_module_with_the_reason(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match=r"^browser tests need X$"):
        unavailable("browser tests need X")
