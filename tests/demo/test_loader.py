"""The demo data `make run` loads: a fictional municipality, its signals, a user per role."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from outreach.casework.models import Case
from outreach.core.municipalities import missing_contact
from outreach.core.roles import ROLES
from outreach.demo.loader import DEMO_CODE, DEMO_PASSWORD, load_demo
from outreach.intake.models import Signal

pytestmark = pytest.mark.django_db


def login(username: str, password: str):
    """The user these credentials log in, as the login form asks (with its request: the limit
    on password guessing counts per request's address)."""
    return authenticate(RequestFactory().post("/login/"), username=username, password=password)


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
        user = login(role, DEMO_PASSWORD)
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


def test_the_demo_has_two_communication_officers_who_can_publish_under_four_eyes(tmp_path, now):
    from django.contrib.auth.models import User

    from outreach.messaging.texts.versions import approve, current, propose, save_draft

    demo = load_demo(now=now, folder=tmp_path, history_weeks=0)
    first, second = (
        User.objects.get(username=name) for name in ("communication", "communication2")
    )
    assert "communication2" in demo.users
    assert login("communication2", DEMO_PASSWORD) is not None
    for officer in (first, second):
        assert officer.groups.filter(name="communication").exists()
        assert officer.has_perm("messaging.edit_shared_texts")
        assert officer.staff_profile.municipalities.filter(pk=demo.municipality.pk).exists()
    # One proposes the municipality's own text, the other approves it.
    shared = current("invitation", "nl")
    assert shared is not None
    draft = save_draft(
        "invitation", "nl", shared.source, first, now, municipality_id=demo.municipality.pk
    )
    propose(draft, first, now)
    approve(draft, second, now)
    draft.refresh_from_db()
    assert draft.status == "published"
