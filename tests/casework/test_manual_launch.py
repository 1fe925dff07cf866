"""Which tiers wait for a caseworker's launch: set per municipality on the command line."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError

from outreach.casework.models import Case
from outreach.core.models import Municipality, StaffProfile
from tests.cadence.conftest import ingest
from tests.conftest import signal_row

pytestmark = pytest.mark.django_db


def test_manual_launch_tiers_are_set_replaced_and_cleared(run_command):
    run_command("add-municipality", "0307", "Amersfoort", "--manual-launch", "high")
    run_command(
        "add-municipality", "0307", "Amersfoort", "--manual-launch", "low",
        "--manual-launch", "crisis",
    )  # fmt: skip
    assert Municipality.objects.get(code="0307").manual_launch_tiers == ["crisis", "low"]
    run_command("add-municipality", "0307", "Amersfoort", "--threshold", "Zorg=100")
    assert Municipality.objects.get(code="0307").manual_launch_tiers == ["crisis", "low"]
    run_command("add-municipality", "0307", "Amersfoort", "--manual-launch", "none")
    assert Municipality.objects.get(code="0307").manual_launch_tiers == []


def test_an_unknown_tier_is_refused_naming_the_known_ones(run_command):
    with pytest.raises(CommandError, match=r"--manual-launch hoog: not a tier.*crisis, high"):
        run_command("add-municipality", "0307", "Amersfoort", "--manual-launch", "hoog")
    assert not Municipality.objects.exists()


def test_only_the_listed_tiers_wait_for_launch(run_command, now):
    run_command("add-municipality", "0344", "Utrecht", "--manual-launch", "crisis")
    utrecht = Municipality.objects.get(code="0344")
    ingest(
        [
            signal_row(postcode="3511AB", crisissignaal="ja", signaaldatum="2026-05-14"),
            signal_row(postcode="3512CD", signaaldatum="2026-05-14"),
        ],
        utrecht,
        now,
    )
    crisis = Case.objects.get(household__postcode="3511AB")
    ordinary = Case.objects.get(household__postcode="3512CD")
    assert (crisis.tier, crisis.state) == ("crisis", Case.State.WAITING)
    assert ordinary.state == Case.State.NEW


def test_the_admin_edits_the_tiers_and_the_contact_people(client, municipality):
    admin = User.objects.create_superuser("beheer", password="geheim-wachtwoord-9")
    StaffProfile.objects.create(user=admin)
    client.force_login(admin)
    page = client.get(f"/admin/core/municipality/{municipality.pk}/change/").content.decode()
    assert 'name="manual_launch_tiers"' in page
    # The contact people inline: the default one and room for another, with her user.
    assert 'name="contact_people-0-phone"' in page and 'name="contact_people-1-user"' in page
