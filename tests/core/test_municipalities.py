"""A municipality's contact details: what is missing, `outreach check` warning about it, and
`outreach add-municipality` asking for it (in a terminal) or warning (otherwise)."""

import io

import pytest
from django.core.management import CommandError, call_command

from outreach.core.checks import contact_complete
from outreach.core.contacts import default_contact_person
from outreach.core.models import ContactPerson, Municipality
from outreach.core.municipalities import missing_contact, missing_contact_text
from outreach.intake.management.commands.add_municipality import ask_contact
from tests.conftest import CONTACT

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    """Typed answers, one a line, on what looks like a terminal."""

    def isatty(self) -> bool:
        return True


def add(*args: str, stdin: io.StringIO | None = None) -> tuple[str, str]:
    """`outreach add-municipality ARGS`: its stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("add_municipality", *args, stdin=stdin or io.StringIO(), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_missing_contact_names_each_detail_that_is_absent_or_blank():
    place = Municipality.objects.create(code="0307", name="Amersfoort", contact={})
    assert missing_contact(place) == ["worker_name", "worker_phone", "reply_number"]
    place.contact = {"reply_number": "  "}
    ContactPerson.objects.create(
        municipality=place, name="Sanne", phone="030 123 4567", is_default=True
    )
    assert missing_contact(place) == ["reply_number"]
    place.contact = {"reply_number": CONTACT["reply_number"]}
    assert missing_contact(place) == []
    assert missing_contact_text(["worker_name", "worker_phone", "reply_number"]) == (
        "de gemeente heeft geen contactpersoon, geen direct nummer en geen antwoordnummer "
        "(ontbreekt: worker_name, worker_phone, reply_number)"
    )


def test_check_warns_per_municipality_with_what_is_missing(municipality):
    Municipality.objects.create(code="0307", name="Amersfoort", contact={"reply_number": "06 1"})
    (warning,) = contact_complete()
    assert (warning.id, warning.obj.code) == ("core.W001", "0307")
    assert "lack worker_name, worker_phone" in warning.msg
    assert warning.hint == (
        'outreach add-municipality 0307 "Amersfoort" --contact worker_name=... '
        "--contact worker_phone=..."
    )
    err = io.StringIO()
    call_command("check", stderr=err, stdout=io.StringIO())
    assert "0307 Amersfoort: (core.W001)" in err.getvalue()
    assert "0344" not in err.getvalue()  # the test municipality is complete


def test_add_municipality_without_a_terminal_registers_and_warns():
    out, err = add("0307", "Amersfoort", "--contact", "reply_number=+3197010000002")
    assert out == "municipality 0307 Amersfoort registered\n"
    assert err == (
        "warning: 0307 Amersfoort has no worker_name, worker_phone: its campaigns will not "
        'start until they are set: outreach add-municipality 0307 "Amersfoort" '
        "--contact worker_name=... --contact worker_phone=...\n"
    )
    place = Municipality.objects.get(code="0307")
    assert place.contact == {"reply_number": "+3197010000002"}
    assert not place.contact_people.exists()


def test_add_municipality_refuses_a_contact_person_without_her_number():
    with pytest.raises(CommandError, match="contact: worker_phone is needed as well"):
        add("0307", "Amersfoort", "--contact", "worker_name=Sanne Bakker")
    assert not Municipality.objects.filter(code="0307").exists()  # nothing half done


def test_add_municipality_refuses_a_number_that_is_not_one():
    with pytest.raises(CommandError, match=r"phone: not a valid phone number"):
        add(
            "0307",
            "Amersfoort",
            "--contact",
            "worker_name=Sanne",
            "--contact",
            "worker_phone=030 1",
        )


def test_add_municipality_sets_the_default_contact_person_and_updates_her_number():
    add("0307", "Amersfoort", *(f"--contact={key}={value}" for key, value in CONTACT.items()))
    place = Municipality.objects.get(code="0307")
    (person,) = place.contact_people.all()
    assert (person.name, person.phone, person.is_default, person.active) == (
        CONTACT["worker_name"],
        CONTACT["worker_phone"],
        True,
        True,
    )
    assert place.contact == {"reply_number": CONTACT["reply_number"]}  # no person in the JSON
    add("0307", "Amersfoort", "--contact", "worker_phone=0331234567")  # her number only
    (person,) = place.contact_people.all()
    assert (person.name, person.phone) == (CONTACT["worker_name"], "033 123 4567")
    add(
        "0307",
        "Amersfoort",
        "--contact",
        "worker_name=Iris",
        "--contact",
        "worker_phone=06 1234 5678",
    )
    people = {p.name: p.is_default for p in place.contact_people.all()}
    assert people == {CONTACT["worker_name"]: False, "Iris": True}  # the one before stays


def test_add_municipality_with_every_detail_says_nothing_more():
    options = [f"--contact={key}={value}" for key, value in CONTACT.items()]
    out, err = add("0307", "Amersfoort", *options)
    assert (out, err) == ("municipality 0307 Amersfoort registered\n", "")


def test_add_municipality_in_a_terminal_asks_for_what_is_missing():
    answers = Terminal("030 123 4567\n+3197010000002\n")
    out, err = add("0307", "Amersfoort", "--contact", "worker_name=Sanne", stdin=answers)
    assert "Her direct phone number (worker_phone): " in out
    assert "(reply_number): " in out and "(worker_name)" not in out
    assert err == ""
    place = Municipality.objects.get(code="0307")
    assert missing_contact(place) == []
    person = default_contact_person(place)
    assert person is not None
    assert (person.name, person.phone, place.contact["reply_number"]) == (
        "Sanne",
        "030 123 4567",
        "+3197010000002",
    )


def test_a_blank_answer_leaves_the_detail_missing_and_warns():
    out, err = add("0307", "Amersfoort", stdin=Terminal("\n\n+3197010000002\n"))
    assert out.count("): ") == 3  # asked for each of the three
    assert Municipality.objects.get(code="0307").contact == {"reply_number": "+3197010000002"}
    assert "has no worker_name, worker_phone:" in err


def test_a_name_answered_without_a_number_is_refused():
    with pytest.raises(CommandError, match="worker_phone is needed as well"):
        add("0307", "Amersfoort", stdin=Terminal("Sanne\n\n"))  # then end of input


def test_no_input_never_asks():
    out, err = add("0307", "Amersfoort", "--no-input", stdin=Terminal("Sanne\n"))
    assert "worker_name)" not in out
    assert "has no worker_name, worker_phone, reply_number" in err


def test_ask_contact_keeps_only_the_answers_given():
    questions: list[str] = []

    def answer(question: str) -> str:
        questions.append(question)
        return "  06 1  \n" if "reply_number" in question else "\n"

    assert ask_contact(["worker_phone", "reply_number"], answer) == {"reply_number": "06 1"}
    assert len(questions) == 2
