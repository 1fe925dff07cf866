"""The engine sends the published texts: the right text per step, in the reader's language,
with the municipality's contact person; a text that cannot be made sends nothing."""

from datetime import timedelta

import pytest

from outreach.cadence.models import PlannedStep
from outreach.intake.models import Person
from outreach.messaging.models import Message, TemplateVersion
from outreach.messaging.versions import save_draft
from tests.cadence.conftest import ingest
from tests.conftest import signal_row

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
    municipality.contact = CONTACT
    municipality.save()
    return municipality


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
    assert "{{ 7*7 }}" in body and "49" not in body


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
    from outreach.cadence.execution import _visit_times

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
    assert _visit_times(steps) == {steps[0].pk: visit_at}


def test_an_sms_is_rendered_in_the_language_it_is_sent_in(contact, engine, now):
    (case,) = ingest([signal_row()], contact, now)
    Person.objects.filter(household=case.household).update(preferred_language="en")
    TemplateVersion.objects.filter(name="invitation", lang="en", status="published").update(
        source="{{ worker_name }} {{ worker_phone }}: free help ({{ lang }})."
    )
    engine(now)
    engine(PlannedStep.objects.get(case=case, key="sms1").due_at)
    assert Message.objects.get(case=case, channel="sms").body.endswith("free help (en).")
