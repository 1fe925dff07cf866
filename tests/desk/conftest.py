"""Fixtures for the desk's pages: the cadence engine's test campaign and engine."""

from tests.cadence.conftest import campaign_dir, engine  # noqa: F401  (fixtures)
