"""The engine sends the published texts: the right text per step, in the reader's language,
with the municipality's contact person; a text that cannot be made sends nothing."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from outreach.cadence.models import PlannedStep
from outreach.intake.models import Person
from outreach.messaging.models import Message, TemplateVersion
from outreach.messaging.texts.catalogue import LANGUAGES, SMS, TEMPLATES, required_fields
from outreach.messaging.texts.compose import ComposeError, PublishedTexts, Reader, compose
from outreach.messaging.texts.context import sample_context
from outreach.messaging.texts.rendering import render_html, render_text, templates_dir
from outreach.messaging.texts.versions import save_draft
from tests.cadence.conftest import ingest
from tests.conftest import set_contact, signal_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("campaign_dir")]

CONTACT = {
    "team": "Team Geldzorgen",
    "worker_name": "Fatima el Amrani",
    "worker_phone": "030 286 0000",
    "reply_number": "06 9876 5432",
    "email": "geldzorgen@utrecht.example",
    "postal": ["Postbus 16200", "3500 CE  UTRECHT"],
}


@pytest.fixture
def contact(municipality):
    return set_contact(municipality, CONTACT)


def first_message(case) -> Message:
    return Message.objects.filter(case=case).order_by("pk").first()


def test_the_first_letter_is_the_published_text_with_the_named_person(contact, engine, now):
    (case,) = ingest([signal_row()], contact, now)
    engine(now)
    letter = first_message(case)
    assert (letter.template, letter.template_version, letter.language) == ("first_single", 1, "nl")
    assert "Fatima el Amrani" in letter.body and "030 286 0000" in letter.body
    assert "uw energieleverancier" in letter.body  # how we got the data
    assert "Beste Jan Jansen" in letter.body
    assert "{{" not in letter.body and "{%" not in letter.body


def test_several_signals_get_the_letter_for_several_signals(contact, engine, now):
    rows = [signal_row(), signal_row(signaalpartner="Huur", partner_naam="Woonstad")]
    (case,) = ingest(rows, contact, now)
    engine(now)
    letter = first_message(case)
    assert letter.template == "first_multiple"
    assert "uw energieleverancier" in letter.body and "uw verhuurder" in letter.body


def test_the_reader_gets_their_language_and_dutch_when_it_has_no_text(contact, engine, now):
    (english, turkish) = ingest(
        [signal_row(), signal_row(huisnummer="14", achternaam="Yilmaz")], contact, now
    )
    Person.objects.filter(household=english.household).update(preferred_language="en")
    Person.objects.filter(household=turkish.household).update(preferred_language="tr")
    TemplateVersion.objects.filter(name="first_single", lang="tr").delete()
    engine(now)
    assert (first_message(english).language, first_message(english).template) == (
        "en",
        "first_single",
    )
    assert "Dear Jan Jansen" in first_message(english).body
    assert first_message(turkish).language == "nl"


def test_the_sms_step_sends_the_invitation_within_two_segments(contact, engine, now):
    from outreach.messaging.lint.sms import segments

    (case,) = ingest([signal_row()], contact, now)
    engine(now)
    sms_at = PlannedStep.objects.get(case=case, key="sms1").due_at
    engine(sms_at)
    sms = Message.objects.get(case=case, channel="sms")
    assert sms.template == "invitation" and sms.to == "+31612345678"
    assert "06 9876 5432" in sms.body
    assert segments(sms.body) <= 2


def test_the_visit_announcement_names_the_day_of_the_visit(contact, engine, now):
    (case,) = ingest([signal_row()], contact, now)
    engine(now)
    announce = PlannedStep.objects.get(case=case, key="announce")
    visit = PlannedStep.objects.get(case=case, key="visit")
    engine(announce.due_at)
    letter = Message.objects.get(step_id=announce.pk)
    assert letter.template == "visit_announcement"
    assert f"{visit.due_at.astimezone().day} " in letter.body


def test_a_name_with_html_or_jinja_is_printed_as_text(contact, engine, now):
    (case,) = ingest(
        [signal_row(voorletters="", voornaam="<b>Jan</b>", achternaam="{{ 7*7 }}")], contact, now
    )
    engine(now)
    body = first_message(case).body
    assert "&lt;b&gt;Jan&lt;/b&gt;" in body and "<b>Jan</b>" not in body
    # The name is printed as written, never evaluated (the case number may hold "49").
    assert "{{ 7*7 }}" in body
    assert re.search(r"(?<![\d-])49(?!\d)", body) is None


def test_a_text_that_cannot_be_made_sends_nothing_and_takes_the_failure_path(contact, engine, now):
    (case,) = ingest([signal_row()], contact, now)
    engine(now)
    # A published SMS text that breaks when rendered (put in place here: publishing would
    # refuse it).
    broken = save_draft(
        "invitation", "nl", "{{ worker_name }} {{ worker_phone }} gratis {{ 1 / 0 }}", None, now
    )
    TemplateVersion.objects.filter(name="invitation", lang="nl", status="published").update(
        status="retired"
    )
    TemplateVersion.objects.filter(pk=broken.pk).update(status="published")
    sms = PlannedStep.objects.get(case=case, key="sms1")
    engine(sms.due_at)
    sms.refresh_from_db()
    assert sms.status == PlannedStep.Status.FAILED
    assert sms.note.startswith("tekst niet te maken: 'invitation' (nl) v2")
    assert not Message.objects.filter(case=case, channel="sms").exists()
    fallback = PlannedStep.objects.get(case=case, key="letter2")
    engine(fallback.due_at + timedelta(minutes=1))
    assert Message.objects.get(step_id=fallback.pk).template == "follow_up"


def test_an_upgraded_plan_announces_its_own_visit(contact, now):
    from outreach.cadence.execution import Execution, _visit_times
    from outreach.cadence.versions import campaigns_of

    (case,) = ingest([signal_row()], contact, now)
    visit_at = now + timedelta(days=5)
    steps = PlannedStep.objects.bulk_create(
        [
            PlannedStep(case=case, key="standard.announce", campaign="standard",
                        channel="letter", due_at=now),
            PlannedStep(case=case, key="standard.visit", campaign="standard",
                        channel="visit_task", due_at=visit_at),
            PlannedStep(case=case, key="visit", campaign="standard", channel="visit_task",
                        due_at=now + timedelta(days=9)),
        ]
    )  # fmt: skip
    run = Execution(now, campaigns=campaigns_of(steps))
    assert _visit_times(run, steps) == {steps[0].pk: visit_at}


def test_an_sms_is_rendered_in_the_language_it_is_sent_in(contact, engine, now):
    (case,) = ingest([signal_row()], contact, now)
    Person.objects.filter(household=case.household).update(preferred_language="en")
    TemplateVersion.objects.filter(name="invitation", lang="en", status="published").update(
        source="{{ worker_name }} {{ worker_phone }}: free help ({{ lang }})."
    )
    engine(now)
    engine(PlannedStep.objects.get(case=case, key="sms1").due_at)
    assert Message.objects.get(case=case, channel="sms").body.endswith("free help (en).")


READER = Reader(
    name="J. Jansen",
    language="nl",
    address_lines=["J. Jansen", "Kerkstraat 12", "3511 AB  UTRECHT"],
    partner_types=["Energie"],
    reference="0344-000001",
)


def make(name: str, reader: Reader = READER, **contact: str) -> str:
    place = {"name": "Gemeente Utrecht", **CONTACT, **contact}
    return compose(name, reader, place, date(2026, 5, 15), PublishedTexts()).body


def test_an_empty_contact_detail_a_text_needs_makes_no_text(municipality):
    refused = r"^'invitation' \(nl\) v1: required but empty: the reply number \(reply_number\)$"
    with pytest.raises(ComposeError, match=refused):
        make("invitation", reply_number="")
    with pytest.raises(ComposeError) as error:
        make("first_single", worker_name=" ", worker_phone="", phone="")
    assert str(error.value) == (
        "'first_single' (nl) v1: required but empty: the contact person's name (worker_name), "
        "her direct number (worker_phone)"
    )
    assert "06 9876 5432" in make("invitation")


def test_a_letter_without_the_readers_name_or_a_whole_address_is_not_made(municipality):
    nameless = Reader("", "nl", ["", "Kerkstraat 12", "3511 AB  UTRECHT"], ["Energie"], "1")
    with pytest.raises(ComposeError, match=r"empty: the reader's name \(name\), the address"):
        make("follow_up", nameless)
    homeless = Reader("J. Jansen", "nl", [], ["Energie"], "1")
    with pytest.raises(ComposeError, match=r"required but empty: the address \(address_lines\)$"):
        make("follow_up", homeless)
    # An SMS has no address block: it is made for the same reader.
    assert "Fatima el Amrani" in make("reminder", homeless)


def test_a_text_that_names_no_contact_person_is_made_without_one(municipality):
    body = make("optout_confirmation", worker_name="", worker_phone="", reply_number="")
    assert body.startswith("U krijgt van ons geen berichten meer.")


def shipped(name: str, lang: str) -> str | None:
    path = Path(templates_dir()) / TEMPLATES[name].path(lang)
    return path.read_text(encoding="utf-8") if path.exists() else None


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_every_contact_detail_a_shipped_text_prints_is_required(name):
    """The catalogue's required fields cover what the shipped texts print: a detail a text
    prints but does not require would be printed empty ("Mijn naam is .")."""
    spec = TEMPLATES[name]
    sample = sample_context("nl")
    printed: set[str] = set()
    for lang in LANGUAGES:
        source = shipped(name, lang)
        if source is None:
            continue
        context = sample_context(lang)
        if spec.kind == SMS:
            body = render_text(source, context, lang)
        else:
            body = render_html(source, context, lang)
        printed |= {
            field
            for field in ("worker_name", "worker_phone", "reply_number")
            if getattr(sample, field) in body
        }
    assert printed <= set(required_fields(spec))


def test_a_contact_detail_emptied_after_the_start_fails_the_step_not_the_reader(
    contact, engine, now
):
    (case,) = ingest([signal_row()], contact, now)
    engine(now)
    assert first_message(case).template == "first_single"
    # Someone clears the reply number while the campaign runs.
    set_contact(contact, {**CONTACT, "reply_number": ""})
    sms = PlannedStep.objects.get(case=case, key="sms1")
    engine(sms.due_at)
    sms.refresh_from_db()
    assert sms.status == PlannedStep.Status.FAILED
    assert sms.note == (
        "tekst niet te maken: 'invitation' (nl) v1: required but empty: "
        "the reply number (reply_number)"
    )
    assert not Message.objects.filter(case=case, channel="sms").exists()
    # Its failure path is taken: the follow-up letter, which is not made either.
    fallback = PlannedStep.objects.get(case=case, key="letter2")
    engine(fallback.due_at + timedelta(minutes=1))
    fallback.refresh_from_db()
    assert fallback.status == PlannedStep.Status.FAILED
    assert "required but empty: the reply number" in fallback.note
    assert list(Message.objects.filter(case=case).values_list("template", flat=True)) == [
        "first_single"
    ]
