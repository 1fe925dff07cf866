"""The demo data `make run` loads: a fictional municipality, its signals, a user per role."""

import pytest
from django.contrib.auth import authenticate

from outreach.casework.models import Case
from outreach.core.municipalities import missing_contact
from outreach.core.roles import ROLES
from outreach.demo.loader import DEMO_CODE, DEMO_PASSWORD, load_demo
from outreach.intake.models import Signal

pytestmark = pytest.mark.django_db


def test_demo_loads_a_working_queue_once(tmp_path, now):
    first = load_demo(now=now, folder=tmp_path)
    assert first.municipality.code == DEMO_CODE
    assert missing_contact(first.municipality) == []  # its campaigns start
    assert first.report.accepted >= 250
    assert first.report.rejected == 0
    cases = Case.objects.filter(municipality=first.municipality)
    # Screening and matching did their work on realistic data: several kinds and outcomes.
    assert {c.kind for c in cases} >= {"single", "multiple"}
    assert cases.exclude(result=None).exists()  # screened out: threshold, register, clients
    assert cases.filter(result=None, tier="high").exists()
    for role in ROLES:
        user = authenticate(username=role, password=DEMO_PASSWORD)
        assert user is not None and user.groups.filter(name=role).exists()

    people = {
        (p.name, p.is_default, p.user and p.user.username)
        for p in first.municipality.contact_people.select_related("user")
    }
    assert people == {
        ("Sanne Bakker", True, None),  # the team's contact person
        ("Ahmed Benali", False, "caseworker"),  # the demo caseworker's own profile
        ("Iris de Boer", False, None),
    }

    again = load_demo(now=now, folder=tmp_path)
    assert first.municipality.contact_people.count() == 3  # nobody twice
    assert again.report.accepted == 0
    assert again.report.duplicates == first.report.accepted
    assert Signal.objects.count() == first.report.accepted
