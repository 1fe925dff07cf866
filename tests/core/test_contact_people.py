"""Contact people (issue 11): whom a case's letters name, adding them, and moving the old
contact details over."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from outreach.core.contacts import (
    ContactDirectory,
    add_contact_person,
    contact_person_for,
    default_contact_person,
)
from outreach.core.models import ContactPerson, Municipality
from outreach.core.municipalities import missing_contact
from tests.conftest import CONTACT, municipality_with_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanne(municipality: Municipality) -> User:
    """A caseworker with her own contact profile at Utrecht."""
    user = User.objects.create_user("sanne", first_name="Sanne", last_name="Visser")
    ContactPerson.objects.create(
        municipality=municipality, user=user, name="Sanne Visser", phone="030 286 1234"
    )
    return user


def named(municipality: Municipality, user: User | None) -> str | None:
    person = contact_person_for(municipality, user.pk if user else None)
    return person.name if person else None


def test_the_assigned_caseworker_with_a_profile_is_named(municipality, sanne):
    assert named(municipality, sanne) == "Sanne Visser"


def test_without_a_profile_or_a_caseworker_the_teams_contact_person_is_named(municipality):
    pieter = User.objects.create_user("pieter", first_name="Pieter", last_name="Post")
    assert named(municipality, pieter) == CONTACT["worker_name"]
    assert named(municipality, None) == CONTACT["worker_name"]


def test_an_inactive_profile_is_not_named(municipality, sanne):
    ContactPerson.objects.filter(user=sanne).update(active=False)
    assert named(municipality, sanne) == CONTACT["worker_name"]


def test_the_profile_of_a_user_who_can_no_longer_log_in_is_not_named(municipality, sanne):
    sanne.is_active = False
    sanne.save()
    assert named(municipality, sanne) == CONTACT["worker_name"]


def test_a_profile_at_another_municipality_is_not_used(municipality, sanne):
    amersfoort = municipality_with_contact(
        "0307", "Amersfoort", {"worker_name": "Ans Ander", "worker_phone": "033 123 4567"}
    )
    assert named(amersfoort, sanne) == "Ans Ander"
    assert named(municipality, sanne) == "Sanne Visser"


def test_without_a_default_only_a_caseworker_with_a_profile_is_named(municipality, sanne):
    municipality.contact_people.filter(is_default=True).delete()
    assert named(municipality, None) is None
    assert named(municipality, sanne) == "Sanne Visser"
    assert missing_contact(municipality) == ["worker_name", "worker_phone"]
    assert missing_contact(municipality, assignee_id=sanne.pk) == []


def test_an_inactive_default_is_no_default(municipality):
    municipality.contact_people.update(active=False)
    assert default_contact_person(municipality) is None
    assert missing_contact(municipality) == ["worker_name", "worker_phone"]


def test_a_batch_reads_its_contact_people_in_one_query(
    municipality, sanne, django_assert_num_queries
):
    amersfoort = municipality_with_contact("0307", "Amersfoort")
    with django_assert_num_queries(1):
        people = ContactDirectory.load([municipality.pk, amersfoort.pk], [sanne.pk, None])
        chosen = [
            people.person_for(municipality.pk, sanne.pk),
            people.person_for(municipality.pk, None),
            people.person_for(amersfoort.pk, sanne.pk),
        ]
        assert [(p.name, p.municipality.code) for p in chosen if p] == [
            ("Sanne Visser", "0344"),
            (CONTACT["worker_name"], "0344"),
            (CONTACT["worker_name"], "0307"),  # her profile is Utrecht's only
        ]


def test_a_municipality_has_one_default_at_most(municipality):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPerson.objects.create(
            municipality=municipality, name="Twee", phone="030 123 4567", is_default=True
        )
    # Another municipality has its own.
    municipality_with_contact("0307", "Amersfoort")
    assert ContactPerson.objects.filter(is_default=True).count() == 2


def test_a_user_has_one_profile_per_municipality(municipality, sanne):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPerson.objects.create(
            municipality=municipality, user=sanne, name="Sanne V.", phone="030 123 4567"
        )


# --- adding contact people -------------------------------------------------------------------


def add_contact(*args: str) -> str:
    out = io.StringIO()
    call_command("add_contact", *args, stdout=out)
    return out.getvalue()


def test_add_contact_adds_a_caseworkers_profile_with_her_number_as_letters_print_it(
    municipality,
):
    User.objects.create_user("iris")
    out = add_contact(
        "0344", "Iris de Boer", "--phone", "+31302861235", "--email", "iris@utrecht.nl",
        "--team", "Team Noord", "--user", "iris",
    )  # fmt: skip
    assert out == "Iris de Boer is a contact person of 0344 Utrecht, contact profile of iris\n"
    person = ContactPerson.objects.get(user__username="iris")
    assert (person.phone, person.email, person.team, person.is_default, person.active) == (
        "030 286 1235",
        "iris@utrecht.nl",
        "Team Noord",
        False,
        True,
    )
    # Again: her profile is updated, not doubled.
    add_contact("0344", "Iris de Boer", "--phone", "06 1234 5678", "--user", "iris")
    assert ContactPerson.objects.get(user__username="iris").phone == "06 12345678"


def test_add_contact_default_takes_over_from_the_one_before(municipality):
    out = add_contact("0344", "Piet Jansen", "--phone", "030 286 1299", "--default")
    assert out == "Piet Jansen is the team's contact person of 0344 Utrecht\n"
    assert default_contact_person(municipality).name == "Piet Jansen"
    before = ContactPerson.objects.get(name=CONTACT["worker_name"])
    assert (before.is_default, before.active) == (False, True)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["0344", "Piet", "--phone", "030 1"], "phone: not a valid phone number"),
        (["0344", "Piet", "--phone", "bel mij"], "phone: not a phone number"),
        (["0344", "Piet", "--phone", " "], "phone: a direct phone number is required"),
        (
            ["0344", "Piet", "--phone", "030 286 1299", "--email", "piet@"],
            "email: Voer een geldig e-mailadres in.",
        ),
        (["0344", "Piet", "--phone", "030 286 1299", "--user", "niemand"], "no user named"),
        (["0344", " ", "--phone", "030 286 1299"], "name: give the name letters print"),
        (["0307", "Piet", "--phone", "030 286 1299"], "no municipality with code '0307'"),
        (["0344", "Piet"], "the following arguments are required: --phone"),
    ],
)
def test_add_contact_refuses_bad_input_saying_why(municipality, args, error):
    with pytest.raises(CommandError, match=error):
        add_contact(*args)
    assert not ContactPerson.objects.filter(name="Piet").exists()


@pytest.mark.parametrize("phone", ["030 1", "bel 06 98765432 na vijven", "+31 30 28"])
def test_add_contact_says_what_is_wrong_without_repeating_the_number(municipality, phone):
    with pytest.raises(CommandError) as refused:
        add_contact("0344", "Piet", "--phone", phone)
    message = str(refused.value)
    assert message.startswith("phone: ")
    assert phone not in message and "98765432" not in message and "030 1" not in message


def test_add_contact_person_refuses_a_name_too_long(municipality):
    with pytest.raises(ValueError, match="name: Zorg dat deze waarde niet meer dan 100 tekens"):
        add_contact_person(municipality, "x" * 101, "030 286 1299")


# --- the data migration ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_contact_json_and_the_staff_numbers_to_contact_people():
    before = [("core", "0008_four_eyes")]
    after = [("core", "0009_contact_people")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        place = old.get_model("core", "Municipality").objects.create(
            code="0307", name="Amersfoort",
            contact={"team": "Geldzaken", "worker_name": "Sanne", "worker_phone": "033 1",
                     "reply_number": "06 1"},
        )  # fmt: skip
        half = old.get_model("core", "Municipality").objects.create(
            code="0344", name="Utrecht", contact={"worker_name": "Alleen Naam"}
        )
        users = old.get_model("auth", "User").objects
        named_user = users.create(username="iris", first_name="Iris", last_name="de Boer")
        nameless = users.create(username="x12")
        profiles = old.get_model("core", "StaffProfile").objects
        iris = profiles.create(user=named_user, phone="033 2")
        iris.municipalities.add(place, half)
        profiles.create(user=nameless, phone="033 3").municipalities.add(place)
        profiles.create(user=users.create(username="geen"), phone="")  # no number: no profile

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        amersfoort = Municipality.objects.get(code="0307")
        assert amersfoort.contact == {"team": "Geldzaken", "reply_number": "06 1"}
        rows = {
            (p.municipality.code, p.name, p.phone, p.team, p.user and p.user.username,
             p.is_default, p.active)
            for p in ContactPerson.objects.select_related("municipality", "user")
        }  # fmt: skip
        assert rows == {
            ("0307", "Sanne", "033 1", "Geldzaken", None, True, True),
            # Half a contact person is kept but named nowhere (as before: no campaign).
            ("0344", "Alleen Naam", "", "", None, False, False),
            ("0307", "Iris de Boer", "033 2", "", "iris", False, True),
            ("0344", "Iris de Boer", "033 2", "", "iris", False, True),
            # No full name: letters never named her; her number is kept, not named.
            ("0307", "x12", "033 3", "", "x12", False, False),
        }
        assert Municipality.objects.get(code="0344").contact == {}
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
