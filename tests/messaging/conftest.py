"""The engine's fixtures, for the tests of what it sends."""

from tests.cadence.conftest import campaign_dir, engine  # noqa: F401
from tests.messaging.channels import channel_campaign, other_municipality, transports  # noqa: F401
