"""Fixtures for steering cases: the cadence engine's test campaigns and a named caseworker."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from outreach.cadence import library
from outreach.casework.models import Case
from outreach.core.models import ContactPerson, StaffProfile
from outreach.core.roles import CASEWORKER
from tests.cadence.conftest import campaign_dir, engine, ingest  # noqa: F401  (fixtures)
from tests.conftest import signal_row

# A campaign unlike the test campaign: one call at once, the closing check two days later.
SHORT = """
label = "Kort"
close_after_days = 2

[[step]]
id = "call"
channel = "phone_task"
after_days = 0
"""


@pytest.fixture
def campaigns(campaign_dir: Path) -> Path:  # noqa: F811
    """The test campaign under every name the weighing framework uses, and "short"."""
    (campaign_dir / "short.toml").write_text(SHORT)
    library.reload()
    return campaign_dir


def make_caseworker(username: str, municipality, *, name: str = "", phone: str = "") -> User:
    first, _, last = name.partition(" ")
    user = User.objects.create_user(
        username, password="geheim-wachtwoord-1", first_name=first, last_name=last
    )
    user.groups.add(Group.objects.get_or_create(name=CASEWORKER)[0])
    profile = StaffProfile.objects.create(user=user)
    if municipality is not None:
        profile.municipalities.add(municipality)
        if phone:  # her contact profile: the letters of her cases name her
            ContactPerson.objects.create(
                municipality=municipality, user=user, name=name, phone=phone
            )
    return user


@pytest.fixture
def sanne(municipality) -> User:
    """A caseworker of the municipality with a full name and a direct number."""
    return make_caseworker("sanne", municipality, name="Sanne Visser", phone="030 286 1234")


@pytest.fixture
def case(municipality, now) -> Case:
    """A new case of one signal, not started yet."""
    (case,) = ingest([signal_row(signaaldatum="2026-05-14")], municipality, now)
    return case
