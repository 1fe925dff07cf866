"""Fixtures for partner feedback: a registered partner with its token, signals taken in."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from outreach.core.models import Municipality, StaffProfile
from outreach.intake.models import Signal
from outreach.intake.partners import issue_token, register_partner
from outreach.intake.pipeline import import_rows
from outreach.intake.readers import read_csv_bytes
from tests.conftest import AMSTERDAM, csv_bytes

PARTNER = ("Huur", "Woonstichting De Linde")


def at(day: str, clock: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=AMSTERDAM)


def ingest(rows, municipality, now, partner=None) -> list[Signal]:
    """Take the rows in at `now` (as `partner`'s delivery); returns the signals made, in order."""
    if partner is not None:
        rows = [
            {**row, "signaalpartner": partner.type, "partner_naam": partner.name} for row in rows
        ]
    before = set(Signal.objects.values_list("pk", flat=True))
    report = import_rows(
        read_csv_bytes(csv_bytes(rows)), municipality=municipality, now=now, partner=partner
    )
    assert report.rejected == 0, report.rejections
    return list(Signal.objects.exclude(pk__in=before).order_by("pk"))


@pytest.fixture
def partner(municipality):
    return register_partner(*PARTNER, [municipality])


@pytest.fixture
def token(partner):
    return issue_token(partner)


def staff(name, role, *municipalities) -> Client:
    """A logged-in client of a new user with `role`, scoped to `municipalities`."""
    user = User.objects.create_user(name, password="geheim-wachtwoord-1")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    StaffProfile.objects.create(user=user).municipalities.add(*municipalities)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def other_municipality():
    return Municipality.objects.create(code="0307", name="Amersfoort")
