"""Fixtures of the dashboard's simulations (imported by name by their tests)."""

from datetime import datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from outreach.core.models import Municipality
from outreach.core.roles import SUPERVISOR
from outreach.simulation.models import SimulationRun
from tests.reporting.conftest import staff

NOW = datetime(2026, 5, 15, 9, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def supervisor(municipality: Municipality) -> Client:
    return staff("teamleider", SUPERVISOR, municipality)


def a_run(municipality: Municipality, **values: Any) -> SimulationRun:
    """A run as `outreach.simulation.runs.start` records it now (not handed over)."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "municipality": municipality,
        "requested_by": User.objects.filter(username="teamleider").first(),
        "requested_by_name": "teamleider",
        "created_at": now,
        "heartbeat_at": now,
        "campaigns": ["letters-only", "intensive"],
        "signals": 300,
        "days": 30,
        "seed": 1,
        "capacity": {},
        "progress_total": 30,
    }
    fields.update(values)
    return SimulationRun.objects.create(**fields)
