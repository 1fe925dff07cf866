"""Simulations in the test's own database (the engine's figures without a second process);
tests/simulation/test_command.py runs the command, with its process and throw-away database."""

from pathlib import Path
from typing import Any

import pytest

from outreach.simulation.policy import prepare
from outreach.simulation.runner import Spec, run


@pytest.fixture
def simulate(tmp_path: Path, settings: Any):  # type: ignore[no-untyped-def]
    """simulate(["letters-only", "intensive"], signals=..., days=..., seed=...) -> result."""

    def go(campaigns: list[str], **given: Any) -> dict[str, Any]:
        folder = tmp_path / f"run-{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        # Each run's municipalities have codes of their own: several runs share the database.
        first = 9901 + 10 * (len(list(tmp_path.iterdir())) - 1)
        placed = prepare(Path(settings.CAMPAIGNS_DIR), folder / "campaigns", campaigns, None, first)
        settings.CAMPAIGNS_DIR = folder / "campaigns"
        return run(Spec(campaigns=placed, **given), folder)

    return go
